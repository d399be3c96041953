// npm run test:mutation [-- <file or glob> … <stryker flags>] — run Stryker (incremental) on the target files or
// the ones given, merge the result into mutation/report.json, regenerate mutation/summary.json and
// docs/mutation.md. See docs/mutation.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MutationRunFailedError } from './errors.ts';
import { regenerate } from './generate.ts';
import { at, PATHS, ROOT } from './paths.ts';
import { mergeReports, readReport, readReportIfAny } from './report.ts';
import { SCORE_THRESHOLD } from './targets.ts';

const args = process.argv.slice(2);
// Everything from the first flag on goes to Stryker as is; what comes before are files or globs to mutate.
const firstFlag = args.findIndex((arg) => arg.startsWith('-'));
const files = firstFlag === -1 ? args : args.slice(0, firstFlag);
const strykerFlags = firstFlag === -1 ? [] : args.slice(firstFlag);

// Stryker reads and rewrites its incremental file; it gets a copy of the committed report, so a run that
// fails half-way leaves the committed report as it was.
rmSync(at(PATHS.run), { force: true });
if (existsSync(at(PATHS.report))) copyFileSync(at(PATHS.report), at(PATHS.incremental));

const stryker = join(ROOT, 'node_modules', '.bin', 'stryker');
const result = spawnSync(
  stryker,
  ['run', ...(files.length > 0 ? ['--mutate', files.join(',')] : []), ...strykerFlags],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
if (!existsSync(at(PATHS.run))) {
  throw new MutationRunFailedError(
    `Stryker wrote no report (exit ${result.status ?? result.signal}): nothing was merged`,
  );
}

const merged = mergeReports(readReportIfAny(at(PATHS.report)), readReport(at(PATHS.run)), (path) =>
  existsSync(join(ROOT, path)),
);
const summary = regenerate(merged);
const ran = Object.keys(readReport(at(PATHS.run)).files);
console.log(`\nmerged ${ran.length} file(s) into ${PATHS.report}; wrote ${PATHS.summary} and ${PATHS.doc}`);
for (const file of ran) {
  const score = summary.files[file]?.score;
  const mark = score === null || score === undefined ? '—' : score >= SCORE_THRESHOLD ? 'ok' : 'UNDER';
  console.log(`  ${mark.padEnd(5)} ${score ?? '—'} %  ${file}`);
}
process.exitCode = result.status ?? 1;
