import { defineConfig } from 'vitest/config';

// CI sets VITEST_JSON_REPORT to a path: the JSON report is where .ci/run reads its closing line from.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    environment: 'node',
    pool: 'threads',
    testTimeout: 20_000,
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
  },
});
