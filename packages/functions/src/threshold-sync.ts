/**
 * The threshold-sync function: a Parameter Store change under `/cordon/<stage>/detections/` (or a manual
 * invocation) → validate the alarm's values → PutMetricAlarm, or an SNS message saying why not. The decisions
 * live in @cordon/core/detections; this is the adapter.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { paginateGetParametersByPath, SSMClient } from '@aws-sdk/client-ssm';
import {
  type AlarmSyncResult,
  alarmsToSync,
  syncThresholds,
  type ThresholdSyncPorts,
} from '@cordon/core/detections/sync';
import type { Context } from 'aws-lambda';
import { readEnvironment } from './shared/environment.ts';
import { handlerShell, observability } from './shared/handler-shell.ts';

export interface ThresholdSyncDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly ports: ThresholdSyncPorts;
}

/** Parameters under `path`, by name relative to it; SecureStrings are not expected here, so no decryption. */
export function ssmParameterReader(
  client: Pick<SSMClient, 'send'>,
): (path: string) => Promise<Record<string, string>> {
  return async (path) => {
    // SSM wants the hierarchy without its trailing slash.
    const hierarchy = path.endsWith('/') ? path.slice(0, -1) : path;
    const values: Record<string, string> = {};
    // The paginator needs a full client; `send` is all it calls.
    const paginator = paginateGetParametersByPath(
      { client: client as SSMClient },
      { Path: hierarchy, Recursive: true },
    );
    for await (const page of paginator) {
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Name === undefined || parameter.Value === undefined) continue;
        values[parameter.Name.slice(hierarchy.length + 1)] = parameter.Value;
      }
    }
    return values;
  };
}

/**
 * From the environment (`readEnvironment('threshold-sync')`): `CORDON_STAGE` and `CORDON_SNS_TOPIC_ARN` (the
 * alarms' action and where rejections go).
 */
export function thresholdSyncDependenciesFromEnvironment(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): ThresholdSyncDependencies {
  const { stage, topicArn, metricsNamespace } = readEnvironment('threshold-sync', environment);
  const { logger, metrics } = observability('cordon-threshold-sync', metricsNamespace);
  const ssm = new SSMClient({});
  const cloudwatch = new CloudWatchClient({});
  const sns = new SNSClient({});
  return {
    logger,
    metrics,
    ports: {
      stage,
      alarmActions: [topicArn],
      readParameters: ssmParameterReader(ssm),
      putMetricAlarm: async (input) => {
        await cloudwatch.send(new PutMetricAlarmCommand(input));
      },
      notify: async (subject, message) => {
        await sns.send(
          new PublishCommand({ TopicArn: topicArn, Subject: subject.slice(0, 100), Message: message }),
        );
      },
    },
  };
}

export function createThresholdSyncHandler(
  dependencies:
    | ThresholdSyncDependencies
    | (() => ThresholdSyncDependencies) = thresholdSyncDependenciesFromEnvironment,
) {
  const deps = typeof dependencies === 'function' ? dependencies() : dependencies;
  const { logger, metrics } = deps;

  const handle = async (event: unknown, _context: Context): Promise<{ results: AlarmSyncResult[] }> => {
    const results = await syncThresholds(alarmsToSync(deps.ports.stage, event), deps.ports);
    for (const result of results) {
      metrics.addMetric(`ThresholdSync.${result.outcome}`, MetricUnit.Count, 1);
      if (result.outcome === 'applied') logger.info('Alarm thresholds applied', { ...result });
      else logger.warn('Alarm thresholds rejected', { ...result });
    }
    return { results };
  };

  return handlerShell(handle, { logger, metrics });
}
