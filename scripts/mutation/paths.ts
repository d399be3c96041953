import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (scripts/mutation/ is two levels down). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the committed mutation files live, relative to the root. */
export const PATHS = {
  /** Stryker's JSON report of every target file, merged run after run; also Stryker's incremental file. */
  report: 'mutation/report.json',
  /** Per-file counts, score and source hash: what the CI check reads. Generated. */
  summary: 'mutation/summary.json',
  /** Hand-kept: equivalent mutants and why. */
  equivalents: 'mutation/equivalents.json',
  /** Hand-kept: target files allowed below the threshold for now, with a floor. */
  belowThreshold: 'mutation/below-threshold.json',
  /**
   * Hand-kept: target files whose report predates their current text (or that have none yet), each with why,
   * named in the page. The debt is explicit: CI fails any stale file not listed here, and any listed file that
   * is current (the entry must then go).
   */
  awaitingRun: 'mutation/awaiting-run.json',
  /** Generated page. */
  doc: 'docs/mutation.md',
  /** Git-ignored: the copy of the report Stryker reads and writes as its incremental file. */
  incremental: 'mutation/.stryker-incremental.json',
  /** Git-ignored: every mutant result so far, complete runs and interrupted ones: what a run starts from. */
  cache: 'mutation/.stryker-cache.json',
  /** Git-ignored: the JSON report of the last run (stryker.config.mjs, jsonReporter). */
  run: 'mutation/.stryker-run.json',
} as const;

export const at = (path: string): string => join(ROOT, path);
