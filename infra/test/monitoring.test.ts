import { PLAYBOOK_IDS } from '@cordon/core/playbooks/ids';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployConfig } from '../config.ts';
import { FUNCTIONS } from '../functions.ts';
import { ASYNC_INVOKE, ON_FAILURE_FUNCTION_IDS } from '../monitoring.ts';
import { ACCOUNT, type Deployment, deployUnderMocks, REGION, type RecordedResource } from './harness.ts';

const config = deployConfig('test', {});
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:cordon-test-notifications`;
const ON_FAILURE_QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:cordon-test-on-failure`;
let deployment: Deployment;

beforeAll(async () => {
  deployment = await deployUnderMocks(config);
});

function alarm(name: string): RecordedResource {
  return deployment.named('aws:cloudwatch/metricAlarm:MetricAlarm', name);
}

describe('the on-failure destination of triage and the poller', () => {
  it('is an SQS queue that keeps failed events 14 days, encrypted', () => {
    expect(deployment.named('aws:sqs/queue:Queue', 'cordon-test-on-failure').inputs).toMatchObject({
      messageRetentionSeconds: 1_209_600,
      sqsManagedSseEnabled: true,
    });
  });

  it.each(ON_FAILURE_FUNCTION_IDS)(
    '%s: retried twice and kept 6 hours (Lambda’s maxima), then sent to the queue',
    (id) => {
      const invokeConfig = deployment
        .ofType('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig')
        .find((candidate) => candidate.inputs.functionName === `cordon-test-${id}`);

      expect(invokeConfig?.inputs).toMatchObject({
        maximumRetryAttempts: ASYNC_INVOKE.maximumRetryAttempts,
        maximumEventAgeInSeconds: ASYNC_INVOKE.maximumEventAgeInSeconds,
        destinationConfig: { onFailure: { destination: ON_FAILURE_QUEUE } },
      });
      expect(ASYNC_INVOKE).toEqual({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 });
    },
  );

  it.each(ON_FAILURE_FUNCTION_IDS)(
    "%s's role may send to that queue, and nowhere else, in a policy of its own",
    (id) => {
      const policy = deployment
        .ofType('aws:iam/rolePolicy:RolePolicy')
        .find(
          (candidate) =>
            candidate.inputs.role === `cordon-test-${id}` && candidate.inputs.name === 'cordon-on-failure',
        );

      expect(JSON.parse(String(policy?.inputs.policy)).Statement).toEqual([
        {
          Sid: 'SendFailedInvocationRecords',
          Effect: 'Allow',
          Action: ['sqs:SendMessage'],
          Resource: [ON_FAILURE_QUEUE],
        },
      ]);
    },
  );

  it('is configured on no other function (they are invoked synchronously, by Step Functions or the URL)', () => {
    const configured = deployment
      .ofType('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig')
      .map((candidate) => candidate.inputs.functionName);

    expect(configured.sort()).toEqual(ON_FAILURE_FUNCTION_IDS.map((id) => `cordon-test-${id}`).sort());
  });
});

describe('the alarms', () => {
  it('notify Cordon’s topic, on one occurrence within five minutes, missing data not breaching', () => {
    const alarms = deployment.ofType('aws:cloudwatch/metricAlarm:MetricAlarm');

    expect(alarms.length).toBeGreaterThan(30);
    for (const candidate of alarms) {
      expect(candidate.inputs.alarmActions, String(candidate.inputs.name)).toEqual([TOPIC]);
      expect(candidate.inputs.comparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(candidate.inputs.treatMissingData).toBe('notBreaching');
    }
  });

  it.each(FUNCTIONS.map((spec) => spec.id))('watch the errors of %s', (id) => {
    expect(alarm(`cordon-test-${id}-errors`).inputs).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: `cordon-test-${id}` },
      statistic: 'Sum',
      threshold: 1,
      period: 300,
    });
  });

  it.each(ON_FAILURE_FUNCTION_IDS)(
    'tell when a failed %s invocation could not reach the queue (lost)',
    (id) => {
      expect(alarm(`cordon-test-${id}-lost-invocations`).inputs).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: 'DestinationDeliveryFailures',
        dimensions: { FunctionName: `cordon-test-${id}` },
      });
    },
  );

  it.each(PLAYBOOK_IDS)('watch failed, timed-out and aborted executions of %s', (id) => {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cordon-test-${id}`;
    for (const [word, metricName] of [
      ['failed', 'ExecutionsFailed'],
      ['timed-out', 'ExecutionsTimedOut'],
      ['aborted', 'ExecutionsAborted'],
    ]) {
      expect(alarm(`cordon-test-${id}-${word}`).inputs, word).toMatchObject({
        namespace: 'AWS/States',
        metricName,
        dimensions: { StateMachineArn: arn },
        statistic: 'Sum',
      });
    }
  });

  it('watch the depth of the on-failure queue (the events dead-letter queue has its own)', () => {
    expect(alarm('cordon-test-on-failure-messages').inputs).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: 'cordon-test-on-failure' },
      statistic: 'Maximum',
    });
    expect(alarm('cordon-test-events-dead-letters').inputs.dimensions).toEqual({
      QueueName: 'cordon-test-events-dlq',
    });
  });

  it('tell, per rule and bus, when EventBridge could not even dead-letter an event', () => {
    expect(alarm('cordon-test-guardduty-findings-dead-letter-failures').inputs).toMatchObject({
      namespace: 'AWS/Events',
      metricName: 'InvocationsFailedToBeSentToDlq',
      dimensions: { RuleName: 'cordon-test-guardduty-findings' },
    });
    expect(alarm('cordon-test-guardduty-findings-forwarded-dead-letter-failures').inputs.dimensions).toEqual({
      RuleName: 'cordon-test-guardduty-findings',
      EventBusName: 'cordon-test-intake',
    });
    const lost = deployment
      .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
      .filter((candidate) => candidate.inputs.metricName === 'InvocationsFailedToBeSentToDlq');
    expect(lost).toHaveLength(deployment.ofType('aws:cloudwatch/eventRule:EventRule').length);
  });
});

describe('the incident-flow dashboard', () => {
  function body() {
    const dashboard = deployment
      .ofType('aws:cloudwatch/dashboard:Dashboard')
      .find((candidate) => candidate.inputs.dashboardName === 'cordon-test-incident-flow');
    if (dashboard === undefined) throw new Error('No dashboard');
    return JSON.parse(String(dashboard.inputs.dashboardBody)) as {
      widgets: { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[] } }[];
    };
  }

  it('shows every alarm of the stage in its alarm widgets (at most 100 each)', () => {
    const alarmWidgets = body().widgets.filter((widget) => widget.type === 'alarm');
    const arns = deployment
      .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
      .filter((candidate) => String(candidate.inputs.name).startsWith('cordon-test-'))
      .map((candidate) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${String(candidate.inputs.name)}`);

    expect(alarmWidgets.every((widget) => (widget.properties.alarms ?? []).length <= 100)).toBe(true);
    expect(alarmWidgets.flatMap((widget) => widget.properties.alarms ?? []).sort()).toEqual(arns.sort());
  });

  it('follows an incident: rules of both buses, triage, every playbook, the queues', () => {
    const widgets = body().widgets;
    const metricsOf = (title: string) =>
      widgets.find((widget) => widget.properties.title === title)?.properties.metrics;

    expect(metricsOf('Events matched by the rules')).toHaveLength(7);
    expect(metricsOf('Triage')?.every((metric) => metric[3] === 'cordon-test-triage')).toBe(true);
    expect(metricsOf('Playbook executions started')?.map((metric) => metric[3])).toEqual(
      PLAYBOOK_IDS.map((id) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cordon-test-${id}`),
    );
    expect(metricsOf('Failed events waiting (queue depth)')?.map((metric) => metric[3])).toEqual([
      'cordon-test-events-dlq',
      'cordon-test-on-failure',
    ]);
    expect(metricsOf('Function errors')).toHaveLength(FUNCTIONS.length);
  });
});
