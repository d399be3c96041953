import { createHash } from 'node:crypto';

/** Where an incident came from. */
export const INCIDENT_SOURCES = ['guardduty', 'cloudwatch', 'config'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

/** The incident categories of the design (ARCHITECTURE.md, "Contracts"). */
export const INCIDENT_CATEGORIES = [
  'instance-compromise',
  'instance-exposed',
  'credential-compromise',
  'root-activity',
  'stale-credentials',
  'suspicious-activity',
  'noncompliant-resource',
  'data-threat',
  'container-threat',
  'database-threat',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

export const SEVERITY_LABELS = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityLabel = (typeof SEVERITY_LABELS)[number];

export interface Severity {
  /** 0–10, GuardDuty's scale; alarms and Config results are given a score by the normalizer. */
  readonly score: number;
  readonly label: SeverityLabel;
}

/**
 * GuardDuty's severity bands (DOMAIN.md item 4): 1.0–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical.
 * Scores below 1 are low; scores above 10 are critical.
 *
 * @example severityLabel(7.0) // 'high'
 */
export function severityLabel(score: number): SeverityLabel {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

export function severityOf(score: number): Severity {
  return { score, label: severityLabel(score) };
}

/** The part a resource plays in the incident; only `compromised` resources are ever contained. */
export type ResourceRole = 'compromised' | 'victim' | 'actor' | 'affected' | 'related';

export interface SecurityGroupRef {
  readonly groupId: string;
  readonly groupName?: string;
}

export interface NetworkInterfaceRef {
  readonly networkInterfaceId: string;
  readonly subnetId?: string;
  readonly vpcId?: string;
  readonly privateIpAddress?: string;
  readonly publicIp?: string;
  readonly securityGroups: readonly SecurityGroupRef[];
}

export interface Ec2InstanceResource {
  readonly kind: 'ec2-instance';
  readonly role: ResourceRole;
  readonly instanceId: string;
  readonly instanceType?: string;
  readonly availabilityZone?: string;
  readonly instanceProfileArn?: string;
  readonly networkInterfaces: readonly NetworkInterfaceRef[];
  readonly tags: Readonly<Record<string, string>>;
}

/** `long-term` for `AKIA…` keys (an IAM user), `temporary` for `ASIA…` keys (a role session). */
export type AccessKeyType = 'long-term' | 'temporary' | 'unknown';

export interface AccessKeyResource {
  readonly kind: 'access-key';
  readonly role: ResourceRole;
  readonly accessKeyId?: string;
  readonly keyType: AccessKeyType;
  /** GuardDuty's `userType`: `IAMUser`, `AssumedRole`, `Root`, `FederatedUser`, `AWSService`, … */
  readonly userType?: string;
  readonly userName?: string;
  readonly principalId?: string;
}

export interface IamUserResource {
  readonly kind: 'iam-user';
  readonly role: ResourceRole;
  readonly userName?: string;
  /** The `AIDA…` unique id (what Config reports as the resource id of an `AWS::IAM::User`). */
  readonly userId?: string;
}

export interface IamRoleResource {
  readonly kind: 'iam-role';
  readonly role: ResourceRole;
  readonly roleName?: string;
  readonly arn?: string;
}

/**
 * Any other resource, named by its CloudFormation-style type (`AWS::S3::Bucket`, `AWS::ECS::Task`,
 * `AWS::EC2::Volume`; `Container` and `Kubernetes::Workload` for what has no AWS type) and id.
 */
export interface GenericResource {
  readonly kind: 'aws-resource';
  readonly role: ResourceRole;
  readonly resourceType: string;
  readonly resourceId: string;
  /** What else the finding says about it, as text (a container's `image`, a volume's `scanId` and `threats`). */
  readonly details?: Readonly<Record<string, string>>;
}

export interface AlarmResource {
  readonly kind: 'cloudwatch-alarm';
  readonly role: ResourceRole;
  readonly alarmName: string;
  readonly alarmArn: string;
}

export interface AccountResource {
  readonly kind: 'account';
  readonly role: ResourceRole;
  readonly accountId: string;
}

export type Resource =
  | Ec2InstanceResource
  | AccessKeyResource
  | IamUserResource
  | IamRoleResource
  | GenericResource
  | AlarmResource
  | AccountResource;

/** Source-specific facts the policy looks at. */
export interface GuardDutyFacts {
  readonly source: 'guardduty';
  readonly findingType: string;
  readonly resourceType?: string;
  readonly actionType?: string;
  readonly connectionDirection?: string;
  readonly resourceRole?: string;
  readonly featureName?: string;
  /** `service.action.awsApiCallAction.api`, e.g. `ConsoleLogin`. */
  readonly api?: string;
  /** The finding-type catalog family that matched (`docs/finding-types.md`). */
  readonly findingFamily: string;
  /** `false` when the type matched no catalog family and its category came from the resource type. */
  readonly knownType: boolean;
  /** `true` when the finding was archived (suppressed) in GuardDuty. */
  readonly archived: boolean;
  /** How the finding reached us: an EventBridge event, a raw finding, or a PascalCase finding normalized on purpose. */
  readonly shape: 'eventbridge' | 'raw' | 'eventbridge-pascalcase' | 'raw-pascalcase';
  /** `true` when the finding-type catalog says a human approves any action on it, whatever the severity. */
  readonly requiresApproval: boolean;
}

export interface CloudWatchFacts {
  readonly source: 'cloudwatch';
  readonly alarmName: string;
  readonly state: string;
  readonly previousState?: string;
  readonly reason?: string;
  /** The Cordon detection the alarm's name stands for (intake/alarm-names.ts), when it is one. */
  readonly knownAlarm?: string;
}

/**
 * Which managed rule a Config result comes from. Intake knows only the rule's deployed name (`by: 'name'`, or
 * `'none'` when the name says nothing); triage then reads the rule with DescribeConfigRules (`by:
 * 'source-identifier'`), which also gives its parameters. A custom rule has no identifier.
 */
export interface ConfigRuleIdentity {
  /** The managed rule's source identifier (`INCOMING_SSH_DISABLED`); absent for a custom or unknown rule. */
  readonly identifier?: string;
  readonly by: 'source-identifier' | 'name' | 'none';
  /** DescribeConfigRules' `Source.Owner` (`AWS`, `CUSTOM_LAMBDA`, `CUSTOM_POLICY`), when the rule was read. */
  readonly owner?: string;
  /** The rule's input parameters, when the rule was read. */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface ConfigFacts {
  readonly source: 'config';
  readonly configRuleName: string;
  /** The rule name without a conformance pack's suffix (`access-keys-rotated-conformance-pack-abc` → `access-keys-rotated`). */
  readonly baseRuleName: string;
  /** The managed rule the result comes from, as far as it is known (policy/rule-identification.ts). */
  readonly rule?: ConfigRuleIdentity;
  readonly complianceType: string;
  readonly previousComplianceType?: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly annotation?: string;
  /**
   * Where the severity of a NON_COMPLIANT result came from (intake/config-rules.ts): the severity table, a
   * playbook that knows the rule, or nobody (`undeclared`: low, recorded, never paged unless settings map it).
   */
  readonly severityDeclaredBy: 'severity-table' | 'playbook' | 'undeclared';
}

export type IncidentFacts = GuardDutyFacts | CloudWatchFacts | ConfigFacts;

/** Where GuardDuty places a remote address (`RemoteIpDetails`): as the finding says it, nothing looked up. */
export interface RemoteEvidence {
  readonly ip?: string;
  readonly country?: string;
  readonly city?: string;
  /** The autonomous system number, as text (`asn` is a String in the API, a number in sample findings). */
  readonly asn?: string;
  readonly asnOrg?: string;
  readonly isp?: string;
}

/**
 * What the source saw, for the person who approves (intake/guardduty-evidence.ts): the API called or the
 * connection made, from where, how often, first and last seen. GuardDuty findings only, so far.
 */
export interface IncidentEvidence {
  /** `AWS_API_CALL`, `NETWORK_CONNECTION`, `DNS_REQUEST`, `PORT_PROBE`, … */
  readonly actionType?: string;
  readonly api?: string;
  /** The service the API belongs to (`iam.amazonaws.com`). */
  readonly service?: string;
  readonly callerType?: string;
  readonly errorCode?: string;
  /** The domain asked for (DNS_REQUEST), or the caller's domain (an AWS service calling). */
  readonly domain?: string;
  readonly direction?: string;
  readonly protocol?: string;
  readonly remotePort?: number;
  readonly localPort?: number;
  readonly remote?: RemoteEvidence;
  /** How many times GuardDuty saw it (`service.count`). */
  readonly count?: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
}

/** Everything Cordon knows about one security event, whatever its source. */
export interface Incident {
  /** `<source>-<account>-<region>-<native id or its hash>`: a valid Step Functions execution name (≤ 80 chars). */
  readonly id: string;
  readonly source: IncidentSource;
  readonly account: string;
  readonly region: string;
  /** GuardDuty finding type, `CloudWatchAlarm/<state>` or `ConfigRule/<complianceType>`. */
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly severity: Severity;
  readonly category: IncidentCategory;
  readonly resources: readonly Resource[];
  /** ISO-8601 time the source last observed the activity. */
  readonly observedAt: string;
  /** `true` for GuardDuty sample findings (CreateSampleFindings). */
  readonly sample: boolean;
  /** Finding id, alarm ARN + state time, or rule + resource + result time. */
  readonly nativeId: string;
  /** GuardDuty's `service.count` (grows when a finding is re-published); 1 elsewhere. */
  readonly count: number;
  /** ISO-8601 time of the source's last update of this incident. */
  readonly updatedAt: string;
  readonly facts: IncidentFacts;
  /** What the source saw (GuardDuty: API, remote address and where, count, first and last seen). */
  readonly evidence?: IncidentEvidence;
  /** Things a responder should know that are not errors (e.g. "normalized from PascalCase"). */
  readonly notes: readonly string[];
}

const EXECUTION_NAME_SAFE = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Builds the incident id: source + account + region + native id, stable across re-deliveries.
 * The id names the Step Functions execution, so it keeps to `[A-Za-z0-9_-]` and 80 characters: a native id
 * that does not fit (alarm ARNs, Config rule + resource) is replaced by the first 24 hex digits of its SHA-256.
 *
 * @example makeIncidentId('guardduty', '123456789012', 'us-east-1', 'b4b01b60fc24a199139f8f5f490edd81')
 * // 'guardduty-123456789012-us-east-1-b4b01b60fc24a199139f8f5f490edd81'
 */
export function makeIncidentId(
  source: IncidentSource,
  account: string,
  region: string,
  nativeId: string,
): string {
  const native = EXECUTION_NAME_SAFE.test(nativeId)
    ? nativeId
    : createHash('sha256').update(nativeId).digest('hex').slice(0, 24);
  const safe = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 16);
  return `${source}-${safe(account)}-${safe(region)}-${native}`;
}
