import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { EquivalentMutantStaleError, MutationFileInvalidError } from './errors.ts';
import type { MutantResult, MutationReport } from './report.ts';
import { SCORE_THRESHOLD } from './targets.ts';

/**
 * A mutant that no test can kill because the program behaves the same with it (hand-kept in
 * mutation/equivalents.json, with the reason). It counts as killed only while the report still has a
 * surviving mutant in that file, at that line, by that mutator, with that replacement.
 */
export interface EquivalentMutant {
  readonly file: string;
  readonly line: number;
  /** Only needed when two mutants on the line share mutator and replacement. */
  readonly column?: number;
  /** Only needed when two mutants also share their start (`a && b` and `a` both start at `a`). */
  readonly endColumn?: number;
  readonly mutator: string;
  readonly replacement: string;
  readonly why: string;
}

/**
 * A target file allowed below the threshold for now (mutation/below-threshold.json): its score may not drop
 * under `floor`, and the entry must go once the file reaches the threshold. `floor: null` is a file that has
 * no complete run yet: it may be missing from the report, and must get a floor once it has one.
 */
export interface BelowThreshold {
  readonly floor: number | null;
  readonly why: string;
}

/** One file's counts, from the report with the equivalents merged in. */
export interface FileSummary {
  /** sha256 of the source Stryker mutated: the check compares it with the file on disk. */
  readonly sha256: string;
  readonly mutants: number;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly equivalent: number;
  /** Mutants Stryker did not run or could not judge (ignored, compile or runtime errors): not in the score. */
  readonly notRun: number;
  /** (killed + timeout + equivalent) / (those + survived + no coverage), in percent, 2 decimals; null without mutants. */
  readonly score: number | null;
}

export interface MutationSummary {
  readonly threshold: number;
  readonly files: Readonly<Record<string, FileSummary>>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Reads and checks the shape of mutation/equivalents.json. */
export function readEquivalents(path: string): EquivalentMutant[] {
  const list = readJson(path);
  if (!Array.isArray(list)) throw new MutationFileInvalidError(`${path} must be a JSON array`);
  return list.map((entry: unknown, index) => {
    const e = entry as Partial<EquivalentMutant> | null;
    const where = `${path} entry ${index}`;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.file !== 'string' ||
      !Number.isInteger(e.line) ||
      typeof e.mutator !== 'string' ||
      typeof e.replacement !== 'string' ||
      (e.column !== undefined && !Number.isInteger(e.column))
    ) {
      throw new MutationFileInvalidError(
        `${where} needs file, line, mutator and replacement (column optional)`,
      );
    }
    if (typeof e.why !== 'string' || e.why.trim().length < 20) {
      throw new MutationFileInvalidError(`${where} (${e.file}:${e.line}) needs a "why" that explains it`);
    }
    return e as EquivalentMutant;
  });
}

/** Reads and checks the shape of mutation/below-threshold.json. */
export function readBelowThreshold(path: string): Record<string, BelowThreshold> {
  const record = readJson(path);
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new MutationFileInvalidError(`${path} must be a JSON object keyed by file`);
  }
  for (const [file, entry] of Object.entries(record)) {
    const e = entry as Partial<BelowThreshold> | null;
    if (
      (typeof e?.floor !== 'number' && e?.floor !== null) ||
      typeof e.why !== 'string' ||
      e.why.trim() === ''
    ) {
      throw new MutationFileInvalidError(`${path}: ${file} needs a "floor" (a score, or null) and a "why"`);
    }
  }
  return record as Record<string, BelowThreshold>;
}

/**
 * mutation/awaiting-run.json: file → why its Stryker run is still to come. Throws MutationFileInvalidError on an
 * entry without a reason.
 *
 * @example readAwaitingRun(at(PATHS.awaitingRun)) // { 'packages/core/src/ledger/ledger.ts': 'changed by …' }
 */
export function readAwaitingRun(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const record = readJson(path);
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new MutationFileInvalidError(`${path} must be a JSON object keyed by file`);
  }
  for (const [file, why] of Object.entries(record)) {
    if (typeof why !== 'string' || why.trim() === '') {
      throw new MutationFileInvalidError(`${path}: ${file} needs a reason (a non-empty string)`);
    }
  }
  return record as Record<string, string>;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new MutationFileInvalidError(`${path} is not readable JSON`, { cause });
  }
}

/** The report's mutants that each equivalent entry names; throws EquivalentMutantStaleError for any entry that names none. */
export function matchEquivalents(
  report: MutationReport,
  equivalents: readonly EquivalentMutant[],
): Map<MutantResult, EquivalentMutant> {
  const matched = new Map<MutantResult, EquivalentMutant>();
  const problems: string[] = [];
  for (const entry of equivalents) {
    const where = `${entry.file}:${entry.line}${entry.column ? `:${entry.column}` : ''} ${entry.mutator} → ${entry.replacement}`;
    const file = report.files[entry.file];
    // A file with no report yet (not measured, or its run has not been merged) cannot be checked: the entry
    // waits for the file's first report. A file that is no longer a target fails the CI check instead.
    if (file === undefined) continue;
    const candidates = (file?.mutants ?? []).filter(
      (m) =>
        m.location.start.line === entry.line &&
        (entry.column === undefined || m.location.start.column === entry.column) &&
        (entry.endColumn === undefined || m.location.end.column === entry.endColumn) &&
        m.mutatorName === entry.mutator &&
        m.replacement === entry.replacement,
    );
    if (candidates.length === 0) {
      problems.push(
        `${where}: the report has no such mutant (the code moved or changed: update or remove the entry)`,
      );
    } else if (candidates.length > 1) {
      problems.push(`${where}: ${candidates.length} mutants match: add the column (and endColumn)`);
    } else {
      const [mutant] = candidates as [MutantResult];
      if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') {
        problems.push(
          `${where}: the mutant is ${mutant.status}, not surviving: it is not equivalent, remove the entry`,
        );
      } else if (matched.has(mutant)) {
        problems.push(`${where}: listed twice`);
      } else {
        matched.set(mutant, entry);
      }
    }
  }
  if (problems.length > 0) {
    throw new EquivalentMutantStaleError(`mutation/equivalents.json is stale:\n- ${problems.join('\n- ')}`);
  }
  return matched;
}

/**
 * Per-file counts and score of a Stryker report, with the hand-kept equivalent mutants counted as killed.
 *
 * @example
 * const summary = summarize(readReport('mutation/report.json'), readEquivalents('mutation/equivalents.json'));
 * summary.files['packages/core/src/ledger/ledger.ts']?.score; // e.g. 91.3
 */
export function summarize(report: MutationReport, equivalents: readonly EquivalentMutant[]): MutationSummary {
  const matched = matchEquivalents(report, equivalents);
  const files: Record<string, FileSummary> = {};
  for (const [path, file] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    let killed = 0;
    let timeout = 0;
    let survived = 0;
    let noCoverage = 0;
    let equivalent = 0;
    let notRun = 0;
    for (const mutant of file.mutants) {
      if (matched.has(mutant)) equivalent += 1;
      else if (mutant.status === 'Killed') killed += 1;
      else if (mutant.status === 'Timeout') timeout += 1;
      else if (mutant.status === 'Survived') survived += 1;
      else if (mutant.status === 'NoCoverage') noCoverage += 1;
      else notRun += 1;
    }
    const detected = killed + timeout + equivalent;
    const valid = detected + survived + noCoverage;
    files[path] = {
      sha256: sha256(file.source),
      mutants: file.mutants.length,
      killed,
      timeout,
      survived,
      noCoverage,
      equivalent,
      notRun,
      score: valid === 0 ? null : Math.floor((detected / valid) * 10_000) / 100,
    };
  }
  return { threshold: SCORE_THRESHOLD, files };
}
