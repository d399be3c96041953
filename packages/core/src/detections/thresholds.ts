/**
 * The alarm thresholds the security team keeps in SSM (`/cordon/<stage>/detections/<alarm>/…`), how they are
 * validated, and the PutMetricAlarm request that applies them. Pure: no SDK, no environment.
 */
import { settingsPath } from '../policy/settings.ts';
import type { AlarmThresholds, DetectionDefinition } from './alarms.ts';

/** The SSM parameter (last path segment) of each tunable value. */
export const THRESHOLD_PARAMETERS = {
  threshold: 'threshold',
  evaluationPeriods: 'evaluation-periods',
  periodSeconds: 'period-seconds',
} as const satisfies Record<keyof AlarmThresholds, string>;
export type ThresholdParameter = (typeof THRESHOLD_PARAMETERS)[keyof AlarmThresholds];

/** CloudWatch refuses an alarm whose periods add up to more than a day. */
export const MAX_EVALUATION_SECONDS = 86_400;

/**
 * The SSM path under which a stage's detection parameters live: beside the settings (`/cordon/<stage>/settings/`),
 * not in them, so the settings loader never reads them.
 *
 * @throws SettingsStageInvalidError when the stage would change the path (the settings rule).
 * @example detectionsPath('prod') // '/cordon/prod/detections/'
 */
export function detectionsPath(stage: string): string {
  settingsPath(stage); // validates the stage the same way as the settings path
  return `/cordon/${stage}/detections/`;
}

/**
 * The SSM parameter name of one tunable value of one alarm.
 *
 * @example thresholdParameterName('prod', 'RootAccountUsage', 'evaluationPeriods')
 * // '/cordon/prod/detections/RootAccountUsage/evaluation-periods'
 */
export function thresholdParameterName(stage: string, alarmName: string, key: keyof AlarmThresholds): string {
  return `${detectionsPath(stage)}${alarmName}/${THRESHOLD_PARAMETERS[key]}`;
}

/**
 * Which alarm a detection parameter belongs to, from its full name; undefined for any other parameter.
 *
 * @example alarmOfParameter('prod', '/cordon/prod/detections/RootAccountUsage/threshold') // 'RootAccountUsage'
 */
export function alarmOfParameter(stage: string, parameterName: string): string | undefined {
  const prefix = detectionsPath(stage);
  if (!parameterName.startsWith(prefix)) return undefined;
  const [alarmName, leaf, ...rest] = parameterName.slice(prefix.length).split('/');
  if (alarmName === undefined || alarmName === '' || leaf === undefined || rest.length > 0) return undefined;
  return alarmName;
}

/** Raw SSM values by parameter (last path segment); missing ones take the detection's defaults. */
export type RawThresholds = Readonly<Partial<Record<ThresholdParameter, string>>>;

export type ThresholdValidation =
  | { readonly ok: true; readonly values: AlarmThresholds }
  | { readonly ok: false; readonly problems: readonly string[] };

// Strict on purpose, like settings: Number('') is 0 and Number('1e3') is 1000; a typo must not become a value.
const DECIMAL = /^\d+(\.\d+)?$/;
const INTEGER = /^\d+$/;

/**
 * Checks the team's values before anything is applied: threshold a number ≥ 0, evaluation periods a whole
 * number ≥ 1, period a whole multiple of 60 seconds (metric filters publish one-minute data), and periods ×
 * evaluation periods at most one day (CloudWatch's limit). Missing values take the defaults; invalid ones are
 * all reported, none applied.
 *
 * @example
 * validateThresholds(detectionFor('RootAccountUsage'), { threshold: '3' })
 * // { ok: true, values: { threshold: 3, evaluationPeriods: 1, periodSeconds: 300 } }
 * validateThresholds(detection, { 'period-seconds': '90' })
 * // { ok: false, problems: ['RootAccountUsage/period-seconds: "90" is not a multiple of 60 seconds'] }
 */
export function validateThresholds(definition: DetectionDefinition, raw: RawThresholds): ThresholdValidation {
  const problems: string[] = [];
  const where = (parameter: ThresholdParameter) => `${definition.alarmName}/${parameter}`;

  const read = (key: keyof AlarmThresholds, pattern: RegExp, kind: string): number => {
    const parameter = THRESHOLD_PARAMETERS[key];
    const text = raw[parameter];
    if (text === undefined) return definition.defaults[key];
    const trimmed = text.trim();
    if (!pattern.test(trimmed)) {
      problems.push(`${where(parameter)}: ${JSON.stringify(text)} is not ${kind}`);
      return Number.NaN;
    }
    return Number(trimmed);
  };

  const threshold = read('threshold', DECIMAL, 'a number ≥ 0');
  const evaluationPeriods = read('evaluationPeriods', INTEGER, 'a whole number ≥ 1');
  const periodSeconds = read('periodSeconds', INTEGER, 'a whole number of seconds');

  if (evaluationPeriods === 0) problems.push(`${where('evaluation-periods')}: must be at least 1`);
  if (Number.isFinite(periodSeconds) && (periodSeconds < 60 || periodSeconds % 60 !== 0)) {
    problems.push(
      `${where('period-seconds')}: ${periodSeconds} is not a multiple of 60 seconds (60, 120, 300…)`,
    );
  }
  if (
    Number.isFinite(periodSeconds) &&
    Number.isFinite(evaluationPeriods) &&
    periodSeconds * evaluationPeriods > MAX_EVALUATION_SECONDS
  ) {
    problems.push(
      `${definition.alarmName}: period-seconds × evaluation-periods is ${periodSeconds * evaluationPeriods} s, more than one day (${MAX_EVALUATION_SECONDS} s)`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, values: { threshold, evaluationPeriods, periodSeconds } };
}

/** Where an alarm tells people; the same for every detection alarm. */
export interface AlarmActions {
  /** SNS topics (Cordon's topic) told when the alarm fires. */
  readonly alarmActions: readonly string[];
}

/**
 * The fields of CloudWatch's PutMetricAlarm request that Cordon sets (structurally the SDK's
 * `PutMetricAlarmCommandInput`; core does not depend on the CloudWatch client).
 */
export interface PutMetricAlarmInput {
  readonly AlarmName: string;
  readonly AlarmDescription: string;
  readonly MetricName: string;
  readonly Namespace: string;
  readonly Statistic: 'Sum';
  readonly Period: number;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm: number;
  readonly Threshold: number;
  readonly ComparisonOperator: 'GreaterThanOrEqualToThreshold';
  readonly TreatMissingData: 'notBreaching';
  readonly ActionsEnabled: true;
  readonly AlarmActions: string[];
}

/**
 * The whole PutMetricAlarm request for a detection. PutMetricAlarm replaces the alarm's configuration, so the
 * request carries everything infra deploys (description, actions, missing-data handling), not only the
 * thresholds: a sync must never strip the alarm's actions.
 *
 * @example
 * putMetricAlarmInput(detection, { threshold: 3, evaluationPeriods: 2, periodSeconds: 60 }, { alarmActions: [topicArn] })
 * // { AlarmName: 'RootAccountUsage', Threshold: 3, EvaluationPeriods: 2, Period: 60, DatapointsToAlarm: 2, … }
 */
export function putMetricAlarmInput(
  definition: DetectionDefinition,
  values: AlarmThresholds,
  actions: AlarmActions,
): PutMetricAlarmInput {
  return {
    AlarmName: definition.alarmName,
    AlarmDescription: definition.description,
    MetricName: definition.metricName,
    Namespace: definition.namespace,
    Statistic: 'Sum',
    Period: values.periodSeconds,
    EvaluationPeriods: values.evaluationPeriods,
    // Every evaluated period must breach: "N periods in a row", which is what the team's value means.
    DatapointsToAlarm: values.evaluationPeriods,
    Threshold: values.threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    // No CloudTrail record in a period means nothing happened, not an unknown state.
    TreatMissingData: 'notBreaching',
    ActionsEnabled: true,
    AlarmActions: [...actions.alarmActions],
  };
}
