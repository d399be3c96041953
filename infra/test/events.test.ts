import { buildEventRules } from '@cordon/core/events/rules';
import { DEFAULT_SETTINGS } from '@cordon/core/policy/settings';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployConfig } from '../config.ts';
import { TARGET_RETRY_POLICY } from '../events.ts';
import { type Deployment, deployUnderMocks } from './harness.ts';

const config = deployConfig('test', { CORDON_EXTRA_ALARMS: 'BillingSpike' });
let deployment: Deployment;

beforeAll(async () => {
  deployment = await deployUnderMocks(config);
});

function rule(id: string) {
  return deployment.named('aws:cloudwatch/eventRule:EventRule', `cordon-test-${id}`);
}

describe('EventBridge rules', () => {
  it("deploy core's rules, patterns unchanged, with the settings defaults", () => {
    const expected = buildEventRules({
      guardDutyMinSeverity: DEFAULT_SETTINGS.severity.ignoreBelow,
      alarmNames: [...Object.keys(DEFAULT_SETTINGS.alarmPlaybooks), 'BillingSpike'],
    });

    for (const coreRule of expected) {
      expect(JSON.parse(String(rule(coreRule.id).inputs.eventPattern)), coreRule.id).toEqual(
        coreRule.pattern,
      );
    }
  });

  it('match the alarms Cordon creates and the extra ones from config', () => {
    const pattern = JSON.parse(String(rule('cloudwatch-alarms').inputs.eventPattern));

    expect(pattern.detail.alarmName).toEqual([
      'RootAccountUsage',
      'UnauthorizedAPICalls',
      'FailedConsoleLogins',
      'BillingSpike',
    ]);
  });

  it('send Parameter Store changes of the detection thresholds to threshold-sync', () => {
    expect(JSON.parse(String(rule('threshold-changes').inputs.eventPattern))).toEqual({
      source: ['aws.ssm'],
      'detail-type': ['Parameter Store Change'],
      detail: { name: [{ prefix: '/cordon/test/detections/' }] },
    });
  });

  it('give every target a retry policy and the dead-letter queue', () => {
    const targets = deployment.ofType('aws:cloudwatch/eventTarget:EventTarget');
    const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:cordon-test-events-dlq';

    expect(targets).toHaveLength(4);
    for (const target of targets) {
      expect(target.inputs.retryPolicy).toEqual(TARGET_RETRY_POLICY);
      expect(target.inputs.deadLetterConfig).toEqual({ arn: queueArn });
    }
  });

  it('target triage with the three finding rules, and threshold-sync with the settings rule', () => {
    const targetOf = (ruleName: string) =>
      deployment
        .ofType('aws:cloudwatch/eventTarget:EventTarget')
        .find((target) => target.inputs.rule === ruleName)?.inputs.arn;
    const fn = (id: string) => `arn:aws:lambda:eu-west-1:123456789012:function:cordon-test-${id}`;

    expect(targetOf('cordon-test-guardduty-findings')).toBe(fn('triage'));
    expect(targetOf('cordon-test-cloudwatch-alarms')).toBe(fn('triage'));
    expect(targetOf('cordon-test-config-compliance')).toBe(fn('triage'));
    expect(targetOf('cordon-test-threshold-changes')).toBe(fn('threshold-sync'));
  });

  it('let EventBridge invoke the targets only from these rules, and fill the queue only from them', () => {
    const permissions = deployment.ofType('aws:lambda/permission:Permission');
    expect(permissions.map((permission) => permission.inputs.sourceArn).sort()).toEqual(
      ['cloudwatch-alarms', 'config-compliance', 'guardduty-findings', 'threshold-changes'].map(
        (id) => `arn:aws:events:eu-west-1:123456789012:rule/cordon-test-${id}`,
      ),
    );
    for (const permission of permissions) expect(permission.inputs.principal).toBe('events.amazonaws.com');
    const [queuePolicy] = deployment.ofType('aws:sqs/queuePolicy:QueuePolicy');
    const statement = JSON.parse(String(queuePolicy?.inputs.policy)).Statement[0];
    expect(statement.Condition.ArnEquals['aws:SourceArn']).toHaveLength(4);
  });

  it('alarm on anything in the dead-letter queue', () => {
    const alarm = deployment.named(
      'aws:cloudwatch/metricAlarm:MetricAlarm',
      'cordon-test-events-dead-letters',
    );

    expect(alarm.inputs).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: 'cordon-test-events-dlq' },
      alarmActions: ['arn:aws:sns:eu-west-1:123456789012:cordon-test-notifications'],
    });
  });
});

describe('poller schedule', () => {
  it('invokes the poller every 5 minutes through a role that may invoke only the poller', () => {
    const schedule = deployment.named('aws:scheduler/schedule:Schedule', 'cordon-test-poller');
    const policy = deployment
      .ofType('aws:iam/rolePolicy:RolePolicy')
      .find((candidate) => candidate.inputs.role === 'cordon-test-poller-schedule');

    expect(schedule.inputs.scheduleExpression).toBe('rate(5 minutes)');
    expect(schedule.inputs.target).toMatchObject({
      arn: 'arn:aws:lambda:eu-west-1:123456789012:function:cordon-test-poller',
      roleArn: 'arn:aws:iam::123456789012:role/cordon-test-poller-schedule',
      deadLetterConfig: { arn: 'arn:aws:sqs:eu-west-1:123456789012:cordon-test-events-dlq' },
    });
    expect(JSON.parse(String(policy?.inputs.policy)).Statement).toEqual([
      {
        Sid: 'InvokePoller',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: ['arn:aws:lambda:eu-west-1:123456789012:function:cordon-test-poller'],
      },
      {
        Sid: 'DeadLetters',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: ['arn:aws:sqs:eu-west-1:123456789012:cordon-test-events-dlq'],
      },
    ]);
  });
});
