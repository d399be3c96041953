import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { MutationFileInvalidError } from './errors.ts';

// The parts of Stryker's JSON report (mutation-testing-report-schema) that Cordon reads. The report is also
// Stryker's incremental file, so it is kept whole: unknown fields are carried through untouched.

export type MutantStatus =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'CompileError'
  | 'RuntimeError'
  | 'Timeout'
  | 'Ignored'
  | 'Pending';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface MutantResult {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: Position; readonly end: Position };
  readonly status: MutantStatus;
  readonly statusReason?: string;
  readonly static?: boolean;
  readonly coveredBy?: readonly string[];
  readonly killedBy?: readonly string[];
}

export interface FileResult {
  readonly language: string;
  readonly source: string;
  readonly mutants: readonly MutantResult[];
}

export interface TestFile {
  readonly source?: string;
  readonly tests: readonly { readonly id: string; readonly name: string }[];
}

export interface MutationReport {
  readonly schemaVersion: string;
  readonly files: Readonly<Record<string, FileResult>>;
  readonly testFiles?: Readonly<Record<string, TestFile>>;
  readonly [key: string]: unknown;
}

/** Reads a Stryker JSON report, checking the little of its shape that the summary relies on. */
export function readReport(path: string): MutationReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new MutationFileInvalidError(`${path} is not a readable JSON report`, { cause });
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as { files?: unknown }).files !== 'object' ||
    (parsed as { files?: unknown }).files === null
  ) {
    throw new MutationFileInvalidError(`${path} is not a Stryker JSON report (no "files")`);
  }
  return parsed as MutationReport;
}

/** The committed report if there is one, else an empty report. */
export function readReportIfAny(path: string): MutationReport {
  return existsSync(path) ? readReport(path) : { schemaVersion: '2', files: {}, testFiles: {} };
}

/**
 * The committed report after a run: the run's files replace the same files of the old report, files that no
 * longer exist (`exists` says no) are dropped, and the run's test files replace the same test files.
 * Stryker numbers tests afresh in every run ("0", "1", …), so the run's test ids are rewritten to
 * `<test file>#<test name>` first: the mutants kept from earlier runs then still point at the right tests.
 */
export function mergeReports(
  previous: MutationReport,
  run: MutationReport,
  exists: (path: string) => boolean,
): MutationReport {
  const stable = stableTestIds(run);
  const rename = (ids: readonly string[] | undefined) => ids?.map((id) => stable.ids.get(id) ?? id);
  const files: Record<string, FileResult> = {};
  for (const [path, file] of Object.entries(previous.files)) if (exists(path)) files[path] = file;
  for (const [path, file] of Object.entries(run.files)) {
    files[path] = {
      ...file,
      mutants: file.mutants.map((mutant) => ({
        ...mutant,
        ...(mutant.coveredBy ? { coveredBy: rename(mutant.coveredBy) } : {}),
        ...(mutant.killedBy ? { killedBy: rename(mutant.killedBy) } : {}),
      })),
    };
  }
  const testFiles: Record<string, TestFile> = {};
  for (const [path, file] of Object.entries(previous.testFiles ?? {}))
    if (exists(path)) testFiles[path] = file;
  for (const [path, file] of Object.entries(stable.testFiles)) testFiles[path] = file;
  // The absolute path of the checkout that ran Stryker means nothing to anyone else.
  const { projectRoot: _machineSpecific, ...rest } = run;
  return { ...rest, files: sortKeys(files), testFiles: sortKeys(testFiles) };
}

/**
 * The report without the surviving and uncovered mutants of `paths`, so that Stryker tests them again.
 * Stryker's incremental mode reuses a mutant's result while the mutant's own code and the tests covering it
 * are unchanged; it does not see a change elsewhere in the file (a new check, a new call) that a covering
 * test now notices. A survivor it reuses may be killed today: `npm run test:mutation -- <files>
 * --retest-survivors` runs those again (the killed ones are still reused).
 *
 * @example withoutSurvivors(readReport('mutation/.stryker-incremental.json'), ['packages/core/src/actions/notify.ts'])
 */
export function withoutSurvivors(report: MutationReport, paths: readonly string[]): MutationReport {
  const files: Record<string, FileResult> = { ...report.files };
  for (const path of paths) {
    const file = files[path];
    if (file === undefined) continue;
    files[path] = {
      ...file,
      mutants: file.mutants.filter(
        (mutant) => mutant.status !== 'Survived' && mutant.status !== 'NoCoverage',
      ),
    };
  }
  return { ...report, files };
}

/**
 * Stryker's incremental file after a run — complete, or cut short (Stryker saves what it tested when it is
 * stopped) — folded into the cache of every mutant result so far: a later run starts from all of them.
 * A file whose source changed keeps only the new results; otherwise results are merged mutant by mutant
 * (the same mutator, place and replacement), the newer winning. Test ids are made stable first.
 */
export function mergeIntoCache(cache: MutationReport, incremental: MutationReport): MutationReport {
  const run = mergeReports(
    { schemaVersion: incremental.schemaVersion, files: {}, testFiles: {} },
    incremental,
    () => true,
  );
  const files: Record<string, FileResult> = { ...cache.files };
  for (const [path, file] of Object.entries(run.files)) {
    const old = cache.files[path];
    if (old === undefined || old.source !== file.source) {
      files[path] = file;
      continue;
    }
    const byKey = new Map(old.mutants.map((mutant) => [mutantKey(mutant), mutant]));
    for (const mutant of file.mutants) byKey.set(mutantKey(mutant), mutant);
    files[path] = { ...file, mutants: [...byKey.values()] };
  }
  return {
    ...run,
    files: sortKeys(files),
    testFiles: sortKeys({ ...(cache.testFiles ?? {}), ...(run.testFiles ?? {}) }),
  };
}

function mutantKey(mutant: MutantResult): string {
  const { start, end } = mutant.location;
  return `${mutant.mutatorName}@${start.line}:${start.column}-${end.line}:${end.column}=${mutant.replacement ?? ''}`;
}

/**
 * A test's id in the committed report: 12 hex digits of the sha256 of `<test file>#<test name>`. Stable across
 * runs like the name itself, and short: every mutant lists the tests that cover it, and long names made the
 * report ten times larger.
 */
export function shortTestId(fileAndName: string): string {
  return createHash('sha256').update(fileAndName, 'utf8').digest('hex').slice(0, 12);
}

function stableTestIds(run: MutationReport): {
  ids: Map<string, string>;
  testFiles: Record<string, TestFile>;
} {
  const ids = new Map<string, string>();
  const testFiles: Record<string, TestFile> = {};
  for (const [path, file] of Object.entries(run.testFiles ?? {})) {
    const seen = new Set<string>();
    const tests = file.tests.map((test) => {
      let name = `${path}#${test.name}`;
      // Two tests of one file may share a name (test.each without a placeholder): number the later ones.
      for (let n = 2; seen.has(name); n += 1) name = `${path}#${test.name} (${n})`;
      seen.add(name);
      const id = shortTestId(name);
      ids.set(test.id, id);
      return { ...test, id };
    });
    testFiles[path] = { ...file, tests };
  }
  return { ids, testFiles };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Writes the report one mutant per line: a re-run changes the lines of the mutants that changed, not one
 * multi-megabyte line, so the committed file diffs like source.
 */
export function writeReport(path: string, report: MutationReport): void {
  const { files, testFiles, ...rest } = report;
  const lines: string[] = ['{'];
  for (const [key, value] of Object.entries(rest))
    lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  lines.push('  "files": {');
  const fileEntries = Object.entries(files);
  fileEntries.forEach(([name, file], index) => {
    lines.push(`    ${JSON.stringify(name)}: {`);
    lines.push(`      "language": ${JSON.stringify(file.language)},`);
    lines.push(`      "source": ${JSON.stringify(file.source)},`);
    lines.push('      "mutants": [');
    file.mutants.forEach((mutant, i) => {
      lines.push(`        ${JSON.stringify(mutant)}${i < file.mutants.length - 1 ? ',' : ''}`);
    });
    lines.push('      ]');
    lines.push(`    }${index < fileEntries.length - 1 ? ',' : ''}`);
  });
  lines.push('  },');
  lines.push('  "testFiles": {');
  const testEntries = Object.entries(testFiles ?? {});
  testEntries.forEach(([name, file], index) => {
    lines.push(
      `    ${JSON.stringify(name)}: ${JSON.stringify(file)}${index < testEntries.length - 1 ? ',' : ''}`,
    );
  });
  lines.push('  }');
  lines.push('}');
  writeFileSync(path, `${lines.join('\n')}\n`);
}
