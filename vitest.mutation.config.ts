import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The base config's shared options without its projects: a config with projects ignores its own `include`.
const { projects: _projects, ...shared } = base.test ?? {};

// The tests Stryker runs against each mutant: the unit and sandbox tests of the target folders
// (packages/core/test/{policy,triage,approval,intake,ledger,actions}). A mutant in a target file must be caught
// by the tests of its own area, not by a playbook-engine, handler, browser, infra or end-to-end test that
// happens to pass through the line; those are also the slowest tests (playbooks/build.test.ts alone takes
// 20 s), and perTest coverage would run them again for every mutant they touch. See docs/mutation.md.
// (Not mergeConfig: it concatenates arrays, and `include` must replace the base list.)
export default defineConfig({
  test: {
    ...shared,
    include: ['packages/core/test/{policy,triage,approval,intake,ledger,actions}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/*.browser.test.ts'],
    // Instrumented code runs slower: the property tests (10,000 events) need more than the usual 20 s.
    testTimeout: 120_000,
    // Test files stay isolated. `isolate: false` was tried for speed (not measured reliably on the loaded
    // machine): a class-wide aws-sdk-client-mock in one test file then answered another file's clients, and
    // any such leak would make a mutant's result depend on which tests ran before it.
    reporters: ['default'],
    outputFile: undefined,
  },
});
