// StrykerJS: mutation testing of Cordon's security-critical core (issue 18). Run it with
// `npm run test:mutation [-- <files>]` (scripts/mutation/run.ts), which also merges the result into the
// committed report (mutation/report.json) and regenerates mutation/summary.json and docs/mutation.md.
// See docs/mutation.md for what is measured and why.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  // Only the tests that cover a mutant run for it.
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants, evaluated once at import) cannot be traced to the tests that read
  // them, so each would run every related test: on the first run that was 29 % of the mutants and an
  // estimated 79 % of the time. They are reported as ignored ("not run" in docs/mutation.md).
  ignoreStatic: true,
  // The targets (scripts/mutation/targets.ts lists the same folders for the CI check).
  mutate: [
    'packages/core/src/policy/**/*.ts',
    'packages/core/src/triage/**/*.ts',
    'packages/core/src/approval/**/*.ts',
    'packages/core/src/intake/**/*.ts',
    'packages/core/src/ledger/**/*.ts',
    'packages/core/src/actions/**/*.ts',
  ],
  // The sandbox copy needs the sources, the core tests, the docs they read and the configs; not infra or benchmarks.
  // infra/ except the two modules a core test reads (test/policy/own-principals.test.ts checks the functions' IAM
  // statements against the actions' own permissions): a directory left out whole could not be let in again.
  ignorePatterns: [
    'infra/**',
    '!infra/functions.ts',
    '!infra/permissions.ts',
    'bench',
    '.sst',
    '.artifacts',
    'coverage',
    'mutation',
    'dist',
    '.stryker-tmp*',
  ],
  // Incremental: scripts/mutation/run.ts writes this file before each run from the committed report and the
  // local cache of every earlier result (even of runs that were stopped), so a run re-tests only the mutants
  // whose code or covering tests changed. `npx stryker run` alone works too, from whatever the file holds.
  incremental: true,
  incrementalFile: 'mutation/.stryker-incremental.json',
  // Two cores shared by several engineers: one worker by default (`-- --concurrency 2` when the machine is
  // quiet).
  concurrency: 1,
  timeoutMS: 10_000,
  reporters: ['json', 'progress', 'clear-text'],
  jsonReporter: { fileName: 'mutation/.stryker-run.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
