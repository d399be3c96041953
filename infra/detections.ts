/**
 * The CIS detections on the CloudTrail log group: a metric filter and an alarm each (from core's
 * `DETECTIONS`), and their tunable thresholds as SSM parameters that the threshold-sync function applies.
 * The alarms are created with the defaults; later threshold changes belong to threshold-sync, so Pulumi
 * ignores them (a deploy never resets what the team tuned).
 */
import { DETECTIONS } from '@cordon/core/detections/alarms';
import {
  putMetricAlarmInput,
  THRESHOLD_PARAMETERS,
  thresholdParameterName,
} from '@cordon/core/detections/thresholds';
import type { DeployConfig } from './config.ts';

export interface Detections {
  readonly filters: aws.cloudwatch.LogMetricFilter[];
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly thresholds: aws.ssm.Parameter[];
}

export function createThresholdParameters(config: DeployConfig): aws.ssm.Parameter[] {
  return DETECTIONS.flatMap((detection) =>
    (Object.keys(THRESHOLD_PARAMETERS) as (keyof typeof THRESHOLD_PARAMETERS)[]).map(
      (key) =>
        new aws.ssm.Parameter(
          `Threshold${detection.alarmName}${key[0]?.toUpperCase()}${key.slice(1)}`,
          {
            name: thresholdParameterName(config.stage, detection.alarmName, key),
            type: 'String',
            value: String(detection.defaults[key]),
            description: `Cordon ${config.stage}: ${detection.alarmName} ${THRESHOLD_PARAMETERS[key]} (applied by threshold-sync)`,
          },
          { ignoreChanges: ['value'] },
        ),
    ),
  );
}

export function createDetections(
  config: DeployConfig,
  topic: aws.sns.Topic,
  thresholds: aws.ssm.Parameter[],
): Detections {
  const filters: aws.cloudwatch.LogMetricFilter[] = [];
  const alarms: aws.cloudwatch.MetricAlarm[] = [];
  for (const detection of DETECTIONS) {
    const filter = new aws.cloudwatch.LogMetricFilter(`${detection.alarmName}Filter`, {
      name: detection.alarmName,
      logGroupName: config.trailLogGroupName,
      pattern: detection.filterPattern,
      metricTransformation: {
        name: detection.metricName,
        namespace: detection.namespace,
        value: '1',
        defaultValue: '0',
      },
    });
    filters.push(filter);
    // The same request threshold-sync sends later, with the defaults: one definition of the alarm.
    const alarm = topic.arn.apply((topicArn) =>
      putMetricAlarmInput(detection, detection.defaults, { alarmActions: [topicArn] }),
    );
    alarms.push(
      new aws.cloudwatch.MetricAlarm(
        `${detection.alarmName}Alarm`,
        {
          name: detection.alarmName,
          alarmDescription: alarm.AlarmDescription,
          metricName: alarm.MetricName,
          namespace: alarm.Namespace,
          statistic: alarm.Statistic,
          period: alarm.Period,
          evaluationPeriods: alarm.EvaluationPeriods,
          datapointsToAlarm: alarm.DatapointsToAlarm,
          threshold: alarm.Threshold,
          comparisonOperator: alarm.ComparisonOperator,
          treatMissingData: alarm.TreatMissingData,
          actionsEnabled: alarm.ActionsEnabled,
          alarmActions: alarm.AlarmActions,
        },
        {
          dependsOn: [filter, ...thresholds],
          ignoreChanges: ['threshold', 'evaluationPeriods', 'period', 'datapointsToAlarm'],
        },
      ),
    );
  }
  return { filters, alarms, thresholds };
}
