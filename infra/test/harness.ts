/**
 * Runs `deployCordon` under Pulumi mocks, offline: the platform's own @pulumi/pulumi and @pulumi/aws (from
 * `.sst/platform`, installed by scripts/sst-install-offline.sh), SST's globals set by hand, and a stand-in
 * for `sst.aws.Function` (which needs the SST CLI to bundle). Every resource registered is recorded with its
 * resolved inputs, which is what the tests assert on.
 */
import * as pulumiAws from '../../.sst/platform/node_modules/@pulumi/aws/index.js';
import * as pulumi from '../../.sst/platform/node_modules/@pulumi/pulumi/index.js';
import type { DeployConfig } from '../config.ts';
import type { Cordon } from '../index.ts';
import { type FunctionFactory, LAMBDA_RUNTIME } from '../lambda.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

const SERVICE_OF: Readonly<Record<string, (name: string) => string>> = {
  'aws:iam/role:Role': (name) => `arn:aws:iam::${ACCOUNT}:role/${name}`,
  'aws:lambda/function:Function': (name) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
  'aws:sfn/stateMachine:StateMachine': (name) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`,
  'aws:sns/topic:Topic': (name) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`,
  'aws:sqs/queue:Queue': (name) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
  'aws:dynamodb/table:Table': (name) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
  'aws:kms/key:Key': () => `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
  'aws:cloudwatch/logGroup:LogGroup': (name) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`,
  'aws:cloudwatch/eventRule:EventRule': (name) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`,
  'aws:cloudwatch/eventBus:EventBus': (name) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`,
  'aws:cloudwatch/metricAlarm:MetricAlarm': (name) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
};

/** A rule on a custom bus has the bus in its ARN: `rule/<bus>/<rule>` (the default bus's rules: `rule/<rule>`). */
function arnOf(type: string, physical: string, inputs: Record<string, unknown>): string {
  const bus = inputs.eventBusName;
  if (type === 'aws:cloudwatch/eventRule:EventRule' && typeof bus === 'string' && bus !== 'default') {
    return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${bus}/${physical}`;
  }
  return SERVICE_OF[type]?.(physical) ?? `arn:aws:mock:${REGION}:${ACCOUNT}:${physical}`;
}

// Pulumi's wire format for a secret value (SSM parameter values are secrets in @pulumi/aws).
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** The inputs with secrets unwrapped: the tests look at values, not at their secrecy. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (SECRET_SIG in record && 'value' in record) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, unwrapSecrets(inner)]));
}

function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = typeof inputs.name === 'string' ? inputs.name : name;
  const arn = arnOf(type, physical, inputs);
  return {
    ...inputs,
    name: physical,
    arn,
    ...(type === 'aws:sqs/queue:Queue'
      ? { url: `https://sqs.${REGION}.example/${ACCOUNT}/${physical}` }
      : {}),
    ...(type === 'aws:kms/key:Key' ? { keyId: '00000000-0000-0000-0000-000000000000' } : {}),
    ...(type === 'aws:lambda/functionUrl:FunctionUrl'
      ? { functionUrl: `https://${physical}.lambda-url.example/` }
      : {}),
  };
}

/** The test's `sst.aws.Function`: a plain Lambda function with the same name, role, handler, env and tracing. */
const mockFunction: FunctionFactory = ({ spec, name, roleArn, environment, dependsOn }) => {
  const fn = new pulumiAws.lambda.Function(
    spec.id,
    {
      name,
      role: roleArn,
      handler: spec.handler,
      runtime: LAMBDA_RUNTIME,
      environment: { variables: environment },
      timeout: spec.timeoutSeconds,
      memorySize: spec.memoryMb,
      tracingConfig: { mode: 'Active' },
    },
    { dependsOn },
  );
  if (!spec.url) return { arn: fn.arn, name: fn.name };
  const url = new pulumiAws.lambda.FunctionUrl(`${spec.id}-url`, {
    functionName: fn.name,
    authorizationType: 'NONE',
  });
  return { arn: fn.arn, name: fn.name, url: url.functionUrl };
};

/** The value of an Output, once the mocks have resolved it. */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply(done));
}

async function settle(recorded: readonly RecordedResource[]): Promise<void> {
  let previous = -1;
  let stable = 0;
  while (stable < 5) {
    await new Promise((done) => setTimeout(done, 10));
    stable = recorded.length === previous ? stable + 1 : 0;
    previous = recorded.length;
  }
}

export interface Deployment {
  readonly cordon: Cordon;
  readonly resources: readonly RecordedResource[];
  ofType(type: string): RecordedResource[];
  named(type: string, name: string): RecordedResource;
}

/**
 * Deploys Cordon under mocks, once per test file (Pulumi's runtime settings are per process), with the
 * stand-in function factory unless told otherwise.
 */
export async function deployUnderMocks(
  config: DeployConfig,
  factory: FunctionFactory = mockFunction,
): Promise<Deployment> {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: unwrapSecrets(args.inputs) as Record<string, unknown>,
        });
        return {
          id: `${args.name}-id`,
          state: mockState(args.type, args.name, args.inputs as Record<string, unknown>),
        };
      },
      call: (args) => {
        if (args.token === 'aws:index/getCallerIdentity:getCallerIdentity') {
          return {
            accountId: ACCOUNT,
            arn: `arn:aws:iam::${ACCOUNT}:user/test`,
            userId: 'test',
            id: ACCOUNT,
          };
        }
        if (args.token === 'aws:index/getRegion:getRegion')
          return { name: REGION, region: REGION, id: REGION };
        return args.inputs;
      },
    },
    'cordon',
    config.stage,
    false,
  );
  // SST's globals, as its esbuild shim provides them at deploy time. globalThis has no index signature for them.
  const globals = globalThis as unknown as Record<string, unknown>;
  globals.aws = pulumiAws;
  globals.$util = pulumi;
  globals.$app = { name: 'cordon', stage: config.stage, removal: 'remove', protect: false, providers: {} };

  const { deployCordon } = await import('../index.ts');
  const cordon = deployCordon(config, factory);
  await resolve(pulumi.all(Object.values(cordon.playbooks.stateMachines).map((machine) => machine.arn)));
  await settle(recorded);
  return {
    cordon,
    resources: recorded,
    ofType: (type) => recorded.filter((resource) => resource.type === type),
    named: (type, name) => {
      const found = recorded.find((resource) => resource.type === type && resource.inputs.name === name);
      if (found === undefined) throw new Error(`No ${type} named ${name}`);
      return found;
    },
  };
}

export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function statementsOf(policy: unknown): IamStatement[] {
  const document = JSON.parse(String(policy)) as { Statement: IamStatement[] };
  return document.Statement;
}

export function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
