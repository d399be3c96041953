/**
 * The deploy-time half of `lambda.ts`: each spec becomes an `sst.aws.Function` (SST bundles the handler with
 * esbuild) with Cordon's own role, so SST adds no permission of its own (no `link`, no generated role).
 * `sst.aws.Function` needs the SST CLI to bundle, which Pulumi mocks do not provide: the infra tests run this
 * factory against a recording stand-in for it (infra/test/sst-function.test.ts).
 */
import { type FunctionFactory, LAMBDA_RUNTIME, NODEJS_BUNDLING, pascal } from './lambda.ts';

export const sstFunction: FunctionFactory = ({ spec, name, roleArn, environment, dependsOn }) => {
  const fn = new sst.aws.Function(
    pascal(spec.id),
    {
      name,
      description: spec.description,
      handler: spec.handler,
      role: roleArn,
      environment,
      timeout: `${spec.timeoutSeconds} seconds`,
      memory: `${spec.memoryMb} MB`,
      runtime: LAMBDA_RUNTIME,
      architecture: 'arm64',
      logging: { format: 'json', retention: '1 year' },
      // auth NONE on purpose: the approval API checks link and Slack signatures itself (docs/deploy.md).
      ...(spec.url ? { url: { authorization: 'none' as const, cors: false } } : {}),
      nodejs: NODEJS_BUNDLING,
      transform: {
        function: (args) => {
          args.tracingConfig = { mode: 'Active' };
        },
      },
    },
    { dependsOn },
  );
  return { arn: fn.arn, name: fn.name, ...(spec.url ? { url: fn.url } : {}) };
};
