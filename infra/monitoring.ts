/**
 * Nothing lost silently: where an event or an execution can fail, the failure lands somewhere durable and an
 * alarm tells Cordon's SNS topic.
 *
 * - **On-failure destination.** EventBridge rules and EventBridge Scheduler invoke Lambda asynchronously, and so
 *   does the poller when it hands findings to triage; Lambda retries a failing asynchronous invocation at most
 *   twice, keeps it at most six hours, and then discards it unless an on-failure destination is configured
 *   (Lambda Developer Guide, "Asynchronous invocation",
 *   https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html; "Using Lambda with EventBridge
 *   Scheduler": "EventBridge Scheduler invokes your Lambda function asynchronously",
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html). Triage and the poller get
 *   the maxima (2 retries, 6 hours) and an SQS queue as on-failure destination. Lambda sends the invocation
 *   record with the function's execution role, which therefore needs `sqs:SendMessage` on the queue (same
 *   page): a separate inline policy, `cordon-on-failure`, so that the functions' own policies
 *   (functions.ts) stay exactly what their code calls.
 * - **Alarms**, each notifying the topic: Lambda `Errors` of every function and `DestinationDeliveryFailures`
 *   of triage and the poller (a record that could not reach the queue is lost: "Types of metrics for Lambda
 *   functions", https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html); Step Functions
 *   `ExecutionsFailed`, `ExecutionsTimedOut` and `ExecutionsAborted` of every playbook (dimension
 *   `StateMachineArn`: "Monitoring Step Functions metrics using Amazon CloudWatch",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html); the depth of the
 *   on-failure queue (`ApproximateNumberOfMessagesVisible`, the events dead-letter queue has its own alarm in
 *   events.ts); and, per EventBridge rule, `InvocationsFailedToBeSentToDlq`, the one way an event can be lost
 *   after the rule matched it ("Monitoring Amazon EventBridge",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
 *
 * Each alarm fires on one occurrence within five minutes and treats missing data as not breaching: these
 * metrics are only published when something happens.
 */
import { PLAYBOOK_IDS } from '@cordon/core/playbooks/ids';
import type { DeployConfig } from './config.ts';
import type { DeployedRule } from './events.ts';
import { FUNCTIONS } from './functions.ts';
import type { DeployedFunction, FunctionRole } from './lambda.ts';
import { pascal } from './lambda.ts';

/** The functions whose asynchronous invocations end in the on-failure queue when they cannot be handled. */
export const ON_FAILURE_FUNCTION_IDS = ['triage', 'poller'] as const;

/** Lambda's maxima for asynchronous invocations: 2 retries, 6 hours in its queue (invocation-async.html). */
export const ASYNC_INVOKE = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 } as const;

/** How long failed events wait in the queues: SQS's maximum retention, 14 days. */
export const FAILED_EVENT_RETENTION_SECONDS = 14 * 24 * 3600;

export interface OnFailure {
  readonly queue: aws.sqs.Queue;
  readonly policies: aws.iam.RolePolicy[];
  readonly configs: aws.lambda.FunctionEventInvokeConfig[];
}

export function onFailureQueueName(prefix: string): string {
  return `${prefix}-on-failure`;
}

/** The inline policy that lets a function's role send its failed invocation records to the queue. */
export function onFailurePolicy(queueArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SendFailedInvocationRecords',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [queueArn],
      },
    ],
  });
}

export function createOnFailure(
  config: DeployConfig,
  functions: Readonly<Record<string, DeployedFunction>>,
  roles: Readonly<Record<string, FunctionRole>>,
): OnFailure {
  const queue = new aws.sqs.Queue('OnFailureQueue', {
    name: onFailureQueueName(config.prefix),
    messageRetentionSeconds: FAILED_EVENT_RETENTION_SECONDS,
    sqsManagedSseEnabled: true,
  });
  const policies: aws.iam.RolePolicy[] = [];
  const configs: aws.lambda.FunctionEventInvokeConfig[] = [];
  for (const id of ON_FAILURE_FUNCTION_IDS) {
    const deployed = functions[id];
    const role = roles[id];
    if (deployed === undefined || role === undefined)
      throw new Error(`No function ${id} for the on-failure queue`);
    const logical = pascal(id);
    const policy = new aws.iam.RolePolicy(`${logical}OnFailurePolicy`, {
      name: 'cordon-on-failure',
      role: role.role.name,
      policy: queue.arn.apply(onFailurePolicy),
    });
    policies.push(policy);
    configs.push(
      new aws.lambda.FunctionEventInvokeConfig(
        `${logical}AsyncInvoke`,
        {
          functionName: deployed.name,
          ...ASYNC_INVOKE,
          destinationConfig: { onFailure: { destination: queue.arn } },
        },
        // Lambda checks the role's permission to the destination when the configuration is written.
        { dependsOn: [policy] },
      ),
    );
  }
  return { queue, policies, configs };
}

/** One alarm: a metric, its dimensions and what it means. */
export interface AlarmSpec {
  readonly logical: string;
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, $util.Input<string>>>;
  /** `Sum` for counts, `Maximum` for a queue's depth. */
  readonly statistic: 'Sum' | 'Maximum';
}

/** The Step Functions metrics alarmed on for each playbook, with the word used in the alarm's name. */
export const EXECUTION_OUTCOMES = [
  { metricName: 'ExecutionsFailed', word: 'failed' },
  { metricName: 'ExecutionsTimedOut', word: 'timed-out' },
  { metricName: 'ExecutionsAborted', word: 'aborted' },
] as const;

export interface MonitoredResources {
  readonly functions: Readonly<Record<string, DeployedFunction>>;
  readonly stateMachines: Readonly<Record<string, aws.sfn.StateMachine>>;
  readonly rules: readonly DeployedRule[];
  readonly onFailureQueue: aws.sqs.Queue;
}

/** Every alarm of the stage, as data (the tests and the dashboard read this list). */
export function alarmSpecs(config: DeployConfig, resources: MonitoredResources): AlarmSpec[] {
  const { prefix } = config;
  const specs: AlarmSpec[] = [];
  for (const spec of FUNCTIONS) {
    const deployed = resources.functions[spec.id];
    if (deployed === undefined) throw new Error(`No function ${spec.id} to alarm on`);
    specs.push({
      logical: `${pascal(spec.id)}ErrorsAlarm`,
      name: `${prefix}-${spec.id}-errors`,
      description: `Cordon function ${spec.id} failed (an exception, a timeout or a runtime error): see its logs.`,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: deployed.name },
      statistic: 'Sum',
    });
  }
  for (const id of ON_FAILURE_FUNCTION_IDS) {
    const deployed = resources.functions[id];
    if (deployed === undefined) throw new Error(`No function ${id} to alarm on`);
    specs.push({
      logical: `${pascal(id)}DestinationFailuresAlarm`,
      name: `${prefix}-${id}-lost-invocations`,
      description: `Lambda could not put a failed ${id} invocation into the on-failure queue: that event is lost. Check the queue and the cordon-on-failure policy.`,
      namespace: 'AWS/Lambda',
      metricName: 'DestinationDeliveryFailures',
      dimensions: { FunctionName: deployed.name },
      statistic: 'Sum',
    });
  }
  for (const id of PLAYBOOK_IDS) {
    const machine = resources.stateMachines[id];
    if (machine === undefined) throw new Error(`No state machine ${id} to alarm on`);
    for (const outcome of EXECUTION_OUTCOMES) {
      specs.push({
        logical: `Playbook${pascal(id)}${outcome.metricName}Alarm`,
        name: `${prefix}-${id}-${outcome.word}`,
        description: `A ${id} playbook execution ${outcome.word.replace('-', ' ')}: see the Step Functions console (executions are named after the incident).`,
        namespace: 'AWS/States',
        metricName: outcome.metricName,
        dimensions: { StateMachineArn: machine.arn },
        statistic: 'Sum',
      });
    }
  }
  specs.push({
    logical: 'OnFailureQueueAlarm',
    name: `${prefix}-on-failure-messages`,
    description:
      'Triage or the poller could not handle an event after all retries: it is in the on-failure queue. Fix the cause, then re-drive it (docs/deploy.md#re-driving-failed-events).',
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: resources.onFailureQueue.name },
    statistic: 'Maximum',
  });
  for (const deployed of resources.rules) {
    const forwarded = deployed.busName !== undefined;
    const label = `${deployed.id}${forwarded ? '-forwarded' : ''}`;
    specs.push({
      logical: `${pascal(label)}DeadLetterFailuresAlarm`,
      name: `${prefix}-${label}-dead-letter-failures`,
      description: `EventBridge could neither deliver an event of rule ${deployed.id}${forwarded ? ' (intake bus)' : ''} nor put it into the dead-letter queue: that event is lost. Check the queue policy.`,
      namespace: 'AWS/Events',
      metricName: 'InvocationsFailedToBeSentToDlq',
      dimensions: {
        RuleName: deployed.rule.name,
        ...(deployed.busName === undefined ? {} : { EventBusName: deployed.busName }),
      },
      statistic: 'Sum',
    });
  }
  return specs;
}

export function createAlarms(
  specs: readonly AlarmSpec[],
  topic: aws.sns.Topic,
): aws.cloudwatch.MetricAlarm[] {
  return specs.map(
    (spec) =>
      new aws.cloudwatch.MetricAlarm(spec.logical, {
        name: spec.name,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [topic.arn],
      }),
  );
}
