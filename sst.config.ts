/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Cordon on AWS. This file only orders the infra modules and returns the outputs; each concern lives in
 * `infra/` (docs/deploy.md). Configuration comes from the stage and `CORDON_*` variables (infra/config.ts).
 */
export default $config({
  app(input) {
    return {
      name: 'cordon',
      home: 'aws',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      protect: input?.stage === 'production',
      providers: { aws: '7.20.0' },
    };
  },
  async run() {
    const { deployConfig } = await import('./infra/config.ts');
    const { deployCordon } = await import('./infra/index.ts');
    const { sstFunction } = await import('./infra/sst-function.ts');
    const cordon = deployCordon(deployConfig($app.stage, process.env), sstFunction);
    return cordon.outputs;
  },
});
