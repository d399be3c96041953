/**
 * The posture playbooks: remediations of what an AWS Config rule found non-compliant, and the release that
 * undoes them from the ledger. Declared like every playbook (catalog.ts, `PlaybookDefinition`), kept in their
 * own module so that the catalog stays readable as remediations are added.
 *
 * Pure data, like the catalog.
 */
import type { JsonObject } from './asl.ts';
import type { PlaybookDefinition } from './catalog.ts';
import { STATE_NAMES } from './states.ts';

const S = STATE_NAMES;

/**
 * The parameters of a posture playbook's fix: its own, and the rule that judged the target (`$.target.rule`:
 * identifier and parameters) and the controls the fix serves (`$.controls`, which every ledger entry of the
 * step records). Triage sends both for every posture target.
 *
 * @example postureParameters({ 'groupId.$': '$.target.groupId' }) // { 'groupId.$': …, 'rule.$': '$.target.rule', 'controls.$': '$.controls' }
 */
export function postureParameters(parameters: JsonObject): JsonObject {
  return { ...parameters, 'rule.$': '$.target.rule', 'controls.$': '$.controls' };
}

/** Why a rule's fix asks first by default: it removes access that something may depend on. */
const MAY_BREAK_A_WORKLOAD =
  'the fix removes access a workload may use (a service published on the port, a dependency on the group), so a person approves it first';

/** Why a stopped trail is started without asking: nothing depends on logging being off. */
const TRAIL_STOPPED =
  'a stopped trail is started again at once: stopping logging is an attacker’s first move, and logging breaks no workload (a trail stopped on purpose carries the exemption tag, or is stopped again by a release a person approves)';

/** Why the account's Block Public Access asks first: every bucket of the account loses public access at once. */
const ACCOUNT_PUBLIC_ACCESS_BECAUSE =
  'every bucket of the account stops being public at once (a public website, a download bucket, a partner reading through a public policy), so a person approves it first';

/**
 * Why public read or write access is blocked only after a person approves: the bucket may be public on purpose.
 */
const PUBLIC_READ_WRITE_BECAUSE =
  'the bucket may be public on purpose (a website, public downloads, an upload drop box), and Block Public Access cuts every anonymous reader or writer at once, so a person approves it first';

/**
 * The posture playbooks, by id (spread into `PLAYBOOKS`).
 *
 * @example POSTURE_PLAYBOOKS['security-group-ingress'].target // 'security-group'
 */
export const POSTURE_PLAYBOOKS: Readonly<
  Record<
    | 'security-group-ingress'
    | 'default-security-group'
    | 'remediation-release'
    | 'trail-logging'
    | 'trail-log-file-validation'
    | 'ebs-encryption-by-default'
    | 'public-snapshots'
    // --- S3 ---
    | 's3-account-public-access'
    | 's3-bucket-public-access'
    | 's3-bucket-secure-transport'
    | 's3-bucket-default-encryption'
    // --- end S3 ---
    // --- RDS ---
    | 'rds-instance-public-access'
    | 'rds-snapshots-public',
    // --- end RDS ---
    PlaybookDefinition
  >
> = {
  'security-group-ingress': {
    id: 'security-group-ingress',
    title: 'Security group open to the world',
    summary:
      'revoke exactly the inbound rules of a security group that open the ports an AWS Config rule forbids to 0.0.0.0/0 or ::/0, keeping every other rule, and record them (with their descriptions) for a release.',
    steps: ['revoke-open-ingress', 'notify'],
    approval: 'when-required',
    // A rule that the settings made automatic runs at once; one that asks runs only when a person approves:
    // a timeout never does. revoke-open-ingress revokes rules wider than the offending ports only when the run
    // asked (approvalRequired), which must therefore mean a person said yes — with an "approve" timeout
    // default (settings.approval.timeoutDefault, when the rule's score is under autoRemediateAt) it would not.
    timeoutDefaultApplies: false,
    finalEvent: 'remediated',
    mutating: true,
    target: 'security-group',
    routes: {
      configRules: {
        INCOMING_SSH_DISABLED: {
          category: 'noncompliant-resource',
          approval: 'auto',
          approvalBecause:
            'only rules confined to port 22 are revoked without a person (remote administration, which no workload should take from the whole internet; use the exemption tag for a public SFTP endpoint); a wider rule that also opens other ports is revoked only when a person approved the run',
          target: {},
        },
        RESTRICTED_INCOMING_TRAFFIC: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: `${MAY_BREAK_A_WORKLOAD} (FTP, MySQL and the other blocked ports are services, not only administration)`,
          target: {},
        },
        VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: `${MAY_BREAK_A_WORKLOAD} (a public web server's 443 is revoked when the rule's authorized ports do not name it)`,
          target: {},
        },
      },
    },
    linear: {
      'revoke-open-ingress': {
        state: S.revokeOpenIngress,
        parameters: postureParameters({
          'groupId.$': '$.target.groupId',
          'approvalRequired.$': '$.approval.required',
        }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a security group NON_COMPLIANT with a rule this playbook declares (`INCOMING_SSH_DISABLED`, `RESTRICTED_INCOMING_TRAFFIC`, `VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS`), whatever name the rule is deployed under (a conformance pack, Security Hub, Control Tower or a custom name: triage reads its source identifier with `config:DescribeConfigRules`). The rule’s parameters (blocked or authorized ports) come from the same call. Whether it asks first is the mapping in `settings.configRulePlaybooks`.',
      release:
        'Every revoked rule is recorded in the incident ledger before it is revoked: its direction, protocol, ports, peer and description. Start `remediation-release` for the incident: it authorizes exactly those rules again (with their descriptions), and nothing else.',
      replay: {
        args: 'packages/cli/demo/config-restricted-ssh-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  'default-security-group': {
    id: 'default-security-group',
    title: 'Default security group not closed',
    summary:
      "remove every inbound and outbound rule of a VPC's default security group, recording each for a release.",
    steps: ['close-default-security-group', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'security-group',
    routes: {
      configRules: {
        VPC_DEFAULT_SECURITY_GROUP_CLOSED: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: `${MAY_BREAK_A_WORKLOAD} (every instance still in the default group loses all its traffic, egress included)`,
          target: {},
        },
      },
    },
    linear: {
      'close-default-security-group': {
        state: S.closeDefaultSecurityGroup,
        parameters: postureParameters({ 'groupId.$': '$.target.groupId' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        "Triage starts it when AWS Config reports a VPC's default security group NON_COMPLIANT with `VPC_DEFAULT_SECURITY_GROUP_CLOSED` (whatever name the rule is deployed under). It asks for approval first by default: resources still using the default group lose all their traffic.",
      release:
        'Every removed rule (inbound and outbound, with its description) is recorded in the incident ledger before it is removed. Start `remediation-release` for the incident to authorize exactly those rules again.',
      replay: {
        args: 'packages/cli/demo/config-vpc-default-security-group-closed-securityhub-noncompliant.json --approve',
      },
    },
  },
  // ---- CloudTrail: trail logging ----
  'trail-logging': {
    id: 'trail-logging',
    title: 'CloudTrail logging stopped',
    summary:
      'start again every stopped CloudTrail trail of the Region that an AWS Config rule counts (any trail, or multi-Region trails), record which for a release, and leave every other trail as it is.',
    steps: ['start-trail-logging', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'account',
    routes: {
      configRules: {
        CLOUD_TRAIL_ENABLED: {
          category: 'noncompliant-resource',
          approval: 'auto',
          approvalBecause: TRAIL_STOPPED,
          target: {},
        },
        MULTI_REGION_CLOUD_TRAIL_ENABLED: {
          category: 'noncompliant-resource',
          approval: 'auto',
          approvalBecause: TRAIL_STOPPED,
          target: {},
        },
      },
    },
    linear: {
      'start-trail-logging': {
        state: S.startTrailLogging,
        parameters: postureParameters({ 'accountId.$': '$.target.accountId' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports the account NON_COMPLIANT with `CLOUD_TRAIL_ENABLED` or `MULTI_REGION_CLOUD_TRAIL_ENABLED` (periodic rules on `AWS::::Account`), whatever name the rule is deployed under. It starts only trails that exist and are stopped, homed in the Region of the result; it never creates a trail (that needs a bucket whose policy lets CloudTrail write: a person decides), and a stopped multi-Region trail homed in another Region is reported, since only its home Region can start it. It runs at once by default: stopping logging is an attacker’s first move, and starting it again breaks no workload.',
      release:
        'Every trail started is recorded in the incident ledger before it is started (each was stopped). Start `remediation-release` for the incident: after a person approves, it stops exactly those trails again, if they still log, and nothing else. Stopping logging is what an attacker wants, so the release is never automatic (the release playbook always asks, and a timeout releases nothing), and GuardDuty will report the release’s StopLogging as `Stealth:IAMUser/CloudTrailLoggingDisabled` by Cordon’s release role.',
      replay: {
        args: 'packages/cli/demo/config-cloudtrail-enabled-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  'trail-log-file-validation': {
    id: 'trail-log-file-validation',
    title: 'CloudTrail log file validation off',
    summary:
      'turn on log file validation of the CloudTrail trail an AWS Config rule named, changing nothing else of it, and record that it was off for a release.',
    steps: ['enable-log-file-validation', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'trail',
    routes: {
      configRules: {
        CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED: {
          category: 'noncompliant-resource',
          approval: 'auto',
          approvalBecause:
            'validation only adds a signed digest file beside the logs every hour: no log, destination or workload changes',
          target: {},
        },
      },
    },
    linear: {
      'enable-log-file-validation': {
        state: S.enableLogFileValidation,
        parameters: postureParameters({ 'trail.$': '$.target.trail' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a trail (`AWS::CloudTrail::Trail`) NON_COMPLIANT with `CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED`, whatever name the rule is deployed under. It runs at once by default: validation only adds digest files. A trail homed in another Region is refused (UpdateTrail must be called in its home Region), named, with nothing changed.',
      release:
        'That validation was off is recorded in the incident ledger before it is turned on. Start `remediation-release` for the incident: after a person approves, it turns validation off again on that trail, if it is still on, and nothing else.',
      replay: {
        args: 'packages/cli/demo/config-cloud-trail-log-file-validation-enabled-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  // ---- EBS ----
  'ebs-encryption-by-default': {
    id: 'ebs-encryption-by-default',
    title: 'EBS encryption by default off',
    summary:
      'turn on EBS encryption by default in the account and Region an AWS Config rule found it off, recording that it was off for a release.',
    steps: ['enable-ebs-default-encryption', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'account',
    routes: {
      configRules: {
        EC2_EBS_ENCRYPTION_BY_DEFAULT: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause:
            'after it, instance types that do not support encryption can no longer be launched and new volumes use the Region’s default KMS key, which every role that launches instances (Auto Scaling’s included) must be able to use: a person checks the launch templates first',
          target: {},
        },
      },
    },
    linear: {
      'enable-ebs-default-encryption': {
        state: S.enableEbsDefaultEncryption,
        parameters: postureParameters({ 'accountId.$': '$.target.accountId' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports the account (`AWS::::Account`) NON_COMPLIANT with `EC2_EBS_ENCRYPTION_BY_DEFAULT`, whatever name the rule is deployed under. It asks for approval first by default: encryption by default stops launches of instance types that do not support encryption, and new volumes need the default KMS key. Existing volumes are not changed (AWS does not encrypt them).',
      release:
        'That the setting was off is recorded in the incident ledger before it is turned on. Start `remediation-release` for the incident: after a person approves, it turns encryption by default off again in that account and Region, if it is still on.',
      replay: {
        args: 'packages/cli/demo/config-ec2-ebs-encryption-by-default-securityhub-noncompliant.json --approve',
      },
    },
  },
  'public-snapshots': {
    id: 'public-snapshots',
    title: 'Public EBS snapshots',
    summary:
      'make private every public EBS snapshot the account owns in the Region (remove the group `all`, keep the accounts each is shared with), recording each for a release.',
    steps: ['make-snapshots-private', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'account',
    routes: {
      configRules: {
        EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: `${MAY_BREAK_A_WORKLOAD} (a snapshot may be published on purpose, as a public dataset or the source of a shared image, and every account restoring from it loses access)`,
          target: {},
        },
      },
    },
    linear: {
      'make-snapshots-private': {
        state: S.makeSnapshotsPrivate,
        parameters: postureParameters({ 'accountId.$': '$.target.accountId' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports the account (`AWS::::Account`) NON_COMPLIANT with `EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK` (a periodic rule: the result names the account, not the snapshot), whatever name the rule is deployed under. It asks for approval first by default. A public snapshot with the exemption tag stays public and is reported.',
      release:
        'Every snapshot made private is recorded in the incident ledger before the change. Start `remediation-release` for the incident: after a person approves, it adds the group `all` back to exactly those snapshots (if they still exist and are not public already), and nothing else.',
      replay: {
        args: 'packages/cli/demo/config-ebs-snapshot-public-restorable-check-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  // --- S3 ---
  's3-account-public-access': {
    id: 's3-account-public-access',
    title: "Account's S3 Block Public Access off",
    summary:
      "turn on the account's S3 Block Public Access settings its AWS Config rule enforces (all four by default), recording the configuration it replaces for a release.",
    steps: ['block-account-public-access', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 's3-account',
    routes: {
      configRules: {
        S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: ACCOUNT_PUBLIC_ACCESS_BECAUSE,
          target: {},
        },
        S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: ACCOUNT_PUBLIC_ACCESS_BECAUSE,
          target: {},
        },
      },
    },
    linear: {
      'block-account-public-access': {
        state: S.blockAccountPublicAccess,
        parameters: postureParameters({ 'accountId.$': '$.target.accountId' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        "Triage starts it when AWS Config reports the account NON_COMPLIANT with `S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS` (resource `AWS::S3::AccountPublicAccessBlock`) or `S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC` (resource `AWS::::Account`, the rule behind Security Hub S3.1), whatever name the rule is deployed under. The rule's parameters say which of the four settings it enforces (all four by default). It asks for approval first by default.",
      release:
        "The account's configuration before the fix (or its absence) is recorded in the incident ledger before anything changes. Start `remediation-release` for the incident: it puts that configuration back exactly, or deletes the configuration when the account had none — and refuses, changing nothing, when someone changed the settings since the fix.",
      replay: {
        args: 'packages/cli/demo/config-s3-account-level-public-access-blocks-periodic-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  's3-bucket-public-access': {
    id: 's3-bucket-public-access',
    title: "Bucket's S3 Block Public Access off",
    summary:
      "turn on the four S3 Block Public Access settings of a bucket, recording the bucket's configuration it replaces for a release.",
    steps: ['block-bucket-public-access', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 's3-bucket',
    routes: {
      configRules: {
        S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause:
            'a bucket whose settings are off may be public on purpose (a website, public downloads) without being listed in the rule’s excludedPublicBuckets, so a person approves it first',
          target: {},
        },
        // --- S3 public read/write ---
        S3_BUCKET_PUBLIC_READ_PROHIBITED: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: PUBLIC_READ_WRITE_BECAUSE,
          target: {},
        },
        S3_BUCKET_PUBLIC_WRITE_PROHIBITED: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: PUBLIC_READ_WRITE_BECAUSE,
          target: {},
        },
        // --- end S3 public read/write ---
      },
    },
    linear: {
      'block-bucket-public-access': {
        state: S.blockBucketPublicAccess,
        parameters: postureParameters({ 'bucketName.$': '$.target.bucketName' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a bucket NON_COMPLIANT with `S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED` (the rule behind Security Hub S3.8), whatever name the rule is deployed under. A bucket the rule’s `excludedPublicBuckets` names, or that carries the exemption tag, is refused with nothing changed. It asks for approval first by default. It also answers `S3_BUCKET_PUBLIC_READ_PROHIBITED` and `S3_BUCKET_PUBLIC_WRITE_PROHIBITED` (Security Hub S3.2, S3.3): both rules are compliant once Block Public Access restricts public policies and public ACLs (their pages), so the same four settings are the fix — the bucket’s ACL and policy are left as they are (a public grant is ignored, not deleted), which is what makes the release exact; AWS’s Automated Security Response answers S3.2 and S3.3 the same way. GuardDuty’s `Policy:S3/BucketBlockPublicAccessDisabled` is not routed here: GuardDuty findings are routed by category, and that category (S3 data exposure) also holds findings this fix does not answer.',
      release:
        "The bucket's own configuration before the fix (or its absence) is recorded in the incident ledger before anything changes. Start `remediation-release` for the incident: it puts that configuration back exactly, or deletes it when the bucket had none — and refuses, changing nothing, when someone changed the settings since the fix.",
      replay: {
        args: 'packages/cli/demo/config-s3-bucket-level-public-access-prohibited-securityhub-noncompliant.json --approve',
      },
    },
  },
  's3-bucket-secure-transport': {
    id: 's3-bucket-secure-transport',
    title: 'Bucket accepting plain HTTP',
    summary:
      "add one statement to a bucket's policy denying every request not sent over TLS, keeping every other statement, and record the policy for a release.",
    steps: ['require-secure-transport', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 's3-bucket',
    routes: {
      configRules: {
        S3_BUCKET_SSL_REQUESTS_ONLY: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause:
            'a client that still sends plain HTTP (an old SDK, a device, a website endpoint, which serves HTTP only) is refused from then on, so a person approves it first',
          target: {},
        },
      },
    },
    linear: {
      'require-secure-transport': {
        state: S.requireSecureTransport,
        parameters: postureParameters({ 'bucketName.$': '$.target.bucketName' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a bucket NON_COMPLIANT with `S3_BUCKET_SSL_REQUESTS_ONLY` (the rule behind Security Hub S3.5), whatever name the rule is deployed under. A bucket with the exemption tag, or whose policy is not JSON, is refused with nothing changed. It asks for approval first by default.',
      release:
        'The bucket policy from before the fix (verbatim, or its absence) is recorded in the incident ledger before anything changes. Start `remediation-release` for the incident: it removes exactly the `CordonDenyInsecureTransport` statement — the policy from before put back verbatim when nobody edited it since (deleted when the bucket had none), otherwise every later edit kept and only that statement removed.',
      replay: {
        args: 'packages/cli/demo/config-s3-bucket-ssl-requests-only-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  's3-bucket-default-encryption': {
    id: 's3-bucket-default-encryption',
    title: 'Bucket without default encryption',
    summary:
      'give a bucket without default encryption SSE-S3 (AES256), leaving any chosen encryption as it is.',
    steps: ['enable-default-encryption', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 's3-bucket',
    routes: {
      configRules: {
        S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED: {
          category: 'noncompliant-resource',
          approval: 'auto',
          approvalBecause:
            'SSE-S3 changes how new objects are stored, not who may read or write them (no key policy, no KMS permission for readers), so it runs without a person',
          target: {},
        },
      },
    },
    linear: {
      'enable-default-encryption': {
        state: S.enableDefaultEncryption,
        parameters: postureParameters({ 'bucketName.$': '$.target.bucketName' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a bucket NON_COMPLIANT with `S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED` (the rule behind Security Hub S3.4), whatever name the rule is deployed under. A bucket with the exemption tag is refused with nothing changed; a bucket with any default encryption is left as it is. It runs without approval by default.',
      release:
        'That the bucket had no default encryption is recorded in the incident ledger before anything changes. Start `remediation-release` for the incident: it deletes the configuration the fix set — S3 then applies its own default, SSE-S3 (DeleteBucketEncryption "resets" to it), so "no default encryption" cannot be put back; a bucket whose encryption was changed since is left as it is.',
      replay: {
        args: 'packages/cli/demo/config-s3-bucket-server-side-encryption-enabled-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  // --- end S3 ---
  // --- RDS ---
  'rds-instance-public-access': {
    id: 'rds-instance-public-access',
    title: 'Publicly accessible RDS DB instance',
    summary:
      'set `PubliclyAccessible` to false on the RDS DB instance an AWS Config rule found publicly accessible, changing nothing else of it, and record that it was public for a release.',
    steps: ['make-db-instance-private', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'rds-instance',
    routes: {
      configRules: {
        RDS_INSTANCE_PUBLIC_ACCESS_CHECK: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: `${MAY_BREAK_A_WORKLOAD} (every client that reaches the database from outside its VPC — a BI tool, an engineer’s laptop, a partner — loses it at once)`,
          target: {},
        },
      },
    },
    linear: {
      'make-db-instance-private': {
        state: S.makeDbInstancePrivate,
        parameters: postureParameters({ 'dbiResourceId.$': '$.target.dbiResourceId' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a DB instance (`AWS::RDS::DBInstance`, named by its resource id `db-…`) NON_COMPLIANT with `RDS_INSTANCE_PUBLIC_ACCESS_CHECK` (the rule behind Security Hub RDS.2), whatever name the rule is deployed under. It asks for approval first by default. The change is applied at once by RDS whatever `ApplyImmediately` says, so Cordon sends `ApplyImmediately: false`: nothing queued for the maintenance window (a class change, an upgrade) is applied early. An instance with the exemption tag is refused with nothing changed; a busy one (backing up, modifying) is retried.',
      release:
        'That the instance was publicly accessible is recorded in the incident ledger (its identifier and resource id) before the change. Start `remediation-release` for the incident: after a person approves, it sets `PubliclyAccessible` back to true on that instance (found by its resource id, even if renamed), if it is still private, and nothing else.',
      replay: {
        args: 'packages/cli/demo/config-rds-instance-public-access-check-securityhub-noncompliant.json --approve',
      },
    },
  },
  'rds-snapshots-public': {
    id: 'rds-snapshots-public',
    title: 'Public RDS snapshot',
    summary:
      'remove `all` from the restore attribute of the RDS DB snapshot or DB cluster snapshot an AWS Config rule found public, keeping the accounts it is shared with, and record it for a release.',
    steps: ['make-db-snapshot-private', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'rds-snapshot',
    routes: {
      configRules: {
        RDS_SNAPSHOTS_PUBLIC_PROHIBITED: {
          category: 'noncompliant-resource',
          approval: 'required',
          approvalBecause: `${MAY_BREAK_A_WORKLOAD} (a snapshot may be published on purpose, as a public dataset or a demo database, and every account restoring it loses access)`,
          target: {},
        },
      },
    },
    linear: {
      'make-db-snapshot-private': {
        state: S.makeDbSnapshotPrivate,
        parameters: postureParameters({
          'snapshot.$': '$.target.snapshot',
          'resourceType.$': '$.target.resourceType',
        }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a DB snapshot (`AWS::RDS::DBSnapshot`) or DB cluster snapshot (`AWS::RDS::DBClusterSnapshot`) NON_COMPLIANT with `RDS_SNAPSHOTS_PUBLIC_PROHIBITED` (the rule behind Security Hub RDS.1; it judges both kinds), whatever name the rule is deployed under. It asks for approval first by default. Only `all` is removed: accounts the snapshot is shared with by id keep it. A snapshot with the exemption tag is refused with nothing changed.',
      release:
        'That the snapshot was public is recorded in the incident ledger (its kind and identifier) before the change. Start `remediation-release` for the incident: after a person approves, it adds `all` back to that snapshot’s restore attribute, if it still exists and is not public already, and nothing else.',
      replay: {
        args: 'packages/cli/demo/config-rds-snapshots-public-prohibited-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  // --- end RDS ---
  'remediation-release': {
    id: 'remediation-release',
    title: 'Remediation release',
    summary:
      "after an approval, put back exactly what an incident's remediations removed, from what each recorded in the ledger before it changed anything.",
    steps: ['release-remediation', 'notify'],
    // A release is never automatic: always asked for, and a timeout releases nothing.
    approval: 'always',
    timeoutDefaultApplies: false,
    finalEvent: 'released',
    mutating: true,
    target: 'incident-changes',
    routes: { responder: true },
    linear: {
      'release-remediation': { state: S.releaseRemediation, parameters: {} },
      notify: { state: S.tellReleased, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Started by a responder, never by a finding, on the incident whose remediation is to be undone (the execution input of that incident, or a new one with its incident id): every step of the incident that declared a release is undone from the restore record it wrote before changing anything. It always asks for approval, and a timeout never releases anything.',
      release:
        'This is the release of the posture remediations (`security-group-ingress`, `default-security-group`, `trail-logging`, `trail-log-file-validation`, `ebs-encryption-by-default`, `public-snapshots`, `password-policy`, `kms-key-rotation`, `rds-instance-public-access`, `rds-snapshots-public`). To fix the resource again, AWS Config re-evaluates it and a new incident runs the remediation.',
      replay: {
        none: 'No event starts a release: an engineer does. The scenario tests `test/scenarios/security-group-ingress.*.test.ts` and `test/scenarios/default-security-group.*.test.ts` fix a security group and then run this playbook in the local engine, which puts back exactly the rules that were removed; `test/scenarios/trail-logging.*`, `trail-log-file-validation.*`, `ebs-encryption-by-default.*`, `public-snapshots.*`, `password-policy.*` and `kms-key-rotation.*` do the same for a stopped trail, log file validation, EBS encryption by default, a public snapshot, a weak password policy and a key that does not rotate; `rds-instance-public-access.*` and `rds-snapshots-public.*` for a publicly accessible DB instance and public DB (cluster) snapshots.',
      },
    },
  },
};
