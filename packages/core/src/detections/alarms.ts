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
  /** The Security Hub control that checks for this metric filter and alarm (`CloudWatch.1`, …). */
  readonly securityHubControl: SecurityHubControl;
  /**
   * The CIS AWS Foundations Benchmark recommendations Security Hub relates the control to ("Related
   * requirements" of the control, `<benchmark version>/<recommendation>`).
   */
  readonly cis: readonly string[];
  readonly metricName: string;
  readonly namespace: string;
  /**
   * CloudWatch Logs filter pattern over CloudTrail's JSON records: the text of the Security Hub control's
   * remediation, byte for byte. Security Hub's check fails "if the exact metric filters prescribed by CIS are
   * not used. Additional fields or terms cannot be added to the metric filters."
   */
  readonly filterPattern: string;
  readonly defaults: AlarmThresholds;
}

/** The Security Hub controls Cordon's detections satisfy (see {@link DETECTIONS}). */
export type SecurityHubControl = 'CloudWatch.1' | 'CloudWatch.2' | 'CloudWatch.6';

/**
 * Where Security Hub documents these controls, their related CIS requirements and their filter patterns.
 * The same page lives in the archived awsdocs/aws-security-hub-user-guide repository (doc_source/cloudwatch-controls.md).
 */
export const SECURITY_HUB_CLOUDWATCH_CONTROLS_URL =
  'https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html';

/** Where the metric filters publish; one namespace for Cordon's detections. */
export const DETECTION_NAMESPACE = 'Cordon/CloudTrail';

/**
 * The detections, each with its Security Hub control, the CIS requirements Security Hub relates it to and
 * the filter pattern of that control's remediation, byte for byte (Security Hub User Guide, "Security Hub
 * controls for Amazon CloudWatch": {@link SECURITY_HUB_CLOUDWATCH_CONTROLS_URL}). Defaults are the controls'
 * alarm: greater than or equal to 1 (one occurrence within five minutes raises the alarm).
 *
 * @example DETECTIONS.map((detection) => detection.securityHubControl) // ['CloudWatch.1', 'CloudWatch.2', 'CloudWatch.6']
 */
export const DETECTIONS: readonly DetectionDefinition[] = [
  {
    alarmName: 'RootAccountUsage',
    description:
      'The root user made an API call or signed in (Security Hub CloudWatch.1; CIS 1.2.0/3.3, 1.4.0/4.3).',
    securityHubControl: 'CloudWatch.1',
    cis: ['1.2.0/1.1', '1.2.0/3.3', '1.4.0/1.7', '1.4.0/4.3'],
    metricName: 'RootAccountUsageCount',
    namespace: DETECTION_NAMESPACE,
    // Calls AWS services make on the root user's behalf (invokedBy, AwsServiceEvent) are not root usage.
    filterPattern:
      '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'UnauthorizedAPICalls',
    description: 'API calls refused for lack of permission (Security Hub CloudWatch.2; CIS 1.2.0/3.1).',
    securityHubControl: 'CloudWatch.2',
    cis: ['1.2.0/3.1'],
    metricName: 'UnauthorizedAPICallsCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'FailedConsoleLogins',
    description:
      'Failed AWS Management Console sign-ins (Security Hub CloudWatch.6; CIS 1.2.0/3.6, 1.4.0/4.6).',
    securityHubControl: 'CloudWatch.6',
    cis: ['1.2.0/3.6', '1.4.0/4.6'],
    metricName: 'FailedConsoleLoginsCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
];

/** The detection of an alarm name, or undefined for an alarm Cordon does not define. */
export function detectionFor(alarmName: string): DetectionDefinition | undefined {
  return DETECTIONS.find((detection) => detection.alarmName === alarmName);
}
