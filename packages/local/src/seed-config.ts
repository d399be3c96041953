/**
 * Seeding the sandbox from an AWS Config result: the rule the result names (in the sandbox's Config model,
 * under the name it was deployed with, with the source identifier that name stands for and the parameters its
 * seed gives it) and the resource it judged, made non-compliant the way the rule says — beside what the fix
 * must leave alone (narrower peers, other ports, outbound rules), so that `cordon replay` and the scenario
 * tests show exactly what a fix changes and its release puts back.
 *
 * One seed per managed rule, by source identifier ({@link CONFIG_SEEDS}); the conformance test names a rule a
 * remediation acts on whose seed is missing.
 */
import type { IpPermission } from '@aws-sdk/client-ec2';
import { CONFIG_RULE_SEVERITIES } from '@cordon/core/intake/config-rules';
import type { ConfigFacts, GenericResource } from '@cordon/core/intake/incident';
import { ruleIdentifierFromName } from '@cordon/core/playbooks/config-rules';
import type { Sandbox } from './sandbox/index.ts';
import type { PublicAccessBlock } from './sandbox/models/s3.ts';

/** Where a seed puts the resource: the ids the result names (valid ones; placeholders were replaced). */
export interface ConfigSeedTarget {
  /** The resource id of the result (`sg-…`). */
  readonly resourceId: string;
  /** A VPC id to create the resource in (derived from the resource id). */
  readonly vpcId: string;
  /** The resource type of the result, for a rule that judges more than one (`AWS::RDS::DBClusterSnapshot`). */
  readonly resourceType?: string;
}

/** How to make the sandbox hold a resource a rule judges non-compliant. */
export interface ConfigSeed {
  /** The rule's input parameters in the sandbox's Config model (absent: deployed without parameters). */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Puts the non-compliant resource (and what must survive the fix) in the sandbox. */
  seed(sandbox: Sandbox, target: ConfigSeedTarget): void;
}

const WORLD_V4 = '0.0.0.0/0';
const WORLD_V6 = '::/0';
const OFFICE = '10.0.0.0/8';

/** One TCP or UDP permission to one CIDR, with a description. */
function open(protocol: 'tcp' | 'udp', port: number | [number, number], cidr: string, description: string) {
  const [from, to] = typeof port === 'number' ? [port, port] : port;
  const range = cidr.includes(':')
    ? { Ipv6Ranges: [{ CidrIpv6: cidr, Description: description }] }
    : { IpRanges: [{ CidrIp: cidr, Description: description }] };
  return { IpProtocol: protocol, FromPort: from, ToPort: to, ...range } satisfies IpPermission;
}

/**
 * A group open to the world on `offending` (one rule of it tagged, so a release must put its tags back too)
 * beside `surviving` rules, in a VPC of its own.
 */
function openGroup(
  name: string,
  offending: readonly IpPermission[],
  surviving: readonly IpPermission[],
): ConfigSeed['seed'] {
  return (sandbox, { resourceId, vpcId }) => {
    if (sandbox.ec2.snapshot().securityGroups[resourceId] !== undefined) return;
    if (sandbox.ec2.snapshot().vpcs[vpcId] === undefined) sandbox.ec2.addVpc({ vpcId });
    sandbox.ec2.addSecurityGroup({
      groupId: resourceId,
      groupName: name,
      description: `${name} (seeded from a Config result)`,
      vpcId,
      ingress: [...offending.slice(1), ...surviving],
    });
    const [tagged] = offending;
    if (tagged === undefined) return;
    // Through the model's own command: a rule's tags come with the call that authorizes it.
    void sandbox.ec2.commands.AuthorizeSecurityGroupIngress?.(
      {
        GroupId: resourceId,
        IpPermissions: [tagged],
        TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'team', Value: 'web' }] }],
      },
      sandbox.account.context,
    );
  };
}

/**
 * The account's Block Public Access set to `block` (`null`: none), when the result names the sandbox's account
 * (the resource id of an account-level result is the account id; another account's settings are not the
 * sandbox's to change).
 */
function accountPublicAccessBlock(block: Partial<PublicAccessBlock> | null): ConfigSeed['seed'] {
  return (sandbox, { resourceId }) => {
    if (resourceId !== sandbox.account.context.accountId) return;
    sandbox.s3Control.setPublicAccessBlock(block);
  };
}

/** A bucket policy letting one partner account read the bucket's objects (not public). */
function partnerReadPolicy(bucket: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PartnerRead',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::210987654321:root' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  };
}

/** A bucket public through its canned ACL (ACLs enabled), without Block Public Access, with a policy and tags. */
function publicAclBucket(acl: 'public-read' | 'public-read-write'): ConfigSeed['seed'] {
  return (sandbox, { resourceId }) => {
    if (sandbox.s3.findBucket(resourceId) !== undefined) return;
    sandbox.s3.addBucket({
      name: resourceId,
      acl,
      objectOwnership: 'ObjectWriter',
      publicAccessBlock: null,
      policy: partnerReadPolicy(resourceId),
      tags: { team: 'web' },
    });
  };
}

/**
 * The seed of each managed rule, by source identifier.
 *
 * @example CONFIG_SEEDS.INCOMING_SSH_DISABLED.seed(sandbox, { resourceId: 'sg-0123456789abcdef0', vpcId })
 */
export const CONFIG_SEEDS: Readonly<Record<string, ConfigSeed>> = {
  // SSH from the whole internet (IPv4 and IPv6) beside SSH from the office and HTTPS for everyone.
  INCOMING_SSH_DISABLED: {
    seed: openGroup(
      'bastion',
      [open('tcp', 22, WORLD_V4, 'ssh from anywhere'), open('tcp', 22, WORLD_V6, 'ssh from anywhere (IPv6)')],
      [open('tcp', 22, OFFICE, 'ssh from the office'), open('tcp', 443, WORLD_V4, 'https')],
    ),
  },
  // RDP and MySQL from the internet (the documented default blocked ports), beside HTTPS and office RDP.
  RESTRICTED_INCOMING_TRAFFIC: {
    seed: openGroup(
      'windows-app',
      [open('tcp', 3389, WORLD_V4, 'rdp from anywhere'), open('tcp', 3306, WORLD_V6, 'mysql from anywhere')],
      [open('tcp', 443, WORLD_V4, 'https'), open('tcp', 3389, OFFICE, 'rdp from the office')],
    ),
  },
  // Only TCP 443 is authorized: an app port and DNS over UDP are open to the internet beside it.
  VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS: {
    parameters: { authorizedTcpPorts: '443' },
    seed: openGroup(
      'public-web',
      [open('tcp', 8080, WORLD_V4, 'app port'), open('udp', 53, WORLD_V4, 'dns')],
      [open('tcp', 443, WORLD_V4, 'https'), open('tcp', 22, OFFICE, 'ssh from the office')],
    ),
  },
  // The VPC's default group with AWS's default rules (all from itself in; all out, IPv4 and IPv6) and SSH in.
  VPC_DEFAULT_SECURITY_GROUP_CLOSED: {
    seed(sandbox, { resourceId, vpcId }) {
      if (sandbox.ec2.snapshot().securityGroups[resourceId] !== undefined) return;
      sandbox.ec2.addVpc({ vpcId, defaultGroupId: resourceId, ipv6CidrBlock: '2600:1f18:abcd:1200::/56' });
      void sandbox.ec2.commands.AuthorizeSecurityGroupIngress?.(
        { GroupId: resourceId, IpPermissions: [open('tcp', 22, WORLD_V4, 'temporary admin access')] },
        sandbox.account.context,
      );
    },
  },
  // --- S3 ---
  // The account's Block Public Access half on (public ACLs blocked and ignored, public policies allowed): the
  // change-triggered rule evaluates only an account that has a configuration, and a release must put back
  // exactly these two settings, not delete them.
  S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS: {
    seed: accountPublicAccessBlock({ blockPublicAcls: true, ignorePublicAcls: true }),
  },
  // No account-level configuration at all (the periodic rule judges the account itself): a release deletes the
  // configuration the fix created.
  S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC: { seed: accountPublicAccessBlock(null) },
  // A bucket whose own Block Public Access only blocks new public ACLs, with a policy (another account may read)
  // and tags beside it: the fix turns on the other three settings, and a release must put back exactly the one.
  S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: {
    seed(sandbox, { resourceId }) {
      if (sandbox.s3.findBucket(resourceId) !== undefined) return;
      sandbox.s3.addBucket({
        name: resourceId,
        publicAccessBlock: { blockPublicAcls: true },
        policy: partnerReadPolicy(resourceId),
        tags: { team: 'web' },
      });
    },
  },
  // A bucket whose policy lets a partner read and has no TLS statement: the fix adds one statement, keeping it.
  S3_BUCKET_SSL_REQUESTS_ONLY: {
    seed(sandbox, { resourceId }) {
      if (sandbox.s3.findBucket(resourceId) !== undefined) return;
      sandbox.s3.addBucket({
        name: resourceId,
        policy: partnerReadPolicy(resourceId),
        tags: { team: 'data' },
      });
    },
  },
  // A bucket without default encryption (as buckets could be before S3 applied SSE-S3 to all), with a policy and tags.
  S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED: {
    seed(sandbox, { resourceId }) {
      if (sandbox.s3.findBucket(resourceId) !== undefined) return;
      sandbox.s3.addBucket({
        name: resourceId,
        encryption: null,
        policy: partnerReadPolicy(resourceId),
        tags: { team: 'archive' },
      });
    },
  },
  // --- end S3 ---
  // --- S3 public read/write ---
  // A bucket readable (or writable) by everyone through its ACL, with ACLs enabled and no Block Public Access, beside
  // a partner-read policy and tags: the fix turns on the four settings and leaves the ACL and policy as they are.
  S3_BUCKET_PUBLIC_READ_PROHIBITED: { seed: publicAclBucket('public-read') },
  S3_BUCKET_PUBLIC_WRITE_PROHIBITED: { seed: publicAclBucket('public-read-write') },
  // --- end S3 public read/write ---
  // ---- CloudTrail: trail logging ----
  // The account's only trail, multi-Region, stopped (as an attacker's StopLogging leaves it).
  CLOUD_TRAIL_ENABLED: { seed: (sandbox) => seedTrails(sandbox, { withLoggingSingleRegion: false }) },
  // A stopped multi-Region trail beside a single-Region trail that logs (which the rule does not count, and the
  // fix must leave as it is).
  MULTI_REGION_CLOUD_TRAIL_ENABLED: {
    seed: (sandbox) => seedTrails(sandbox, { withLoggingSingleRegion: true }),
  },
  // The trail the result names, logging without validation, beside another trail without validation (its own
  // result, which this fix must leave alone).
  CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED: {
    seed(sandbox, { resourceId }) {
      const name = resourceId.split('/').at(-1) ?? resourceId;
      if (sandbox.cloudTrail.findTrail(name) !== undefined) return;
      sandbox.cloudTrail
        .addTrail({
          name,
          s3BucketName: `aws-cloudtrail-logs-${sandbox.account.accountId}`,
          isMultiRegionTrail: true,
          logFileValidationEnabled: false,
          tags: { team: 'security' },
        })
        .addTrail({ name: SEEDED_TRAILS.logging, s3BucketName: `app-audit-${sandbox.account.accountId}` });
    },
  },
  // ---- EBS ----
  // EBS encryption by default off in the Region (as a new account has it).
  EC2_EBS_ENCRYPTION_BY_DEFAULT: { seed: (sandbox) => sandbox.ec2.setEbsEncryptionByDefault(false) },
  // A public snapshot that is also shared with a partner account (the share must survive), beside a private one.
  EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK: {
    seed(sandbox) {
      if (sandbox.ec2.snapshot().snapshots[SEEDED_SNAPSHOTS.public] !== undefined) return;
      sandbox.ec2.addSnapshot({
        snapshotId: SEEDED_SNAPSHOTS.public,
        description: 'db backup',
        createVolumePermission: { groups: ['all'], userIds: [SEEDED_SNAPSHOTS.partner] },
      });
      sandbox.ec2.addSnapshot({ snapshotId: SEEDED_SNAPSHOTS.private, description: 'app volume' });
    },
  },
  // ---- identity posture ----
  // A weak password policy (numbers only, 5 remembered, no expiry) with a minimum length stronger than the
  // settings' 14: the fix raises the rest and keeps the 16, and a release puts back exactly this policy.
  IAM_PASSWORD_POLICY: {
    seed(sandbox, { resourceId }) {
      if (resourceId !== sandbox.account.context.accountId) return;
      sandbox.iam.setPasswordPolicy(SEEDED_PASSWORD_POLICY);
    },
  },
  // A customer managed symmetric key that does not rotate (with an alias and a tag), beside an AWS managed key,
  // which always rotates and which the fix must not touch.
  CMK_BACKING_KEY_ROTATION_ENABLED: {
    seed(sandbox, { resourceId }) {
      if (sandbox.kms.findKey(resourceId) !== undefined) return;
      sandbox.kms.addKey({
        keyId: resourceId,
        description: 'orders table encryption',
        rotation: false,
        aliases: ['orders'],
        tags: { team: 'payments' },
      });
      sandbox.kms.addKey({ keyManager: 'AWS', aliases: ['aws/s3'], description: 'Default key for S3' });
    },
  },
  // ---- end identity posture ----
  // --- RDS ---
  // The instance the result names, publicly accessible and tagged, beside another public instance (its own
  // result, which this fix must leave alone).
  RDS_INSTANCE_PUBLIC_ACCESS_CHECK: {
    seed(sandbox, { resourceId }) {
      const instances = Object.values(sandbox.rds.snapshot().instances);
      if (instances.some((instance) => instance.resourceId === resourceId)) return;
      sandbox.rds
        .addInstance({
          identifier: SEEDED_DB_INSTANCES.named,
          resourceId,
          publiclyAccessible: true,
          tags: { team: 'orders' },
        })
        .addInstance({ identifier: SEEDED_DB_INSTANCES.other, publiclyAccessible: true });
    },
  },
  // The snapshot the result names (a DB snapshot or a DB cluster snapshot, as its type says), public and shared
  // with a partner account (the share must survive), beside a public snapshot of the other kind (its own result,
  // which this fix must leave alone).
  RDS_SNAPSHOTS_PUBLIC_PROHIBITED: {
    seed(sandbox, { resourceId, resourceType }) {
      const identifier = resourceId.split(':').at(-1) ?? resourceId;
      const state = sandbox.rds.snapshot();
      if (state.snapshots[identifier] !== undefined || state.clusterSnapshots[identifier] !== undefined)
        return;
      const named = { identifier, restore: ['all', SEEDED_DB_SNAPSHOTS.partner], tags: { team: 'orders' } };
      const other = { identifier: SEEDED_DB_SNAPSHOTS.other, restore: ['all'] };
      if (resourceType === 'AWS::RDS::DBClusterSnapshot') {
        sandbox.rds.addClusterSnapshot({ ...named, sourceIdentifier: 'orders-aurora' }).addSnapshot(other);
      } else {
        sandbox.rds.addSnapshot({ ...named, sourceIdentifier: 'orders' }).addClusterSnapshot(other);
      }
    },
  },
  // --- end RDS ---
};

/** The weak account password policy the `iam-password-policy` seed sets (UpdateAccountPasswordPolicy's input). */
export const SEEDED_PASSWORD_POLICY = {
  MinimumPasswordLength: 16,
  RequireNumbers: true,
  AllowUsersToChangePassword: true,
  PasswordReusePrevention: 5,
} as const;

/** The partner account the public RDS snapshot is also shared with, and the other public snapshot's identifier. */
export const SEEDED_DB_SNAPSHOTS = { partner: '444455556666', other: 'reporting-demo-data' } as const;

/** The DB instances the RDS instance seed makes: the one the result names, and another public one. */
export const SEEDED_DB_INSTANCES = { named: 'orders', other: 'reporting' } as const;

/** The snapshots the public-snapshot seed makes, and the partner account one of them is shared with. */
export const SEEDED_SNAPSHOTS = {
  public: 'snap-0a1b2c3d4e5f60718',
  private: 'snap-0f1e2d3c4b5a69788',
  partner: '444455556666',
} as const;

/** The trail names the CloudTrail seeds use. */
export const SEEDED_TRAILS = { stopped: 'management-events', logging: 'app-audit' } as const;

function seedTrails(sandbox: Sandbox, options: { readonly withLoggingSingleRegion: boolean }): void {
  if (sandbox.cloudTrail.findTrail(SEEDED_TRAILS.stopped) !== undefined) return;
  sandbox.cloudTrail.addTrail({
    name: SEEDED_TRAILS.stopped,
    s3BucketName: `aws-cloudtrail-logs-${sandbox.account.accountId}`,
    isMultiRegionTrail: true,
    logFileValidationEnabled: true,
    isLogging: false,
  });
  if (options.withLoggingSingleRegion) {
    sandbox.cloudTrail.addTrail({
      name: SEEDED_TRAILS.logging,
      s3BucketName: `app-audit-${sandbox.account.accountId}`,
      isLogging: true,
    });
  }
}

/**
 * Seeds the rule and the resource of a Config result: the rule under its deployed name (a managed rule with the
 * identifier its name stands for, or a custom rule when the name names none), and the resource through the
 * rule's seed, when there is one.
 */
export function seedConfigResult(
  sandbox: Sandbox,
  facts: ConfigFacts,
  resource: GenericResource,
  vpcId: string,
): void {
  // A managed rule intake rates by name (its severity table) is managed too, though no playbook declares it.
  const identifier =
    ruleIdentifierFromName(facts.configRuleName) ??
    CONFIG_RULE_SEVERITIES.find((entry) => entry.rule === facts.baseRuleName)?.identifier;
  const seed = identifier === undefined ? undefined : CONFIG_SEEDS[identifier];
  const existing = sandbox.config.snapshot().rules[facts.configRuleName];
  if (existing === undefined) {
    sandbox.config.addRule({
      name: facts.configRuleName,
      ...(identifier === undefined
        ? { owner: 'CUSTOM_LAMBDA' as const }
        : { owner: 'AWS' as const, sourceIdentifier: identifier }),
      ...(seed?.parameters === undefined ? {} : { parameters: seed.parameters }),
      ...(facts.configRuleName.startsWith('securityhub-') ? { createdBy: 'securityhub.amazonaws.com' } : {}),
    });
  }
  seed?.seed(sandbox, { resourceId: resource.resourceId, vpcId, resourceType: resource.resourceType });
}
