import base from './stryker.config.mjs';
export default {
  ...base,
  mutate: [
    'packages/core/src/policy/**/*.ts',
    'packages/core/src/triage/**/*.ts',
    'packages/core/src/approval/**/*.ts',
    '!packages/core/src/approval/links.ts',
    'packages/core/src/actions/{isolate-instance,notify,catalog,actions-doc,errors,run-action,types}.ts',
  ],
  incrementalFile: 'mutation/.stryker-wave2-incremental.json',
  jsonReporter: { fileName: 'mutation/.stryker-wave2.json' },
  tempDirName: '.stryker-tmp-2',
  ignorePatterns: [...base.ignorePatterns, '.stryker-tmp'],
};
