/**
 * The kinds of resource a playbook acts on, declared once: what decide's reasons call one, what a finding that
 * names none lacks, the shape of the execution input's `target` (docs/playbooks/README.md shows the examples),
 * and — for a posture kind — the AWS Config resource type whose results name it and the field its id goes in.
 * A new kind of posture resource is one line here (`posture('S3 bucket', 'AWS::S3::Bucket', 'bucketName',
 * 'amzn-s3-demo-bucket')`); TypeScript then names every place that must know it.
 *
 * Pure data: the settings (read by every function) import it through the playbook catalog.
 */
import type { JsonObject } from './asl.ts';

/** How a posture playbook's target names its resource, and the Config resource type it comes from. */
export interface PostureTargetKind {
  /** The resource type of the Config results this kind takes (`AWS::EC2::SecurityGroup`). */
  readonly resourceType: string;
  /**
   * Other resource types whose results name the same resource: a periodic rule judges the account itself
   * (`AWS::::Account`) where its change-triggered variant judges the account's setting
   * (`AWS::S3::AccountPublicAccessBlock`); both name the account id.
   */
  readonly otherResourceTypes?: readonly string[];
  /** The `target` field that holds the resource id (`groupId`). */
  readonly idField: string;
}

/**
 * Every resource type a posture kind takes.
 *
 * @example postureResourceTypes(TARGET_KINDS['s3-account'].posture) // ['AWS::S3::AccountPublicAccessBlock', 'AWS::::Account']
 */
export function postureResourceTypes(posture: PostureTargetKind): readonly string[] {
  return [posture.resourceType, ...(posture.otherResourceTypes ?? [])];
}

export interface TargetKindDefinition {
  /** What a reason calls one (`security group`). */
  readonly noun: string;
  /** What an incident of the playbook's route names none of (`compromised EC2 instance to contain`). */
  readonly nothingToActOn: string;
  /** The execution input's `target` for this kind, as an example. */
  readonly example: JsonObject;
  /** What a playbook of this kind acts on, for its docs page (with the target's shape). */
  readonly actsOn: string;
  /** What the execution-input contract says about the shape besides the example (docs/playbooks/README.md). */
  readonly note?: string;
  /** For a kind a Config result names: its resource type and id field. */
  readonly posture?: PostureTargetKind;
}

/**
 * The rule a posture target was judged by, as the execution input carries it: the steps read the identifier
 * and the rule's parameters (the blocked ports, the authorized ports) from it.
 */
export interface TargetRule {
  /** The rule's source identifier, or its name when it is a custom rule. */
  readonly identifier: string;
  /** The name it is deployed under (`restricted-ssh-conformance-pack-k3lqt8bvs`). */
  readonly name: string;
  /** The rule's input parameters as DescribeConfigRules answers them (`{}` when it has none). */
  readonly parameters: Readonly<Record<string, string>>;
  /** `false` when the rule could not be read (identified by its name only): its parameters are unknown. */
  readonly parametersKnown: boolean;
}

/** The example rule of the posture examples. */
const EXAMPLE_RULE = {
  identifier: 'INCOMING_SSH_DISABLED',
  name: 'restricted-ssh-conformance-pack-k3lqt8bvs',
  parameters: {},
  parametersKnown: true,
} as const satisfies TargetRule;

/** A posture kind: a resource a Config rule judged, named by `idField` in the target. */
function posture(
  noun: string,
  resourceType: string,
  idField: string,
  exampleId: string,
  otherResourceTypes?: readonly string[],
): TargetKindDefinition {
  return {
    noun,
    nothingToActOn: `${noun} to act on`,
    example: { [idField]: exampleId, resourceType, resourceId: exampleId, rule: { ...EXAMPLE_RULE } },
    actsOn: `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun} an AWS Config rule judged (\`target: { ${idField}, resourceType, resourceId, rule }\`)`,
    note: ` — \`rule\` is the Config rule that judged it: \`identifier\` (its source identifier), \`name\` (as deployed), \`parameters\` and \`parametersKnown\` (false when the rule could not be read)`,
    posture: { resourceType, idField, ...(otherResourceTypes === undefined ? {} : { otherResourceTypes }) },
  };
}

/**
 * Every target kind (typed by {@link TARGET_KINDS}).
 *
 * @example TARGET_KINDS['security-group'].posture // { resourceType: 'AWS::EC2::SecurityGroup', idField: 'groupId' }
 */
const KINDS = {
  'ec2-instance': {
    noun: 'instance',
    nothingToActOn: 'compromised EC2 instance to contain',
    example: { instanceId: 'i-0abc1234def567890' },
    actsOn: 'an EC2 instance (`target: { instanceId }`)',
  },
  'access-key': {
    noun: 'access key',
    nothingToActOn: 'access key or principal to revoke',
    example: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alice', principalType: 'user', name: 'alice' },
    actsOn:
      'an access key or a session of its principal (`target: { accessKeyId?, userName?, principalType, name }`)',
    note: ' — `accessKeyId` is required when `run.deactivateAccessKey` is true, `userName` when `run.disableConsoleAccess` is true; `principalType` (`user` or `role`) and `name` always',
  },
  'iam-user': {
    noun: 'IAM user',
    nothingToActOn: 'IAM user to act on',
    example: { userId: 'AIDAJQABLZS4A3QDU576Q', staleAfterDays: 90, staleBy: 'age' },
    actsOn: 'an IAM user a Config rule judged (`target: { userId, staleAfterDays, staleBy }`)',
    note: ' — `staleBy` (`age` or `last-use`) as the Config rule’s declaration says',
  },
  'security-group': posture('security group', 'AWS::EC2::SecurityGroup', 'groupId', 'sg-0123456789abcdef0'),
  // --- S3 ---
  // The account's S3 Block Public Access: its change-triggered rule names `AWS::S3::AccountPublicAccessBlock`, its
  // periodic variant the account itself (`AWS::::Account`, the `account` kind's type, with the same `accountId`
  // field: the target is the same whichever kind names it).
  's3-account': posture(
    'Block Public Access setting of an account',
    'AWS::S3::AccountPublicAccessBlock',
    'accountId',
    '123456789012',
    ['AWS::::Account'],
  ),
  's3-bucket': posture('S3 bucket', 'AWS::S3::Bucket', 'bucketName', 'amzn-s3-demo-bucket'),
  // --- end S3 ---
  /** An account-wide setting a periodic rule judges (Config names the account: `AWS::::Account`, its id). */
  account: posture('account', 'AWS::::Account', 'accountId', '123456789012'),
  /** A CloudTrail trail, named by AWS Config by its name or ARN (the action takes either). */
  trail: posture('CloudTrail trail', 'AWS::CloudTrail::Trail', 'trail', 'management-events'),
  // --- identity posture ---
  /** A KMS key, named by AWS Config by its key id (the action also takes its ARN). */
  'kms-key': posture('KMS key', 'AWS::KMS::Key', 'keyId', '1234abcd-12ab-34cd-56ef-1234567890ab'),
  // --- end identity posture ---
  // --- RDS ---
  /**
   * An RDS DB instance, named by AWS Config by its resource id (`DbiResourceId`, `db-…`), which AWS's own
   * remediation runbook takes (https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-disable-rds-instance-public-access.html).
   */
  'rds-instance': posture(
    'RDS DB instance',
    'AWS::RDS::DBInstance',
    'dbiResourceId',
    'db-ABCDEFGHIJKLMNOPQRSTUVWXY1',
  ),
  /**
   * An RDS DB snapshot or DB cluster snapshot (the rule judges both: `AWS::RDS::DBSnapshot`,
   * `AWS::RDS::DBClusterSnapshot`), named by its identifier or ARN; the target's `resourceType` says which.
   */
  'rds-snapshot': posture('RDS DB snapshot', 'AWS::RDS::DBSnapshot', 'snapshot', 'orders-before-upgrade', [
    'AWS::RDS::DBClusterSnapshot',
  ]),
  // --- end RDS ---
  /** A release: what an earlier incident's remediation changed, read from its ledger. */
  'incident-changes': {
    noun: "incident's changes",
    nothingToActOn: 'remediation to release',
    example: {},
    actsOn:
      "what an incident's remediations changed, read from its ledger (`target: {}`: the incident id is the execution input's)",
  },
  none: {
    noun: 'resource',
    nothingToActOn: 'resource',
    example: {},
    actsOn: 'no resource: it changes nothing',
  },
} as const satisfies Readonly<Record<string, TargetKindDefinition>>;

/** The kind of resource a playbook acts on. */
export type TargetKind = keyof typeof KINDS;

export const TARGET_KINDS: Readonly<Record<TargetKind, TargetKindDefinition>> = KINDS;

export const TARGET_KIND_IDS = Object.keys(TARGET_KINDS) as TargetKind[];

/**
 * The target kind whose Config results name a resource of this type, if any.
 *
 * @example postureKindOf('AWS::EC2::SecurityGroup') // 'security-group'
 */
export function postureKindOf(resourceType: string): TargetKind | undefined {
  // A type one kind owns and another also takes (`AWS::::Account`: `account`'s, and `s3-account`'s periodic
  // rule) is the owner's; both name its id in the same field (a catalog test holds every kind to it).
  return (
    TARGET_KIND_IDS.find((kind) => TARGET_KINDS[kind].posture?.resourceType === resourceType) ??
    TARGET_KIND_IDS.find((kind) => {
      const posture = TARGET_KINDS[kind].posture;
      return posture !== undefined && postureResourceTypes(posture).includes(resourceType);
    })
  );
}

/** The posture part of a kind, if it is one. */
export function postureOf(kind: TargetKind): PostureTargetKind | undefined {
  return TARGET_KINDS[kind].posture;
}
