// npm run test:mutation [-- <file or glob> … <stryker flags>] — run Stryker (incremental) on the target files or
// the ones given, merge the result into mutation/report.json, regenerate mutation/summary.json and
// docs/mutation.md. See docs/mutation.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, globSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MutationRunFailedError } from './errors.ts';
import { regenerate } from './generate.ts';
import { at, PATHS, ROOT } from './paths.ts';
import {
  type MutationReport,
  mergeIntoCache,
  mergeReports,
  readReport,
  readReportIfAny,
  withoutSurvivors,
  writeReport,
} from './report.ts';
import { listTargets, SCORE_THRESHOLD } from './targets.ts';

// `--retest-survivors` is Cordon's, not Stryker's: see withoutSurvivors.
const RETEST_SURVIVORS = '--retest-survivors';
const retestSurvivors = process.argv.includes(RETEST_SURVIVORS);
const args = process.argv.slice(2).filter((arg) => arg !== RETEST_SURVIVORS);
// Everything from the first flag on goes to Stryker as is; what comes before are files or globs to mutate.
const firstFlag = args.findIndex((arg) => arg.startsWith('-'));
const files = firstFlag === -1 ? args : args.slice(0, firstFlag);
const strykerFlags = firstFlag === -1 ? [] : args.slice(firstFlag);

// Stryker reads and rewrites its incremental file. It starts from the cache of every result so far (the
// committed report, and what earlier runs tested, even runs that were stopped), and what it writes back is
// folded into that cache whatever happens: a long run may be stopped and started again without losing work.
// Only a run that completes changes the committed report.
rmSync(at(PATHS.run), { force: true });
rmSync(at(PATHS.incremental), { force: true });
if (!existsSync(at(PATHS.cache)) && existsSync(at(PATHS.report)))
  copyFileSync(at(PATHS.report), at(PATHS.cache));
if (existsSync(at(PATHS.cache))) copyFileSync(at(PATHS.cache), at(PATHS.incremental));
// The files named (or every target): their globs resolved now, to drop their survivors before Stryker starts.
const ran =
  files.length === 0
    ? listTargets(ROOT)
    : [...new Set(files.flatMap((pattern) => globSync(pattern, { cwd: ROOT })))].sort();
if (retestSurvivors && existsSync(at(PATHS.incremental))) {
  writeReport(at(PATHS.incremental), withoutSurvivors(readReport(at(PATHS.incremental)), ran));
}
const keep = () => {
  if (!existsSync(at(PATHS.incremental))) return;
  writeReport(
    at(PATHS.cache),
    mergeIntoCache(readReportIfAny(at(PATHS.cache)), readReport(at(PATHS.incremental))),
  );
};
// Ctrl-C reaches Stryker too (same process group); wait for it to save, then keep what it tested.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

const stryker = join(ROOT, 'node_modules', '.bin', 'stryker');
const result = spawnSync(
  stryker,
  ['run', ...(files.length > 0 ? ['--mutate', files.join(',')] : []), ...strykerFlags],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
keep();
if (!existsSync(at(PATHS.run))) {
  throw new MutationRunFailedError(
    `Stryker wrote no report (exit ${result.status ?? result.signal}): nothing was merged`,
  );
}

// Stryker's report also lists the files of its incremental file that it did not mutate this time, with
// their old (possibly partial) results: only the files this run mutated are taken.
const runReport = readReport(at(PATHS.run));
const mutated: MutationReport = {
  ...runReport,
  files: Object.fromEntries(Object.entries(runReport.files).filter(([path]) => ran.includes(path))),
};
const merged = mergeReports(readReportIfAny(at(PATHS.report)), mutated, (path) =>
  existsSync(join(ROOT, path)),
);
// Kept first: if the summary cannot be made (a stale equivalent entry), the run's results are not lost.
writeReport(at(PATHS.report), merged);
const summary = regenerate(merged);
console.log(`\nmerged ${ran.length} file(s) into ${PATHS.report}; wrote ${PATHS.summary} and ${PATHS.doc}`);
for (const file of ran) {
  const score = summary.files[file]?.score;
  const mark = score === null || score === undefined ? '—' : score >= SCORE_THRESHOLD ? 'ok' : 'UNDER';
  console.log(`  ${mark.padEnd(5)} ${score ?? '—'} %  ${file}`);
}
process.exitCode = result.status ?? 1;
