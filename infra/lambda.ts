/**
 * Turns a {@link FunctionSpec} into AWS resources. The role and its inline policy are plain Pulumi resources
 * (tested under mocks); the function itself comes from a {@link FunctionFactory}: `sst.aws.Function` at deploy
 * time (see `sst-function.ts`), a stand-in in the tests, because SST's Function calls back into the CLI to bundle.
 */
import type { DeployConfig } from './config.ts';
import type { FunctionSpec } from './functions.ts';
import { policyDocument, resolveTemplate, type TemplateValues } from './permissions.ts';

export interface FunctionDeployment {
  readonly spec: FunctionSpec;
  /** Physical name: `cordon-<stage>-<id>`. */
  readonly name: string;
  readonly roleArn: $util.Output<string>;
  readonly environment: $util.Output<Record<string, string>>;
  /** Create the function after these (its role policy, above all). */
  readonly dependsOn: $util.Resource[];
}

export interface DeployedFunction {
  readonly arn: $util.Output<string>;
  readonly name: $util.Output<string>;
  /** The function URL, for specs with `url: true`. */
  readonly url?: $util.Output<string>;
}

export type FunctionFactory = (deployment: FunctionDeployment) => DeployedFunction;

/**
 * The Lambda runtime of every function: Node.js 24, the current LTS that Lambda supports (AWS Lambda
 * Developer Guide, "Lambda runtimes": nodejs24.x, supported until 2028-04-30; nodejs20.x is deprecated). Named
 * here rather than left to SST's default, so that what runs is what the tests run on (`engines` in
 * package.json, scripts/node-runtime.sh in CI). https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const LAMBDA_RUNTIME = 'nodejs24.x';

/** esbuild's target for that runtime (the cold-start bench and the bundling tests build with it too). */
export const NODE_TARGET = 'node24';

/**
 * How SST bundles every handler: ESM, minified, with a source map, and Cordon's esbuild plugins
 * (`packages/functions/bundling/plugins.mjs`, which the cold-start bench builds with too; they let esbuild
 * drop the AWS SDK schemas a handler does not use). SST resolves `plugins` against the directory its CLI runs
 * in, the repository root beside `sst.config.ts`, and imports it with plain `node`: a JavaScript file.
 */
export const NODEJS_BUNDLING = {
  format: 'esm',
  minify: true,
  sourcemap: true,
  plugins: 'packages/functions/bundling/plugins.mjs',
  // SST's own default target is esnext; the bundle is for the runtime below, and says so.
  esbuild: { target: NODE_TARGET },
} as const;

/** A trust policy for an AWS service, limited to this account (confused-deputy protection). */
export function serviceTrustPolicy(service: string, account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  });
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}

export interface FunctionRole {
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
}

/** The function's own role (named like the function) with exactly its statements as one inline policy. */
export function createFunctionRole(
  spec: FunctionSpec,
  config: DeployConfig,
  values: $util.Output<TemplateValues>,
): FunctionRole {
  const logical = pascal(spec.id);
  const role = new aws.iam.Role(`${logical}Role`, {
    name: `${config.prefix}-${spec.id}`,
    description: `Cordon ${spec.kind} function ${spec.id}`,
    assumeRolePolicy: values.apply((resolved) =>
      serviceTrustPolicy('lambda.amazonaws.com', resolved.account),
    ),
    maxSessionDuration: 3600,
  });
  const policy = new aws.iam.RolePolicy(`${logical}Policy`, {
    name: 'cordon',
    role: role.name,
    policy: values.apply((resolved) => policyDocument(spec.statements, resolved)),
  });
  return { role, policy };
}

/** Resolves the spec's environment templates. */
export function functionEnvironment(
  spec: FunctionSpec,
  values: $util.Output<TemplateValues>,
): $util.Output<Record<string, string>> {
  return values.apply((resolved) =>
    Object.fromEntries(
      Object.entries(spec.environment).map(([key, template]) => [key, resolveTemplate(template, resolved)]),
    ),
  );
}

/** The template values plus the approval API's URL once it is deployed (`{approvalUrl}` fails before that). */
function withApprovalUrl(
  values: $util.Output<TemplateValues>,
  url: $util.Output<string> | undefined,
): $util.Output<TemplateValues> {
  if (url === undefined) return values;
  return $util.all([values, url]).apply(([resolved, approvalUrl]) => ({ ...resolved, approvalUrl }));
}

/** Role, policy and function for every spec, by id. */
export function deployFunctions(
  specs: readonly FunctionSpec[],
  config: DeployConfig,
  values: $util.Output<TemplateValues>,
  factory: FunctionFactory,
): { functions: Record<string, DeployedFunction>; roles: Record<string, FunctionRole> } {
  const functions: Record<string, DeployedFunction> = {};
  const roles: Record<string, FunctionRole> = {};
  let approvalUrl: $util.Output<string> | undefined;
  for (const spec of specs) {
    const role = createFunctionRole(spec, config, values);
    roles[spec.id] = role;
    const deployed = factory({
      spec,
      name: `${config.prefix}-${spec.id}`,
      roleArn: role.role.arn,
      environment: functionEnvironment(spec, withApprovalUrl(values, approvalUrl)),
      dependsOn: [role.policy],
    });
    if (spec.kind === 'approval-api') approvalUrl = deployed.url;
    functions[spec.id] = deployed;
  }
  return { functions, roles };
}

export { pascal };
