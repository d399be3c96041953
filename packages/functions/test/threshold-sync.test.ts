import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { PutMetricAlarmInput } from '@cordon/core/detections/thresholds';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createThresholdSyncHandler,
  ssmParameterReader,
  thresholdSyncDependenciesFromEnvironment,
} from '../src/threshold-sync.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:cordon-prod';
const context = {
  functionName: 'cordon-prod-threshold-sync',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cordon-prod-threshold-sync',
  awsRequestId: 'r-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context; // only the fields the middlewares read

// Compile-time check: core's request shape is one the SDK accepts.
const _compatible: (input: PutMetricAlarmInput) => PutMetricAlarmCommandInput = (input) => input;

function change(name: string) {
  return {
    source: 'aws.ssm',
    'detail-type': 'Parameter Store Change',
    detail: { name, operation: 'Update' },
  };
}

describe('threshold-sync handler', () => {
  const ssm = mockClient(SSMClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const sns = mockClient(SNSClient);

  beforeEach(() => {
    ssm.reset();
    cloudwatch.reset();
    sns.reset();
    process.env.CORDON_STAGE = 'prod';
    process.env.CORDON_SNS_TOPIC_ARN = TOPIC;
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  });
  afterEach(() => {
    delete process.env.CORDON_STAGE;
    delete process.env.CORDON_SNS_TOPIC_ARN;
  });

  function handler() {
    const deps = thresholdSyncDependenciesFromEnvironment();
    return createThresholdSyncHandler({
      ...deps,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'CordonTest' }),
    });
  }

  it('applies the changed alarm with PutMetricAlarm, keeping the topic as its action', async () => {
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: '/cordon/prod/detections/RootAccountUsage/threshold', Value: '2' },
        { Name: '/cordon/prod/detections/RootAccountUsage/period-seconds', Value: '60' },
      ],
    });

    const result = await handler()(change('/cordon/prod/detections/RootAccountUsage/threshold'), context);

    expect(result.results).toEqual([
      {
        alarmName: 'RootAccountUsage',
        outcome: 'applied',
        values: { threshold: 2, evaluationPeriods: 1, periodSeconds: 60 },
      },
    ]);
    expect(ssm).toHaveReceivedCommandWith(GetParametersByPathCommand, {
      Path: '/cordon/prod/detections/RootAccountUsage',
      Recursive: true,
    });
    expect(cloudwatch).toHaveReceivedCommandTimes(PutMetricAlarmCommand, 1);
    expect(cloudwatch).toHaveReceivedCommandWith(PutMetricAlarmCommand, {
      AlarmName: 'RootAccountUsage',
      Threshold: 2,
      Period: 60,
      EvaluationPeriods: 1,
      AlarmActions: [TOPIC],
    });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('rejects an invalid value with an SNS message and no PutMetricAlarm', async () => {
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [{ Name: '/cordon/prod/detections/UnauthorizedAPICalls/evaluation-periods', Value: 'two' }],
    });

    const result = await handler()(
      change('/cordon/prod/detections/UnauthorizedAPICalls/evaluation-periods'),
      context,
    );

    expect(result.results[0]?.outcome).toBe('rejected');
    expect(cloudwatch).not.toHaveReceivedCommand(PutMetricAlarmCommand);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'Cordon: alarm thresholds for UnauthorizedAPICalls rejected',
    });
  });

  it('does nothing for a settings change', async () => {
    const result = await handler()(change('/cordon/prod/severity/approval-at'), context);

    expect(result.results).toEqual([]);
    expect(ssm).not.toHaveReceivedCommand(GetParametersByPathCommand);
    expect(cloudwatch).not.toHaveReceivedCommand(PutMetricAlarmCommand);
  });

  it('refuses to start without its topic', () => {
    delete process.env.CORDON_SNS_TOPIC_ARN;

    expect(() => thresholdSyncDependenciesFromEnvironment()).toThrow(/CORDON_SNS_TOPIC_ARN/);
  });
});

describe('ssmParameterReader', () => {
  it('follows pages and names parameters relative to the path', async () => {
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [{ Name: '/a/b/threshold', Value: '1' }], NextToken: 't' })
      .resolvesOnce({ Parameters: [{ Name: '/a/b/period-seconds', Value: '60' }, { Name: '/a/b/x' }] });

    const values = await ssmParameterReader(new SSMClient({}))('/a/b/');

    expect(values).toEqual({ threshold: '1', 'period-seconds': '60' });
    expect(ssm).toHaveReceivedNthCommandWith(GetParametersByPathCommand, 2, { Path: '/a/b', NextToken: 't' });
  });
});
