/** An entry of mutation/equivalents.json names a mutant that the report does not have (any more), or that a test kills. */
export class EquivalentMutantStaleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EquivalentMutantStaleError';
  }
}

/** A hand-kept mutation file (equivalents, below-threshold list) or the report does not have the expected shape. */
export class MutationFileInvalidError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MutationFileInvalidError';
  }
}

/** Stryker did not produce a report (it failed before mutation testing, e.g. a failing initial test run). */
export class MutationRunFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MutationRunFailedError';
  }
}
