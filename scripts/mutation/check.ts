import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BelowThreshold, MutationSummary } from './summary.ts';
import { sha256 } from './summary.ts';
import { SCORE_THRESHOLD } from './targets.ts';

/** What the CI check compares: the committed summary, the allowances, and each target file's current text. */
export interface CheckInput {
  readonly summary: MutationSummary;
  /** The files mutation/equivalents.json names. */
  readonly equivalentFiles?: readonly string[];
  readonly belowThreshold: Readonly<Record<string, BelowThreshold>>;
  /** mutation/awaiting-run.json: files whose report may predate their text (or be missing), with why. */
  readonly awaitingRun?: Readonly<Record<string, string>>;
  /** The target files that exist now (listTargets), and how to read one. */
  readonly targets: readonly string[];
  readonly read: (file: string) => string;
}

/**
 * Every reason the committed mutation report does not vouch for the current target files: a file without a
 * report, a file changed after its report, a score under the threshold (or under its allowed floor), and
 * allowances or report entries that no longer apply. Empty when all is well.
 *
 * @example
 * const problems = checkMutation({ summary, belowThreshold, targets: listTargets(root), read: (f) => readFileSync(f, 'utf8') });
 * if (problems.length > 0) throw new Error(problems.join('\n'));
 */
export function checkMutation({
  summary,
  belowThreshold,
  targets,
  read,
  equivalentFiles = [],
  awaitingRun = {},
}: CheckInput): string[] {
  const problems: string[] = [];
  const rerun = (file: string) => `npm run test:mutation -- ${file}`;
  for (const file of targets) {
    const entry = summary.files[file];
    const allowance = belowThreshold[file];
    const upToDate = entry !== undefined && sha256(read(file)) === entry.sha256;
    if (awaitingRun[file] !== undefined) {
      // Listed debt: allowed while it is real. A listed file whose report is current must leave the list.
      if (upToDate) {
        problems.push(
          `${file}: its mutation report is current: remove it from mutation/awaiting-run.json (and check its score)`,
        );
      }
      continue;
    }
    if (!entry) {
      if (allowance?.floor !== null) {
        problems.push(`${file}: no mutation report (a new or moved file): run \`${rerun(file)}\``);
      }
      continue;
    }
    if (!upToDate) {
      problems.push(`${file}: changed after its mutation report: run \`${rerun(file)}\``);
      continue;
    }
    if (allowance?.floor === null) {
      problems.push(
        `${file}: has a mutation report now (${entry.score ?? '—'} %): give it a floor in mutation/below-threshold.json, or remove it from there`,
      );
      continue;
    }
    if (entry.score === null) continue;
    if (allowance) {
      if (entry.score < allowance.floor) {
        problems.push(
          `${file}: mutation score ${entry.score} % fell under its recorded floor ${allowance.floor} %`,
        );
      } else if (entry.score >= summary.threshold) {
        problems.push(
          `${file}: scores ${entry.score} % now: remove it from mutation/below-threshold.json (it is held to ${summary.threshold} %)`,
        );
      }
    } else if (entry.score < summary.threshold) {
      problems.push(
        `${file}: mutation score ${entry.score} % is under ${summary.threshold} %: kill the survivors (docs/mutation.md) or list true equivalents in mutation/equivalents.json`,
      );
    }
  }
  const current = new Set(targets);
  for (const file of Object.keys(summary.files)) {
    if (!current.has(file))
      problems.push(
        `${file}: in the mutation report but no longer a target file: re-run \`npm run docs:mutation\``,
      );
  }
  for (const file of Object.keys(belowThreshold)) {
    if (!current.has(file))
      problems.push(`${file}: in mutation/below-threshold.json but no longer a target file`);
  }
  for (const file of Object.keys(awaitingRun)) {
    if (!current.has(file))
      problems.push(`${file}: in mutation/awaiting-run.json but no longer a target file`);
  }
  for (const file of new Set(equivalentFiles)) {
    if (!current.has(file))
      problems.push(`${file}: in mutation/equivalents.json but no longer a target file`);
  }
  if (summary.threshold !== SCORE_THRESHOLD) {
    problems.push(
      `mutation/summary.json was made with threshold ${summary.threshold} %, the rule is ${SCORE_THRESHOLD} %`,
    );
  }
  return problems;
}

/** The check against the files of a checkout. */
export function readTarget(root: string): (file: string) => string {
  return (file) => readFileSync(join(root, file), 'utf8');
}
