import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Cordon's tests, as vitest projects, so that a change runs the part it touches
 * (`npx vitest run --project unit`; docs/contributing.md, "Running the tests"). Every test file belongs to
 * exactly one project (test/vitest-projects.test.ts checks it):
 *
 * - `unit`: packages' tests against mocks and in-memory fakes, and the repository's own conformance tests.
 * - `sandbox`: actions against the sandbox account (`*.sandbox.test.ts`) and the sandbox account's models.
 * - `browser`: the approval page in headless Chromium (`*.browser.test.ts`; skipped, and said so, without it).
 * - `scenarios`: real events end to end — triage, the playbook's ASL in the local engine, the sandbox.
 * - `infra`: the SST program under Pulumi mocks; needs `.sst/platform` (`npm run sst:install`), so `npm test`
 *   leaves it to `npm run test:infra`, as CI does.
 */
export const PROJECT_FILES = {
  unit: {
    include: ['packages/*/test/**/*.test.ts', 'test/*.test.ts'],
    exclude: ['**/*.sandbox.test.ts', '**/*.browser.test.ts', 'packages/local/test/sandbox/**'],
  },
  sandbox: {
    include: ['packages/*/test/**/*.sandbox.test.ts', 'packages/local/test/sandbox/**/*.test.ts'],
    exclude: ['**/*.browser.test.ts'],
  },
  browser: { include: ['packages/*/test/**/*.browser.test.ts'], exclude: [] },
  scenarios: { include: ['test/scenarios/**/*.test.ts'], exclude: [] },
  infra: { include: ['infra/test/**/*.test.ts'], exclude: [] },
} as const satisfies Record<string, { include: readonly string[]; exclude: readonly string[] }>;

export type ProjectName = keyof typeof PROJECT_FILES;

function files(name: ProjectName): { include: string[]; exclude: string[] } {
  return {
    include: [...PROJECT_FILES[name].include],
    exclude: [...configDefaults.exclude, ...PROJECT_FILES[name].exclude],
  };
}

// CI sets VITEST_JSON_REPORT to a path: the JSON report is where .ci/run reads its closing line from.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    // What every project inherits (`extends: true`).
    setupFiles: ['./vitest.setup.ts'],
    environment: 'node',
    pool: 'threads',
    testTimeout: 20_000,
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
    projects: [
      { extends: true, test: { name: 'unit', ...files('unit') } },
      { extends: true, test: { name: 'sandbox', ...files('sandbox') } },
      { extends: true, test: { name: 'browser', ...files('browser') } },
      { extends: true, test: { name: 'scenarios', ...files('scenarios') } },
      {
        extends: true,
        test: {
          name: 'infra',
          ...files('infra'),
          // Refuses to start, naming the fix, when `.sst/platform` is missing.
          globalSetup: ['./vitest.infra.setup.ts'],
          // Pulumi's mock runtime is process-wide state: one process per test file.
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
