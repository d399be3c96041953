/**
 * Helpers for the models' `restore()`: a snapshot read back from JSON (a saved local deployment,
 * deployment-state.ts) is put back in place of the model's state, its dates made Dates again.
 */

/**
 * Replaces every key of `target` with a deep copy of `source`'s (keys `source` lacks are removed): the models
 * keep their state in one object their command handlers hold on to, so it is refilled rather than replaced.
 *
 * @example replaceState(this.state, restoredState);
 */
export function replaceState<T extends object>(target: T, source: T): void {
  for (const key of Object.keys(target)) delete (target as Record<string, unknown>)[key];
  Object.assign(target, structuredClone(source));
}

/**
 * A date as a snapshot holds it (a Date, or its ISO-8601 text once the snapshot went through JSON) as a Date.
 *
 * @example reviveDate('2026-01-01T00:00:00.000Z').getTime() // 1767225600000
 */
export function reviveDate(value: Date | string): Date {
  return new Date(value);
}
