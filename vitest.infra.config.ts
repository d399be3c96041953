import { defineConfig } from 'vitest/config';

// The infra tests: Cordon's Pulumi program under mocks, offline. They need `.sst/platform` (run
// scripts/sst-install-offline.sh first). CI sets VITEST_JSON_REPORT like for the unit tests.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['infra/test/**/*.test.ts'],
    environment: 'node',
    // Pulumi's mock runtime is process-wide state: one process per test file.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
  },
});
