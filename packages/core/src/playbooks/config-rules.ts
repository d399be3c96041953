/**
 * The AWS Config managed rules Cordon knows, as detections: each by its **source identifier** (what
 * `config:DescribeConfigRules` answers as `Source.SourceIdentifier`, whatever name the rule was deployed
 * under), with its default name, the resource type it judges, its default severity and the controls it
 * checks. Triage identifies a result's rule by its identifier (policy/rule-identification.ts), intake by its
 * name when nothing better is known; the playbook catalog's routes and the settings' `configRulePlaybooks`
 * name rules by identifier.
 *
 * Every identifier, name and parameter default is the rule's page in the AWS Config Developer Guide (cited per
 * rule); every control mapping is Security Hub's control reference (controls.ts). Pure data.
 */
import type { SeverityLabel } from '../intake/incident.ts';
import { IDENTITY_CONFIG_RULES } from './config-rules-identity.ts';
import { type ControlMapping, control, SECURITY_HUB_CONTROLS } from './controls.ts';

/** A managed Config rule as Cordon knows it. */
export interface ConfigRuleDeclaration {
  /** The rule's source identifier (`INCOMING_SSH_DISABLED`): what settings and routes key it by. */
  readonly identifier: string;
  /** The managed rule's name in the AWS Config Developer Guide (`restricted-ssh`). */
  readonly name: string;
  /** Other names the rule is deployed under by AWS services (Security Hub deploys one rule as `restricted-rdp`). */
  readonly aliases?: readonly string[];
  /** The resource types it evaluates (`AWS::EC2::SecurityGroup`). */
  readonly resourceTypes: readonly string[];
  /** What it checks, in one sentence. */
  readonly summary: string;
  /**
   * The severity of a NON_COMPLIANT result when nothing else says (the severity Security Hub gives the control
   * the rule backs). Rules no declaration knows are `low` (policy/rule-identification.ts).
   */
  readonly severity: SeverityLabel;
  /** The rule's page in the AWS Config Developer Guide. */
  readonly docs: string;
  /** The documented default of each parameter the rule takes (a rule deployed without them uses these). */
  readonly parameterDefaults?: Readonly<Record<string, string>>;
  /** The controls the rule checks, each with the document that relates them. */
  readonly mappings: readonly ControlMapping[];
}

const CONFIG_GUIDE = 'https://docs.aws.amazon.com/config/latest/developerguide';
const EC2 = SECURITY_HUB_CONTROLS.ec2;
const IAM = SECURITY_HUB_CONTROLS.iam;
const S3 = SECURITY_HUB_CONTROLS.s3;
const CLOUDTRAIL = SECURITY_HUB_CONTROLS.cloudtrail;
const EC2_EBS = SECURITY_HUB_CONTROLS.ec2Ebs;
const RDS = SECURITY_HUB_CONTROLS.rds;
const { securityHub, cis, pciDss, nist } = control;

/** NIST SP 800-53 Rev. 5 controls Security Hub relates to its security-group controls (boundary protection). */
const BOUNDARY = ['AC-4', 'AC-4(21)', 'SC-7', 'SC-7(11)', 'SC-7(16)', 'SC-7(21)', 'SC-7(4)', 'SC-7(5)'].map(
  nist,
);

/**
 * Security Hub S3.1's "Related requirements" (account-level Block Public Access), as its page prints them.
 */
const S3_PUBLIC_ACCESS_CONTROLS = [
  securityHub('S3.1'),
  cis('1.4.0', '2.1.5'),
  ...['1.2.1', '1.3.1', '1.3.2', '1.3.4', '1.3.6'].map((id) => pciDss('3.2.1', id)),
  ...['AC-21', 'AC-3', 'AC-3(7)', 'AC-4', 'AC-4(21)', 'AC-6', 'SC-7', 'SC-7(11)', 'SC-7(16)', 'SC-7(20)'].map(
    nist,
  ),
  ...['SC-7(21)', 'SC-7(3)', 'SC-7(4)', 'SC-7(9)'].map(nist),
];

/**
 * Every managed rule Cordon declares, by source identifier.
 *
 * @example CONFIG_RULES.INCOMING_SSH_DISABLED.name // 'restricted-ssh'
 */
export const CONFIG_RULES = {
  // https://docs.aws.amazon.com/config/latest/developerguide/access-keys-rotated.html: "Identifier:
  // ACCESS_KEYS_ROTATED"; Security Hub IAM.3 (Medium) is backed by it.
  ACCESS_KEYS_ROTATED: {
    identifier: 'ACCESS_KEYS_ROTATED',
    name: 'access-keys-rotated',
    resourceTypes: ['AWS::IAM::User'],
    summary: 'Active IAM access keys are rotated within maxAccessKeyAge days (default 90).',
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/access-keys-rotated.html`,
    parameterDefaults: { maxAccessKeyAge: '90' },
    mappings: [
      {
        controls: [
          securityHub('IAM.3'),
          cis('1.2.0', '1.4'),
          cis('1.4.0', '1.14'),
          ...['AC-2(1)', 'AC-2(3)', 'AC-3(15)'].map(nist),
        ],
        source: IAM,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/iam-user-unused-credentials-check.html:
  // "Identifier: IAM_USER_UNUSED_CREDENTIALS_CHECK"; Security Hub IAM.8 (Medium).
  IAM_USER_UNUSED_CREDENTIALS_CHECK: {
    identifier: 'IAM_USER_UNUSED_CREDENTIALS_CHECK',
    name: 'iam-user-unused-credentials-check',
    resourceTypes: ['AWS::IAM::User'],
    summary:
      'IAM users have no password or active access key unused for maxCredentialUsageAge days (default 90).',
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/iam-user-unused-credentials-check.html`,
    parameterDefaults: { maxCredentialUsageAge: '90' },
    mappings: [
      {
        controls: [
          securityHub('IAM.8'),
          pciDss('3.2.1', '8.1.4'),
          cis('1.2.0', '1.3'),
          ...['AC-2', 'AC-2(1)', 'AC-2(3)', 'AC-3', 'AC-3(15)', 'AC-3(7)', 'AC-6'].map(nist),
        ],
        source: IAM,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/restricted-ssh.html: "the rule identifier
  // (INCOMING_SSH_DISABLED) and rule name (restricted-ssh) are different"; COMPLIANT when the incoming SSH
  // traffic is restricted to a CIDR other than 0.0.0.0/0 or ::/0. Security Hub EC2.13 (High).
  INCOMING_SSH_DISABLED: {
    identifier: 'INCOMING_SSH_DISABLED',
    name: 'restricted-ssh',
    resourceTypes: ['AWS::EC2::SecurityGroup'],
    summary: 'No security group allows incoming SSH (TCP port 22) from 0.0.0.0/0 or ::/0.',
    severity: 'high',
    docs: `${CONFIG_GUIDE}/restricted-ssh.html`,
    mappings: [
      {
        controls: [
          securityHub('EC2.13'),
          cis('1.2.0', '4.1'),
          pciDss('3.2.1', '1.2.1'),
          pciDss('3.2.1', '1.3.1'),
          pciDss('3.2.1', '2.2.2'),
          nist('CM-7'),
          ...BOUNDARY,
        ],
        source: EC2,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/restricted-common-ports.html: identifier
  // RESTRICTED_INCOMING_TRAFFIC; NON_COMPLIANT when incoming TCP to the blocked ports is open to 0.0.0.0/0 or
  // ::/0; blockedPort1–5 default to 20, 21, 3389, 3306, 4333, or a `blockedPorts` list. Security Hub EC2.14
  // (High) is backed by it, deployed under the name `restricted-rdp` (the control's page says so).
  RESTRICTED_INCOMING_TRAFFIC: {
    identifier: 'RESTRICTED_INCOMING_TRAFFIC',
    name: 'restricted-common-ports',
    aliases: ['restricted-rdp'],
    resourceTypes: ['AWS::EC2::SecurityGroup'],
    summary:
      'No security group allows incoming TCP to the blocked ports (default 20, 21, 3389, 3306, 4333) from 0.0.0.0/0 or ::/0.',
    severity: 'high',
    docs: `${CONFIG_GUIDE}/restricted-common-ports.html`,
    parameterDefaults: {
      blockedPort1: '20',
      blockedPort2: '21',
      blockedPort3: '3389',
      blockedPort4: '3306',
      blockedPort5: '4333',
    },
    mappings: [{ controls: [securityHub('EC2.14'), cis('1.2.0', '4.2')], source: EC2 }],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/vpc-sg-open-only-to-authorized-ports.html:
  // identifier VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS; groups allowing 0.0.0.0/0 or ::/0 may only open the TCP
  // and UDP ports of authorizedTcpPorts / authorizedUdpPorts (optional, no default). Security Hub EC2.18 (High).
  VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS: {
    identifier: 'VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS',
    name: 'vpc-sg-open-only-to-authorized-ports',
    resourceTypes: ['AWS::EC2::SecurityGroup'],
    summary:
      'Security groups open to 0.0.0.0/0 or ::/0 open only the authorized TCP and UDP ports (authorizedTcpPorts, authorizedUdpPorts).',
    severity: 'high',
    docs: `${CONFIG_GUIDE}/vpc-sg-open-only-to-authorized-ports.html`,
    mappings: [{ controls: [securityHub('EC2.18'), ...BOUNDARY], source: EC2 }],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/vpc-default-security-group-closed.html:
  // identifier VPC_DEFAULT_SECURITY_GROUP_CLOSED; NON_COMPLIANT if the default security group has one or more
  // inbound or outbound rules. Security Hub EC2.2 (High).
  VPC_DEFAULT_SECURITY_GROUP_CLOSED: {
    identifier: 'VPC_DEFAULT_SECURITY_GROUP_CLOSED',
    name: 'vpc-default-security-group-closed',
    resourceTypes: ['AWS::EC2::SecurityGroup'],
    summary: "A VPC's default security group has no inbound and no outbound rule.",
    severity: 'high',
    docs: `${CONFIG_GUIDE}/vpc-default-security-group-closed.html`,
    mappings: [
      {
        controls: [
          securityHub('EC2.2'),
          cis('1.2.0', '4.3'),
          cis('1.4.0', '5.3'),
          pciDss('3.2.1', '1.2.1'),
          pciDss('3.2.1', '1.3.4'),
          pciDss('3.2.1', '2.1'),
          ...BOUNDARY,
        ],
        source: EC2,
      },
    ],
  },
  // --- S3 ---
  // https://docs.aws.amazon.com/config/latest/developerguide/s3-account-level-public-access-blocks-periodic.html:
  // "Identifier: S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", periodic, IgnorePublicAcls, BlockPublicPolicy,
  // BlockPublicAcls, RestrictPublicBuckets each "enforced or not, default True"; it judges the account
  // (`AWS::::Account`, the resource type Security Hub's S3.1 names). Security Hub S3.1 (Medium) is backed by it.
  S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC: {
    identifier: 'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC',
    name: 's3-account-level-public-access-blocks-periodic',
    resourceTypes: ['AWS::::Account'],
    summary:
      "The account's S3 Block Public Access settings are on (IgnorePublicAcls, BlockPublicPolicy, BlockPublicAcls, RestrictPublicBuckets; each parameter defaults to True).",
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/s3-account-level-public-access-blocks-periodic.html`,
    parameterDefaults: {
      IgnorePublicAcls: 'True',
      BlockPublicPolicy: 'True',
      BlockPublicAcls: 'True',
      RestrictPublicBuckets: 'True',
    },
    mappings: [{ controls: S3_PUBLIC_ACCESS_CONTROLS, source: S3 }],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/s3-account-level-public-access-blocks.html:
  // "Identifier: S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS", "Resource Types: AWS::S3::AccountPublicAccessBlock",
  // change-triggered, the same four parameters ("Default: True"). Security Hub backs S3.1 with the periodic
  // variant; this rule checks the same four account-level settings, so it serves the same controls (the mapping
  // is the setting's, read from S3.1's page: docs/controls.md says which rule Security Hub deploys).
  S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS: {
    identifier: 'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS',
    name: 's3-account-level-public-access-blocks',
    resourceTypes: ['AWS::S3::AccountPublicAccessBlock'],
    summary:
      "The account's S3 Block Public Access settings match the rule's parameters (each of the four defaults to True); change-triggered.",
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/s3-account-level-public-access-blocks.html`,
    parameterDefaults: {
      IgnorePublicAcls: 'True',
      BlockPublicPolicy: 'True',
      BlockPublicAcls: 'True',
      RestrictPublicBuckets: 'True',
    },
    mappings: [{ controls: S3_PUBLIC_ACCESS_CONTROLS, source: S3 }],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html:
  // "Identifier: S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", change-triggered, NON_COMPLIANT "if an Amazon S3 bucket is
  // not listed in the excludedPublicBuckets parameter and bucket level settings are public". Security Hub S3.8
  // (High) is backed by it ("fails if any of the following settings are set to false").
  S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: {
    identifier: 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED',
    name: 's3-bucket-level-public-access-prohibited',
    resourceTypes: ['AWS::S3::Bucket'],
    summary:
      "A bucket's own S3 Block Public Access settings are all on, unless excludedPublicBuckets names it.",
    severity: 'high',
    docs: `${CONFIG_GUIDE}/s3-bucket-level-public-access-prohibited.html`,
    mappings: [
      {
        controls: [
          securityHub('S3.8'),
          cis('1.4.0', '2.1.5'),
          ...['AC-21', 'AC-3', 'AC-3(7)', 'AC-4', 'AC-4(21)', 'AC-6', 'SC-7', 'SC-7(11)', 'SC-7(16)'].map(
            nist,
          ),
          ...['SC-7(20)', 'SC-7(21)', 'SC-7(3)', 'SC-7(4)', 'SC-7(9)'].map(nist),
        ],
        source: S3,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html: "Identifier:
  // S3_BUCKET_SSL_REQUESTS_ONLY", change-triggered, no parameters; "COMPLIANT if buckets explicitly deny access to
  // HTTP requests". Security Hub S3.5 (Medium) is backed by it.
  S3_BUCKET_SSL_REQUESTS_ONLY: {
    identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY',
    name: 's3-bucket-ssl-requests-only',
    resourceTypes: ['AWS::S3::Bucket'],
    summary: "A bucket's policy explicitly denies requests not sent over TLS (aws:SecureTransport false).",
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/s3-bucket-ssl-requests-only.html`,
    mappings: [
      {
        controls: [
          securityHub('S3.5'),
          cis('1.4.0', '2.1.2'),
          pciDss('3.2.1', '4.1'),
          ...['AC-17(2)', 'AC-4', 'IA-5(1)', 'SC-12(3)', 'SC-13', 'SC-23', 'SC-23(3)', 'SC-7(4)'].map(nist),
          ...['SC-8', 'SC-8(1)', 'SC-8(2)', 'SI-7(6)'].map(nist),
        ],
        source: S3,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-server-side-encryption-enabled.html:
  // "Identifier: S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", change-triggered, no parameters; compliant with default
  // encryption or a policy denying unencrypted puts. Security Hub S3.4 (Medium) is backed by it.
  S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED: {
    identifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
    name: 's3-bucket-server-side-encryption-enabled',
    resourceTypes: ['AWS::S3::Bucket'],
    summary:
      'A bucket has default encryption, or its policy denies put-object requests without server-side encryption.',
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/s3-bucket-server-side-encryption-enabled.html`,
    mappings: [
      {
        controls: [
          securityHub('S3.4'),
          cis('1.4.0', '2.1.1'),
          pciDss('3.2.1', '3.4'),
          ...['AU-9', 'AU-9(2)', 'AU-9(7)', 'CA-9(1)', 'CM-3(6)', 'SC-13', 'SC-28', 'SC-28(1)'].map(nist),
          ...['SC-7(10)', 'SI-7(6)'].map(nist),
        ],
        source: S3,
      },
    ],
  },
  // --- end S3 ---
  // ---- CloudTrail (trail logging) ----
  // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-enabled.html: "the rule identifier
  // (CLOUD_TRAIL_ENABLED) and rule name (cloudtrail-enabled) are different"; "NON_COMPLIANT if a trail is not
  // enabled"; periodic. Security Hub CloudTrail.3 (High, resource type "AWS account") is backed by it, with PCI DSS
  // v3.2.1 10.1–10.3.6 as its related requirements (cloudtrail-controls page; no CIS id is related to it there).
  CLOUD_TRAIL_ENABLED: {
    identifier: 'CLOUD_TRAIL_ENABLED',
    name: 'cloudtrail-enabled',
    resourceTypes: ['AWS::::Account'],
    summary:
      'The account has a CloudTrail trail that is logging (optionally to the given S3 bucket, SNS topic or log group).',
    severity: 'high',
    docs: `${CONFIG_GUIDE}/cloudtrail-enabled.html`,
    mappings: [
      {
        controls: [
          securityHub('CloudTrail.3'),
          ...[
            '10.1',
            '10.2.1',
            '10.2.2',
            '10.2.3',
            '10.2.4',
            '10.2.5',
            '10.2.6',
            '10.2.7',
            '10.3.1',
            '10.3.2',
            '10.3.3',
            '10.3.4',
            '10.3.5',
            '10.3.6',
          ].map((id) => pciDss('3.2.1', id)),
        ],
        source: CLOUDTRAIL,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/multi-region-cloudtrail-enabled.html: identifier
  // MULTI_REGION_CLOUD_TRAIL_ENABLED; "Checks if there is at least one multi-region AWS CloudTrail"; periodic;
  // optional parameters s3BucketName, snsTopicArn, cloudWatchLogsLogGroupArn, includeManagementEvents,
  // readWriteType. Security Hub CloudTrail.1 (High, resource type "AWS account", readWriteType ALL).
  MULTI_REGION_CLOUD_TRAIL_ENABLED: {
    identifier: 'MULTI_REGION_CLOUD_TRAIL_ENABLED',
    name: 'multi-region-cloudtrail-enabled',
    resourceTypes: ['AWS::::Account'],
    summary:
      'The account has at least one multi-Region CloudTrail trail that is logging and matches the rule parameters.',
    severity: 'high',
    docs: `${CONFIG_GUIDE}/multi-region-cloudtrail-enabled.html`,
    mappings: [
      {
        controls: [
          securityHub('CloudTrail.1'),
          cis('1.2.0', '2.1'),
          cis('1.4.0', '3.1'),
          ...[
            'AC-2(4)',
            'AC-4(26)',
            'AC-6(9)',
            'AU-10',
            'AU-12',
            'AU-2',
            'AU-3',
            'AU-6(3)',
            'AU-6(4)',
            'AU-14(1)',
            'CA-7',
            'SC-7(9)',
            'SI-3(8)',
            'SI-4(20)',
            'SI-7(8)',
            'SA-8(22)',
          ].map(nist),
        ],
        source: CLOUDTRAIL,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html:
  // identifier CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED; resource type AWS::CloudTrail::Trail; "NON_COMPLIANT if the
  // validation is not enabled"; periodic, no parameters. Security Hub CloudTrail.4 (Low).
  CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED: {
    identifier: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
    name: 'cloud-trail-log-file-validation-enabled',
    resourceTypes: ['AWS::CloudTrail::Trail'],
    summary: 'Every CloudTrail trail validates its log files (delivers signed digest files).',
    severity: 'low',
    docs: `${CONFIG_GUIDE}/cloud-trail-log-file-validation-enabled.html`,
    mappings: [
      {
        controls: [
          securityHub('CloudTrail.4'),
          pciDss('3.2.1', '10.5.2'),
          pciDss('3.2.1', '10.5.5'),
          cis('1.2.0', '2.2'),
          cis('1.4.0', '3.2'),
          ...['AU-9', 'SI-4', 'SI-7(1)', 'SI-7(3)', 'SI-7(7)'].map(nist),
        ],
        source: CLOUDTRAIL,
      },
    ],
  },
  // ---- EBS ----
  // https://docs.aws.amazon.com/config/latest/developerguide/ec2-ebs-encryption-by-default.html: identifier
  // EC2_EBS_ENCRYPTION_BY_DEFAULT; "NON_COMPLIANT if the encryption is not enabled"; periodic, no parameters.
  // Security Hub EC2.7 (Medium, resource type "AWS account").
  EC2_EBS_ENCRYPTION_BY_DEFAULT: {
    identifier: 'EC2_EBS_ENCRYPTION_BY_DEFAULT',
    name: 'ec2-ebs-encryption-by-default',
    resourceTypes: ['AWS::::Account'],
    summary: 'EBS encryption by default is on in the account and Region.',
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/ec2-ebs-encryption-by-default.html`,
    mappings: [
      {
        controls: [
          securityHub('EC2.7'),
          cis('1.4.0', '2.2.1'),
          ...['CA-9(1)', 'CM-3(6)', 'SC-13', 'SC-28', 'SC-28(1)', 'SC-7(10)', 'SI-7(6)'].map(nist),
        ],
        source: EC2_EBS,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/ebs-snapshot-public-restorable-check.html: identifier
  // EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK; "NON_COMPLIANT if one or more snapshots with RestorableByUserIds field
  // are set to all"; periodic, no parameters. Security Hub EC2.1 (Critical, resource type "AWS account").
  EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK: {
    identifier: 'EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK',
    name: 'ebs-snapshot-public-restorable-check',
    resourceTypes: ['AWS::::Account'],
    summary:
      'No EBS snapshot the account owns is restorable by everyone (create-volume permission for `all`).',
    severity: 'critical',
    docs: `${CONFIG_GUIDE}/ebs-snapshot-public-restorable-check.html`,
    mappings: [
      {
        controls: [
          securityHub('EC2.1'),
          pciDss('3.2.1', '1.2.1'),
          pciDss('3.2.1', '1.3.1'),
          pciDss('3.2.1', '1.3.4'),
          pciDss('3.2.1', '7.2.1'),
          ...[
            'AC-21',
            'AC-3',
            'AC-3(7)',
            'AC-4',
            'AC-4(21)',
            'AC-6',
            'SC-7',
            'SC-7(11)',
            'SC-7(16)',
            'SC-7(20)',
            'SC-7(21)',
            'SC-7(3)',
            'SC-7(4)',
            'SC-7(9)',
          ].map(nist),
        ],
        source: EC2_EBS,
      },
    ],
  },
  // ---- identity posture (config-rules-identity.ts) ----
  ...IDENTITY_CONFIG_RULES,
  // --- S3 public read/write ---
  // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html: "Identifier:
  // S3_BUCKET_PUBLIC_READ_PROHIBITED", resource type AWS::S3::Bucket, change-triggered and periodic, no parameters;
  // compliant when "The Block Public Access setting restricts public policies or the bucket policy does not allow
  // public read access" and "The Block Public Access setting restricts public ACLs or the bucket ACL does not allow
  // public read access". Security Hub S3.2 (Critical); s3-bucket-public-write-prohibited is the same for write, S3.3.
  S3_BUCKET_PUBLIC_READ_PROHIBITED: {
    identifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
    name: 's3-bucket-public-read-prohibited',
    resourceTypes: ['AWS::S3::Bucket'],
    summary:
      'No bucket allows public read access through its policy or its ACL (unless Block Public Access restricts them).',
    severity: 'critical',
    docs: `${CONFIG_GUIDE}/s3-bucket-public-read-prohibited.html`,
    mappings: [
      {
        controls: [
          securityHub('S3.2'),
          ...['1.2.1', '1.3.1', '1.3.2', '1.3.6', '7.2.1'].map((id) => pciDss('3.2.1', id)),
          ...['AC-21', 'AC-3', 'AC-3(7)', 'AC-4', 'AC-4(21)', 'AC-6', 'SC-7', 'SC-7(11)', 'SC-7(16)'].map(
            nist,
          ),
          ...['SC-7(20)', 'SC-7(21)', 'SC-7(3)', 'SC-7(4)', 'SC-7(9)'].map(nist),
        ],
        source: S3,
      },
    ],
  },
  S3_BUCKET_PUBLIC_WRITE_PROHIBITED: {
    identifier: 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
    name: 's3-bucket-public-write-prohibited',
    resourceTypes: ['AWS::S3::Bucket'],
    summary:
      'No bucket allows public write access through its policy or its ACL (unless Block Public Access restricts them).',
    severity: 'critical',
    docs: `${CONFIG_GUIDE}/s3-bucket-public-write-prohibited.html`,
    mappings: [
      {
        controls: [
          securityHub('S3.3'),
          ...['1.2.1', '1.3.1', '1.3.2', '1.3.4', '1.3.6', '7.2.1'].map((id) => pciDss('3.2.1', id)),
          ...['AC-21', 'AC-3', 'AC-3(7)', 'AC-4', 'AC-4(21)', 'AC-6', 'SC-7', 'SC-7(11)', 'SC-7(16)'].map(
            nist,
          ),
          ...['SC-7(20)', 'SC-7(21)', 'SC-7(3)', 'SC-7(4)', 'SC-7(9)'].map(nist),
        ],
        source: S3,
      },
    ],
  },
  // --- end S3 public read/write ---
  // --- RDS ---
  // https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-public-access-check.html: "Identifier:
  // RDS_INSTANCE_PUBLIC_ACCESS_CHECK", resource type AWS::RDS::DBInstance, change-triggered, no parameters;
  // NON_COMPLIANT "if the publiclyAccessible field is true in the instance configuration item". Security Hub RDS.2
  // (Critical) is backed by it; its "Related requirements" below.
  RDS_INSTANCE_PUBLIC_ACCESS_CHECK: {
    identifier: 'RDS_INSTANCE_PUBLIC_ACCESS_CHECK',
    name: 'rds-instance-public-access-check',
    resourceTypes: ['AWS::RDS::DBInstance'],
    summary: 'No RDS DB instance is publicly accessible (PubliclyAccessible false).',
    severity: 'critical',
    docs: `${CONFIG_GUIDE}/rds-instance-public-access-check.html`,
    mappings: [
      {
        controls: [
          securityHub('RDS.2'),
          ...['1.2.1', '1.3.1', '1.3.2', '1.3.4', '1.3.6', '7.2.1'].map((id) => pciDss('3.2.1', id)),
          ...['AC-4', 'AC-4(21)', 'SC-7', 'SC-7(11)', 'SC-7(16)', 'SC-7(21)', 'SC-7(4)', 'SC-7(5)'].map(nist),
        ],
        source: RDS,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/rds-snapshots-public-prohibited.html: "Identifier:
  // RDS_SNAPSHOTS_PUBLIC_PROHIBITED", resource types AWS::RDS::DBSnapshot and AWS::RDS::DBClusterSnapshot,
  // change-triggered, no parameters; NON_COMPLIANT "if any existing and new Amazon RDS snapshots are public".
  // Security Hub RDS.1 (Critical) is backed by it; its "Related requirements" below.
  RDS_SNAPSHOTS_PUBLIC_PROHIBITED: {
    identifier: 'RDS_SNAPSHOTS_PUBLIC_PROHIBITED',
    name: 'rds-snapshots-public-prohibited',
    resourceTypes: ['AWS::RDS::DBSnapshot', 'AWS::RDS::DBClusterSnapshot'],
    summary: 'No RDS DB snapshot or DB cluster snapshot is public (`all` on its restore attribute).',
    severity: 'critical',
    docs: `${CONFIG_GUIDE}/rds-snapshots-public-prohibited.html`,
    mappings: [
      {
        controls: [
          securityHub('RDS.1'),
          ...['1.2.1', '1.3.1', '1.3.4', '1.3.6', '7.2.1'].map((id) => pciDss('3.2.1', id)),
          ...['AC-21', 'AC-3', 'AC-3(7)', 'AC-4', 'AC-4(21)', 'AC-6', 'SC-7', 'SC-7(11)', 'SC-7(16)'].map(
            nist,
          ),
          ...['SC-7(20)', 'SC-7(21)', 'SC-7(3)', 'SC-7(4)', 'SC-7(9)'].map(nist),
        ],
        source: RDS,
      },
    ],
  },
  // --- end RDS ---
} as const satisfies Readonly<Record<string, ConfigRuleDeclaration>>;

export type ConfigRuleId = keyof typeof CONFIG_RULES;

/** Every declared rule's identifier. */
export const CONFIG_RULE_IDS = Object.keys(CONFIG_RULES) as ConfigRuleId[];

/**
 * The declaration of a rule identifier, or `undefined` (an unknown rule, or an inherited property name).
 *
 * @example configRule('INCOMING_SSH_DISABLED')?.name // 'restricted-ssh'
 */
export function configRule(identifier: string): ConfigRuleDeclaration | undefined {
  return Object.hasOwn(CONFIG_RULES, identifier) ? CONFIG_RULES[identifier as ConfigRuleId] : undefined;
}

/**
 * The score a severity label stands for when a detection declares a label (a Config result carries a score
 * like every incident: GuardDuty's bands, DOMAIN.md item 4 — low < 4 ≤ medium < 7 ≤ high < 9 ≤ critical).
 */
export const SEVERITY_SCORES: Readonly<Record<SeverityLabel, number>> = {
  low: 2,
  medium: 5,
  high: 7,
  critical: 9,
};

const BY_NAME: ReadonlyMap<string, ConfigRuleId> = new Map(
  CONFIG_RULE_IDS.flatMap((id) => {
    const rule: ConfigRuleDeclaration = CONFIG_RULES[id];
    return [rule.name, ...(rule.aliases ?? [])].map((name) => [name, id] as const);
  }),
);

/**
 * The rule a deployed name stands for, when only its name is known (DescribeConfigRules could not be read):
 * the managed rule's own name, or that name as a conformance pack (`<rule>-conformance-pack-<suffix>`) or
 * Security Hub (`securityhub-<rule>-<suffix>`) deploys it. `undefined` for any other name — a Control Tower
 * (`AWSControlTower_…`) or custom name is identified by its source identifier only.
 *
 * @example ruleIdentifierFromName('restricted-ssh-conformance-pack-k3lqt8bvs') // 'INCOMING_SSH_DISABLED'
 * @example ruleIdentifierFromName('securityhub-vpc-default-security-group-closed-4a1b2c') // 'VPC_DEFAULT_SECURITY_GROUP_CLOSED'
 */
export function ruleIdentifierFromName(ruleName: string): ConfigRuleId | undefined {
  const base = ruleName.replace(/-conformance-pack-[a-z0-9]+$/i, '');
  const direct = BY_NAME.get(base);
  if (direct !== undefined) return direct;
  const securityHub = /^securityhub-(.+)-[a-z0-9]+$/i.exec(base)?.[1];
  return securityHub === undefined ? undefined : BY_NAME.get(securityHub);
}

/**
 * The identifier a settings key names: a declared identifier as it is, a declared rule's kebab-case name (the
 * form settings used before rules were keyed by identifier) as its identifier, anything else (a custom rule's
 * name) unchanged.
 *
 * @example settingsRuleKey('restricted-ssh') // 'INCOMING_SSH_DISABLED'
 * @example settingsRuleKey('my-custom-rule') // 'my-custom-rule'
 */
export function settingsRuleKey(key: string): string {
  if (configRule(key) !== undefined) return key;
  return BY_NAME.get(key) ?? key;
}
