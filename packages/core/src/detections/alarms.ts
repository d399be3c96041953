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
  'ConsoleSigninWithoutMFA',
  'IAMPolicyChanges',
  'CloudTrailChanges',
  'DisableOrDeleteCMK',
  'S3BucketPolicyChanges',
  'AWSConfigChanges',
  'SecurityGroupChanges',
  'NetworkACLChanges',
  'NetworkGatewayChanges',
  'RouteTableChanges',
  'VPCChanges',
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
export type SecurityHubControl = `CloudWatch.${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14}`;

/**
 * Where Security Hub documents these controls, their related CIS requirements and their filter patterns.
 * The same page lives in the archived awsdocs/aws-security-hub-user-guide repository
 * (doc_source/cloudwatch-controls.md, commit bda5bf7ddbdf498557b2ac6a538577528004e6d5, the version the patterns
 * below were copied from). CloudWatch.15–17 on that page are about alarms in general, not CloudTrail filters.
 */
export const SECURITY_HUB_CLOUDWATCH_CONTROLS_URL =
  'https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html';

/** Where the metric filters publish; one namespace for Cordon's detections. */
export const DETECTION_NAMESPACE = 'Cordon/CloudTrail';

/**
 * The detections, each with its Security Hub control, the CIS requirements Security Hub relates it to and
 * the filter pattern of that control's remediation, byte for byte (Security Hub User Guide, "Security Hub
 * controls for Amazon CloudWatch": {@link SECURITY_HUB_CLOUDWATCH_CONTROLS_URL}). Defaults are the controls'
 * alarm: greater than or equal to 1 (one occurrence within five minutes raises the alarm). The alarm names
 * of CloudWatch.3–14 are the control's example alarm name without its `CIS-<n>-` prefix (`CIS-4.4-IAMPolicyChanges`
 * → `IAMPolicyChanges`), so an alarm a team created from the page is the same alarm by name (intake/alarm-names.ts).
 *
 * @example DETECTIONS.map((detection) => detection.securityHubControl) // ['CloudWatch.1', 'CloudWatch.2', 'CloudWatch.6', 'CloudWatch.3', …, 'CloudWatch.14']
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
  {
    alarmName: 'ConsoleSigninWithoutMFA',
    description:
      'Successful console sign-ins of IAM users without MFA (Security Hub CloudWatch.3; CIS 1.2.0/3.2).',
    securityHubControl: 'CloudWatch.3',
    cis: ['1.2.0/3.2'],
    metricName: 'ConsoleSigninWithoutMFACount',
    namespace: DETECTION_NAMESPACE,
    // The spaces inside this one are the control's text: Security Hub compares the pattern exactly.
    filterPattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'IAMPolicyChanges',
    description:
      'IAM policies created, changed, attached or detached (Security Hub CloudWatch.4; CIS 1.2.0/3.4, 1.4.0/4.4).',
    securityHubControl: 'CloudWatch.4',
    cis: ['1.2.0/3.4', '1.4.0/4.4'],
    metricName: 'IAMPolicyChangesCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'CloudTrailChanges',
    description:
      'CloudTrail trails created, updated or deleted, logging started or stopped (Security Hub CloudWatch.5; CIS 1.2.0/3.5, 1.4.0/4.5).',
    securityHubControl: 'CloudWatch.5',
    cis: ['1.2.0/3.5', '1.4.0/4.5'],
    metricName: 'CloudTrailChangesCount',
    namespace: DETECTION_NAMESPACE,
    // Notify only: the alarm carries a count, not the trail (see docs/deploy.md); restarting a stopped
    // trail is the `trail-logging` playbook's, on the AWS Config result that names it.
    filterPattern:
      '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'DisableOrDeleteCMK',
    description:
      'KMS customer managed keys disabled or scheduled for deletion (Security Hub CloudWatch.7; CIS 1.2.0/3.7, 1.4.0/4.7).',
    securityHubControl: 'CloudWatch.7',
    cis: ['1.2.0/3.7', '1.4.0/4.7'],
    metricName: 'DisableOrDeleteCMKCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'S3BucketPolicyChanges',
    description:
      'S3 bucket policies, ACLs, CORS, lifecycle or replication changed (Security Hub CloudWatch.8; CIS 1.2.0/3.8, 1.4.0/4.8).',
    securityHubControl: 'CloudWatch.8',
    cis: ['1.2.0/3.8', '1.4.0/4.8'],
    metricName: 'S3BucketPolicyChangesCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'AWSConfigChanges',
    description:
      'AWS Config recorders or delivery channels stopped, changed or deleted (Security Hub CloudWatch.9; CIS 1.2.0/3.9, 1.4.0/4.9).',
    securityHubControl: 'CloudWatch.9',
    cis: ['1.2.0/3.9', '1.4.0/4.9'],
    metricName: 'AWSConfigChangesCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'SecurityGroupChanges',
    description:
      'Security groups created, deleted or their rules changed (Security Hub CloudWatch.10; CIS 1.2.0/3.10, 1.4.0/4.10).',
    securityHubControl: 'CloudWatch.10',
    cis: ['1.2.0/3.10', '1.4.0/4.10'],
    metricName: 'SecurityGroupChangesCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'NetworkACLChanges',
    description:
      'Network ACLs or their entries created, deleted or replaced (Security Hub CloudWatch.11; CIS 1.2.0/3.11, 1.4.0/4.11).',
    securityHubControl: 'CloudWatch.11',
    cis: ['1.2.0/3.11', '1.4.0/4.11'],
    metricName: 'NetworkACLChangesCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'NetworkGatewayChanges',
    description:
      'Customer or internet gateways created, deleted, attached or detached (Security Hub CloudWatch.12; CIS 1.2.0/3.12, 1.4.0/4.12).',
    securityHubControl: 'CloudWatch.12',
    cis: ['1.2.0/3.12', '1.4.0/4.12'],
    metricName: 'NetworkGatewayChangesCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'RouteTableChanges',
    description:
      'Route tables or routes created, replaced, deleted or disassociated (Security Hub CloudWatch.13; CIS 1.2.0/3.13, 1.4.0/4.13).',
    securityHubControl: 'CloudWatch.13',
    cis: ['1.2.0/3.13', '1.4.0/4.13'],
    metricName: 'RouteTableChangesCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
  {
    alarmName: 'VPCChanges',
    description:
      'VPCs, their attributes, peering connections or ClassicLink changed (Security Hub CloudWatch.14; CIS 1.2.0/3.14, 1.4.0/4.14).',
    securityHubControl: 'CloudWatch.14',
    cis: ['1.2.0/3.14', '1.4.0/4.14'],
    metricName: 'VPCChangesCount',
    namespace: DETECTION_NAMESPACE,
    filterPattern:
      '{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}',
    defaults: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
  },
];

/** The detection of an alarm name, or undefined for an alarm Cordon does not define. */
export function detectionFor(alarmName: string): DetectionDefinition | undefined {
  return DETECTIONS.find((detection) => detection.alarmName === alarmName);
}
