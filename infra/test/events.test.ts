import { buildEventRules } from '@cordon/core/events/rules';
import { DEFAULT_SETTINGS } from '@cordon/core/policy/settings';
import { beforeAll, describe, expect, it } from 'vitest';
import { forwardedSources, intakeBusPolicy } from '../bus.ts';
import { deployConfig } from '../config.ts';
import { TARGET_RETRY_POLICY, triageRules } from '../events.ts';
import { ACCOUNT, type Deployment, deployUnderMocks, REGION } from './harness.ts';

const ORGANIZATION = 'o-a1b2c3d4e5';
const config = deployConfig('test', { CORDON_ORGANIZATION_ID: ORGANIZATION });
const INTAKE_BUS = 'cordon-test-intake';
const TRIAGE_RULE_IDS = ['guardduty-findings', 'cloudwatch-alarms', 'config-compliance'];
let deployment: Deployment;

beforeAll(async () => {
  deployment = await deployUnderMocks(config);
});

/** The rule of that id on the default bus (rules on the intake bus carry the same name). */
function rule(id: string) {
  const found = deployment
    .ofType('aws:cloudwatch/eventRule:EventRule')
    .find(
      (candidate) =>
        candidate.inputs.name === `cordon-test-${id}` && candidate.inputs.eventBusName === undefined,
    );
  if (found === undefined) throw new Error(`No rule ${id} on the default bus`);
  return found;
}

function intakeRule(id: string) {
  const found = deployment
    .ofType('aws:cloudwatch/eventRule:EventRule')
    .find(
      (candidate) =>
        candidate.inputs.name === `cordon-test-${id}` && candidate.inputs.eventBusName === INTAKE_BUS,
    );
  if (found === undefined) throw new Error(`No rule ${id} on the intake bus`);
  return found;
}

describe('EventBridge rules', () => {
  it("deploy core's rules, patterns unchanged, with the settings defaults", () => {
    const expected = buildEventRules({ guardDutyMinSeverity: DEFAULT_SETTINGS.severity.ignoreBelow });

    for (const coreRule of expected) {
      expect(JSON.parse(String(rule(coreRule.id).inputs.eventPattern)), coreRule.id).toEqual(
        coreRule.pattern,
      );
    }
  });

  it('match every alarm entering ALARM, whatever its name: the settings (in SSM) decide which ones Cordon answers', () => {
    for (const deployed of [rule('cloudwatch-alarms'), intakeRule('cloudwatch-alarms')]) {
      expect(JSON.parse(String(deployed.inputs.eventPattern))).toEqual({
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { state: { value: ['ALARM'] } },
      });
    }
  });

  it('send Parameter Store changes of the detection thresholds to threshold-sync', () => {
    expect(JSON.parse(String(rule('threshold-changes').inputs.eventPattern))).toEqual({
      source: ['aws.ssm'],
      'detail-type': ['Parameter Store Change'],
      detail: { name: [{ prefix: '/cordon/test/detections/' }] },
    });
  });

  it('give every target, on both buses, a retry policy and the dead-letter queue', () => {
    const targets = deployment.ofType('aws:cloudwatch/eventTarget:EventTarget');
    const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:cordon-test-events-dlq';

    expect(targets).toHaveLength(7);
    expect(targets.filter((target) => target.inputs.eventBusName === INTAKE_BUS)).toHaveLength(3);
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
    const ruleArns = [
      ...['cloudwatch-alarms', 'config-compliance', 'guardduty-findings', 'threshold-changes'].map(
        (id) => `arn:aws:events:eu-west-1:123456789012:rule/cordon-test-${id}`,
      ),
      ...TRIAGE_RULE_IDS.map(
        (id) => `arn:aws:events:eu-west-1:123456789012:rule/${INTAKE_BUS}/cordon-test-${id}`,
      ),
    ].sort();

    expect(permissions.map((permission) => permission.inputs.sourceArn).sort()).toEqual(ruleArns);
    for (const permission of permissions) expect(permission.inputs.principal).toBe('events.amazonaws.com');
    const [queuePolicy] = deployment.ofType('aws:sqs/queuePolicy:QueuePolicy');
    const statement = JSON.parse(String(queuePolicy?.inputs.policy)).Statement[0];
    expect([...statement.Condition.ArnEquals['aws:SourceArn']].sort()).toEqual(ruleArns);
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

describe('the intake bus (events forwarded from member accounts and other regions)', () => {
  it('is a custom bus named after the stage', () => {
    const bus = deployment.named('aws:cloudwatch/eventBus:EventBus', INTAKE_BUS);

    expect(bus.inputs.name).toBe(INTAKE_BUS);
  });

  it("carries core's three triage rules, patterns unchanged, targeting triage; not the threshold rule", () => {
    for (const id of TRIAGE_RULE_IDS) {
      expect(JSON.parse(String(intakeRule(id).inputs.eventPattern)), id).toEqual(
        JSON.parse(String(rule(id).inputs.eventPattern)),
      );
    }
    const intakeTargets = deployment
      .ofType('aws:cloudwatch/eventTarget:EventTarget')
      .filter((target) => target.inputs.eventBusName === INTAKE_BUS);
    expect(intakeTargets.map((target) => target.inputs.arn)).toEqual(
      TRIAGE_RULE_IDS.map(() => 'arn:aws:lambda:eu-west-1:123456789012:function:cordon-test-triage'),
    );
    expect(() => intakeRule('threshold-changes')).toThrow(/No rule/);
  });

  it('lets the organization (aws:PrincipalOrgID) and this account put events of Cordon’s three sources only', () => {
    const [policy] = deployment.ofType('aws:cloudwatch/eventBusPolicy:EventBusPolicy');
    const busArn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${INTAKE_BUS}`;
    const sources = {
      'ForAllValues:StringEquals': { 'events:source': ['aws.guardduty', 'aws.cloudwatch', 'aws.config'] },
    };

    expect(policy?.inputs.eventBusName).toBe(INTAKE_BUS);
    expect(JSON.parse(String(policy?.inputs.policy)).Statement).toEqual([
      {
        Sid: 'ThisAccountForwards',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: sources,
      },
      {
        Sid: 'OrganizationForwards',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION }, ...sources },
      },
    ]);
  });

  it('accepts the source of every triage rule, and no other', () => {
    const sources = forwardedSources(triageRules());

    expect(sources).toEqual(['aws.guardduty', 'aws.cloudwatch', 'aws.config']);
    for (const triageRule of triageRules()) {
      // Core's rules name their sources as a list of strings; the pattern type also allows operators.
      expect(sources, triageRule.id).toEqual(
        expect.arrayContaining([...(triageRule.pattern.source as readonly string[])]),
      );
    }
  });

  it('without an organization, lets only this account forward (its other regions)', () => {
    const document = JSON.parse(
      intakeBusPolicy({ busArn: 'arn:bus', account: ACCOUNT, sources: ['aws.config'] }),
    );

    expect(document.Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual([
      'ThisAccountForwards',
    ]);
  });

  it('refuses a policy that would accept no source at all', () => {
    expect(() => intakeBusPolicy({ busArn: 'arn:bus', account: ACCOUNT, sources: [] })).toThrow(
      /at least one/,
    );
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
