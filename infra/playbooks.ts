/**
 * One Standard state machine per playbook, from core's JSONPath ASL with the deployed function ARNs, logging to
 * CloudWatch Logs with X-Ray tracing, and one role that may invoke exactly the functions the playbooks call.
 */

import { PLAYBOOK_IDS, type PlaybookId } from '@cordon/core/playbooks/ids';
import {
  allStates,
  type Branch,
  buildPlaybook,
  type FunctionKey,
  LOCAL_FUNCTION_ARN,
} from '@cordon/core/playbooks/index';
import type { DeployConfig } from './config.ts';
import type { DeployedFunction } from './lambda.ts';
import { serviceTrustPolicy } from './lambda.ts';
import type { TemplateValues } from './permissions.ts';

export interface Playbooks {
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly stateMachines: Readonly<Record<PlaybookId, aws.sfn.StateMachine>>;
}

/** The function a playbook key runs: failure reports go to the notify function. */
export function functionIdOf(key: FunctionKey): string {
  return key === 'report-failure' ? 'notify' : key;
}

/** Every Lambda ARN a definition calls: Task resources, and `FunctionName` of `lambda:invoke` integrations. */
export function invokedFunctionArns(definition: Branch): string[] {
  const arns = new Set<string>();
  for (const { state } of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    if (state.Resource.startsWith('arn:aws:lambda:')) arns.add(state.Resource);
    const name = (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName;
    if (typeof name === 'string') arns.add(name);
  }
  return [...arns].sort();
}

/** The ASL of a playbook with real ARNs. */
export function playbookDefinition(id: PlaybookId, arns: Readonly<Record<string, string>>): Branch {
  return buildPlaybook(id, {
    functionArn: (key) => {
      const arn = arns[functionIdOf(key)];
      if (arn === undefined) throw new Error(`Playbook ${id} calls ${key}, which has no function`);
      return arn;
    },
  });
}

/** What Step Functions needs to deliver logs to CloudWatch Logs (AWS's documented list; no resource-level support). */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
] as const;

export const TRACING_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
] as const;

export function playbooksPolicy(functionArns: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'InvokeCordonFunctions',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [...functionArns],
      },
      { Sid: 'DeliverLogs', Effect: 'Allow', Action: [...LOG_DELIVERY_ACTIONS], Resource: ['*'] },
      { Sid: 'WriteTraces', Effect: 'Allow', Action: [...TRACING_ACTIONS], Resource: ['*'] },
    ],
  });
}

/**
 * The functions the playbooks call, read from the definitions themselves (the failure report included): a
 * step id that no playbook runs, such as the parts `contain-instance` runs in one step, needs no function.
 */
export const PLAYBOOK_FUNCTION_IDS: readonly string[] = (() => {
  const called = new Set<string>();
  for (const id of PLAYBOOK_IDS) {
    buildPlaybook(id, {
      functionArn: (key) => {
        called.add(functionIdOf(key));
        return LOCAL_FUNCTION_ARN(key);
      },
    });
  }
  return [...called].sort();
})();

export function createPlaybooks(
  config: DeployConfig,
  values: $util.Output<TemplateValues>,
  functions: Readonly<Record<string, DeployedFunction>>,
): Playbooks {
  const arns = $util.all(
    Object.fromEntries(
      PLAYBOOK_FUNCTION_IDS.map((id) => {
        const deployed = functions[id];
        if (deployed === undefined) throw new Error(`No function ${id} for the playbooks`);
        return [id, deployed.arn];
      }),
    ),
  );
  const logGroup = new aws.cloudwatch.LogGroup('PlaybooksLogGroup', {
    name: `/aws/vendedlogs/states/${config.prefix}-playbooks`,
    retentionInDays: 365,
  });
  const role = new aws.iam.Role('PlaybooksRole', {
    name: `${config.prefix}-playbooks`,
    assumeRolePolicy: values.apply((resolved) =>
      serviceTrustPolicy('states.amazonaws.com', resolved.account),
    ),
  });
  const policy = new aws.iam.RolePolicy('PlaybooksPolicy', {
    name: 'cordon',
    role: role.name,
    policy: arns.apply((resolved) =>
      playbooksPolicy(
        [
          ...new Set(PLAYBOOK_IDS.flatMap((id) => invokedFunctionArns(playbookDefinition(id, resolved)))),
        ].sort(),
      ),
    ),
  });
  const stateMachines = Object.fromEntries(
    PLAYBOOK_IDS.map((id) => [
      id,
      new aws.sfn.StateMachine(
        `Playbook${id.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase())}`,
        {
          name: `${config.prefix}-${id}`,
          type: 'STANDARD',
          roleArn: role.arn,
          definition: arns.apply((resolved) => JSON.stringify(playbookDefinition(id, resolved))),
          loggingConfiguration: {
            logDestination: $util.interpolate`${logGroup.arn}:*`,
            includeExecutionData: true,
            level: 'ALL',
          },
          tracingConfiguration: { enabled: true },
        },
        { dependsOn: [policy] },
      ),
    ]),
  ) as Record<PlaybookId, aws.sfn.StateMachine>; // fromEntries loses the key type; every PlaybookId is an entry
  return { role, logGroup, stateMachines };
}
