import { relative } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Cordon's tests, as vitest projects, so that a change runs the part it touches
 * (`npx vitest run --project unit`; docs/contributing.md, "Running the tests"). Every test file belongs to
 * exactly one project (test/vitest-projects.test.ts checks it):
 *
 * - `unit`: packages' tests against mocks and in-memory fakes, and the repository's own tests under `test/`
 *   (its conformance and mutation-report tests) but the scenarios.
 * - `sandbox`: actions against the sandbox account (`*.sandbox.test.ts`) and the sandbox account's models.
 * - `browser`: the approval page in headless Chromium (`*.browser.test.ts`; skipped, and said so, without it).
 * - `scenarios`: real events end to end — triage, the playbook's ASL in the local engine, the sandbox.
 * - `infra`: the SST program under Pulumi mocks; needs `.sst/platform` (`npm run sst:install`), so `npm test`
 *   leaves it to `npm run test:infra`, as CI does.
 */
export const PROJECT_FILES = {
  unit: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [
      '**/*.sandbox.test.ts',
      '**/*.browser.test.ts',
      'packages/local/test/sandbox/**',
      'test/scenarios/**',
    ],
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

/**
 * vitest's default order runs the projects one after the other (by name), each longest file first; on this
 * suite that was 17 % slower in wall clock than a single project (docs/contributing.md, "How long"). This
 * order is the one a single project had — failed first, then longest first (by last duration, else by size),
 * whatever the project — so that splitting the suite into projects does not make `npm test` slower.
 */
class LongestFirstSequencer extends BaseSequencer {
  public override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const key = (spec: TestSpecification) => `${spec.project.name}:${relative(config.root, spec.moduleId)}`;
    return [...files].sort((a, b) => {
      const groupOrder = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (groupOrder !== 0) return groupOrder;
      const aResults = cache.getFileTestResults(key(a));
      const bResults = cache.getFileTestResults(key(b));
      if (aResults === undefined || bResults === undefined) {
        const aSize = cache.getFileStats(key(a))?.size;
        const bSize = cache.getFileStats(key(b))?.size;
        // Never run: first (its duration is unknown).
        if (aSize === undefined || bSize === undefined)
          return (aSize === undefined ? -1 : 0) + (bSize === undefined ? 1 : 0);
        return bSize - aSize;
      }
      if (aResults.failed !== bResults.failed) return aResults.failed ? -1 : 1;
      return bResults.duration - aResults.duration;
    });
  }
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
    sequence: { sequencer: LongestFirstSequencer },
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
