/**
 * Cordon's CloudTrail detections as data: a CloudWatch Logs metric filter on the trail's log group and a
 * CloudWatch alarm on its metric, for each CIS AWS Foundations control Cordon answers. Infra creates the
 * filters and alarms from this list; the threshold-sync function re-applies the alarms with the thresholds the
 * security team keeps in SSM; the alarm names are the keys of `settings.alarmPlaybooks`.
 */

/** The alarm names: what `settings.alarmPlaybooks` maps to playbooks and the EventBridge rule matches. */
export const DETECTION_ALARM_NAMES = [
  'RootAccountUsage',
  'UnauthorizedAPICalls',
  'FailedConsoleLogins',
] as const;
export type DetectionAlarmName = (typeof DETECTION_ALARM_NAMES)[number];

/** The three values the security team may tune, per alarm. */
export interface AlarmThresholds {
  /** The alarm fires when the metric's sum over one period is at least this. */
  readonly threshold: number;
  /** How many consecutive periods must breach before the alarm fires. */
  readonly evaluationPeriods: number;
  /** The length of one period, in seconds (a multiple of 60: metric filters publish one-minute data). */
  readonly periodSeconds: number;
}

export interface DetectionDefinition {
  readonly alarmName: DetectionAlarmName;
  readonly description: string;
  /** The CIS AWS Foundations Benchmark controls the detection implements (v1.2 and v1.4 numbering). */
  readonly cis: readonly string[];
  readonly metricName: string;
  readonly namespace: string;
  /** CloudWatch Logs filter pattern over CloudTrail's JSON records. */
  readonly filterPattern: string;
  readonly defaults: AlarmThresholds;
}

/** Where the metric filters publish; one namespace for Cordon's detections. */
export const DETECTION_NAMESPACE = 'Cordon/CloudTrail';

/**
 * The detections, with the CIS filter patterns (the same ones Security Hub controls CloudWatch.1, .2 and .5
 * check for). Defaults are the CIS ones: any single occurrence within five minutes raises the alarm.
 *
 * @example DETECTIONS.map((detection) => detection.alarmName) // ['RootAccountUsage', 'UnauthorizedAPICalls', 'FailedConsoleLogins']
 */
export const DETECTIONS: readonly DetectionDefinition[] = [
  {
    alarmName: 'RootAccountUsage',
    description: 'The root user made an API call or signed in (CIS 1.1/3.3, 1.7/4.3).',
    cis: ['1.2.0/3.3', '1.4.0/4.3'],
    metricName: 'RootAccountUsageCount',
    namespace: DETECTION_NAMESPACE,
    // Calls AWS services make on the root user's behalf (invokedBy, AwsServiceEvent) are not root usage.
    filterPattern:
      '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'UnauthorizedAPICalls',
    description: 'API calls refused for lack of permission (CIS 3.1, 4.1).',
    cis: ['1.2.0/3.1', '1.4.0/4.1'],
    metricName: 'UnauthorizedAPICallsCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'FailedConsoleLogins',
    description: 'Failed AWS Management Console sign-ins (CIS 3.6, 4.6).',
    cis: ['1.2.0/3.6', '1.4.0/4.6'],
    metricName: 'FailedConsoleLoginsCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
];

/** The detection of an alarm name, or undefined for an alarm Cordon does not define. */
export function detectionFor(alarmName: string): DetectionDefinition | undefined {
  return DETECTIONS.find((detection) => detection.alarmName === alarmName);
}
