/**
 * EventBridge rules: core's rules (GuardDuty findings, alarms entering ALARM, Config non-compliance; the same list
 * the local engine routes with) → triage, on the default bus (events of this account and region) and on the
 * intake bus (events forwarded from member accounts and other regions, bus.ts); Parameter Store changes of the
 * detection thresholds → threshold-sync, on the default bus only. Every target retries, then drops into an SQS
 * dead-letter queue that an alarm watches.
 */
import type { EventPattern } from '@cordon/core/events/pattern';
import { validatePattern } from '@cordon/core/events/pattern-validate';
import { deployedRules, type EventRule } from '@cordon/core/events/rules';
import type { IntakeBus } from './bus.ts';
import type { DeployConfig } from './config.ts';
import type { DeployedFunction } from './lambda.ts';
import { pascal } from './lambda.ts';

/** Every target: retry for up to a day (EventBridge's maximum), then the dead-letter queue. */
export const TARGET_RETRY_POLICY = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 } as const;

/**
 * Core's rules with the deploy-time options (`deployedRules`, which the local deployment routes with too): the
 * severity floor is the settings default `ignoreBelow`, and the alarm rule takes every alarm entering ALARM
 * (settings.alarmPlaybooks, in SSM, decides which ones Cordon answers). The same for every stage.
 */
export function triageRules(): readonly EventRule[] {
  return deployedRules();
}

/** Parameter Store changes under the stage's detections path (threshold-sync ignores anything else anyway). */
export function thresholdChangePattern(config: DeployConfig): EventPattern {
  return validatePattern({
    source: ['aws.ssm'],
    'detail-type': ['Parameter Store Change'],
    detail: { name: [{ prefix: `${config.stageRoot}detections/` }] },
  });
}

/** A deployed rule and the bus it is on (undefined: the default bus). */
export interface DeployedRule {
  readonly id: string;
  readonly rule: aws.cloudwatch.EventRule;
  readonly busName?: $util.Output<string>;
}

export interface Events {
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly rules: aws.cloudwatch.EventRule[];
  /** The same rules with their bus and target, for the monitoring (monitoring.ts). */
  readonly deployed: DeployedRule[];
  readonly targets: aws.cloudwatch.EventTarget[];
  readonly deadLetterAlarm: aws.cloudwatch.MetricAlarm;
}

export function createDeadLetterQueue(config: DeployConfig): aws.sqs.Queue {
  return new aws.sqs.Queue('EventsDeadLetterQueue', {
    name: `${config.prefix}-events-dlq`,
    messageRetentionSeconds: 14 * 24 * 3600,
    sqsManagedSseEnabled: true,
  });
}

export function createEvents(
  config: DeployConfig,
  functions: Readonly<Record<string, DeployedFunction>>,
  topic: aws.sns.Topic,
  deadLetterQueue: aws.sqs.Queue,
  intake: IntakeBus,
): Events {
  const triage = functions.triage;
  const thresholdSync = functions['threshold-sync'];
  if (triage === undefined || thresholdSync === undefined)
    throw new Error('events need triage and threshold-sync');
  // Forwarded events arrive on the intake bus: the triage rules are there too, the threshold rule is not
  // (parameters of this stage change in this account and region only).
  const routes: {
    id: string;
    description: string;
    pattern: EventPattern;
    target: DeployedFunction;
    forwarded: boolean;
  }[] = [
    ...triageRules().map((rule) => ({ ...rule, target: triage, forwarded: true })),
    {
      id: 'threshold-changes',
      description: 'Detection thresholds changed in Parameter Store',
      pattern: thresholdChangePattern(config),
      target: thresholdSync,
      forwarded: false,
    },
  ];
  const buses: { logicalSuffix: string; busName?: $util.Output<string> }[] = [
    { logicalSuffix: '' },
    { logicalSuffix: 'Intake', busName: intake.bus.name },
  ];
  const rules: aws.cloudwatch.EventRule[] = [];
  const deployed: DeployedRule[] = [];
  const targets: aws.cloudwatch.EventTarget[] = [];
  for (const { logicalSuffix, busName } of buses) {
    for (const route of routes) {
      if (busName !== undefined && !route.forwarded) continue;
      const logical = `${pascal(route.id)}${logicalSuffix}`;
      const onBus = busName === undefined ? {} : { eventBusName: busName };
      const rule = new aws.cloudwatch.EventRule(`${logical}Rule`, {
        name: `${config.prefix}-${route.id}`,
        description: `${route.description}${busName === undefined ? '' : ' (forwarded)'}`.slice(0, 512),
        eventPattern: JSON.stringify(route.pattern),
        state: 'ENABLED',
        ...onBus,
      });
      new aws.lambda.Permission(`${logical}Invoke`, {
        action: 'lambda:InvokeFunction',
        function: route.target.name,
        principal: 'events.amazonaws.com',
        sourceArn: rule.arn,
      });
      targets.push(
        new aws.cloudwatch.EventTarget(`${logical}Target`, {
          rule: rule.name,
          arn: route.target.arn,
          retryPolicy: TARGET_RETRY_POLICY,
          deadLetterConfig: { arn: deadLetterQueue.arn },
          ...onBus,
        }),
      );
      rules.push(rule);
      deployed.push({ id: route.id, rule, ...(busName === undefined ? {} : { busName }) });
    }
  }
  new aws.sqs.QueuePolicy('EventsDeadLetterQueuePolicy', {
    queueUrl: deadLetterQueue.url,
    policy: $util
      .all([deadLetterQueue.arn, ...rules.map((rule) => rule.arn)])
      .apply(([queueArn, ...ruleArns]) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'RulesDeliverFailedEvents',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
            },
          ],
        }),
      ),
  });
  const deadLetterAlarm = new aws.cloudwatch.MetricAlarm('EventsDeadLetterAlarm', {
    name: `${config.prefix}-events-dead-letters`,
    alarmDescription:
      'Cordon could not deliver an event to triage or threshold-sync: see the dead-letter queue.',
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: deadLetterQueue.name },
    statistic: 'Maximum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: [topic.arn],
  });
  return { deadLetterQueue, rules, deployed, targets, deadLetterAlarm };
}
