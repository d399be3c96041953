import type { Incident } from '@cordon/core/intake/incident';
import type { Sandbox } from './sandbox/index.ts';
import type { PublicAccessBlock } from './sandbox/models/s3.ts';

/** One observable fact about a resource of the incident, for before/after comparisons. */
export interface ResourceFact {
  readonly resource: string;
  readonly attribute: string;
  readonly value: string;
}

export interface FactChange {
  readonly resource: string;
  readonly attribute: string;
  readonly before: string;
  readonly after: string;
}

/** A security-group rule as a fact shows it: `tcp 22 from 0.0.0.0/0 "ssh"`. */
function ruleFact(rule: {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  peer: { value: string };
  description?: string;
}): string {
  const ports =
    rule.protocol === '-1'
      ? 'all'
      : `${rule.protocol} ${rule.fromPort === rule.toPort ? rule.fromPort : `${rule.fromPort}-${rule.toPort}`}`;
  return `${ports} ${rule.peer.value}${rule.description === undefined ? '' : ` "${rule.description}"`}`;
}

/** The resource types of an account-level Block Public Access result (the change-triggered and periodic rules). */
const ACCOUNT_PUBLIC_ACCESS_TYPES: readonly string[] = [
  'AWS::S3::AccountPublicAccessBlock',
  'AWS::::Account',
];

/** The account's Block Public Access as a fact: each setting that is on, `none` without a configuration. */
function accountPublicAccessFact(sandbox: Sandbox): string {
  return settingsFact(sandbox.s3Control.publicAccessBlock());
}

/** A bucket policy's statements as a fact: each statement's Sid (`-` without a policy). */
function policyStatements(policy: string | undefined): string {
  if (policy === undefined) return '-';
  const statement = (JSON.parse(policy) as { Statement?: unknown }).Statement;
  const statements = Array.isArray(statement) ? statement : [statement];
  return statements.map((each) => (each as { Sid?: string } | undefined)?.Sid ?? '(no Sid)').join(', ');
}

/** Block Public Access settings as a fact: each setting that is on, `none` without a configuration. */
function settingsFact(block: PublicAccessBlock | undefined): string {
  if (block === undefined) return 'none';
  const on = Object.entries(block)
    .filter(([, value]) => value)
    .map(([setting]) => setting);
  return on.length === 0 ? 'all off' : on.join(', ');
}

/**
 * What a responder wants to compare before and after a playbook: for each instance, its ENIs' groups,
 * protection, quarantine tags, profile, Auto Scaling state, load-balancer registrations and snapshots; for
 * each user or role, its keys, console password and inline policies; for a security group a Config rule
 * judged, its inbound and outbound rules; for an account, its S3 Block Public Access settings, its trails, its EBS
 * encryption by default, its IAM password policy and its snapshots' create-volume permissions; for a trail, itself (logging, log file
 * validation); for a bucket, its own Block Public Access, policy and default encryption.
 */
export function inspectResources(sandbox: Sandbox, incident: Incident): ResourceFact[] {
  const facts: ResourceFact[] = [];
  const add = (resource: string, attribute: string, value: unknown) =>
    facts.push({ resource, attribute, value: typeof value === 'string' ? value : JSON.stringify(value) });
  const ec2 = sandbox.ec2.snapshot();
  const autoScaling = JSON.stringify(sandbox.autoScaling.snapshot());
  const targetGroups = sandbox.elbv2.snapshot().targetGroups;
  const iam = sandbox.iam.snapshot() as {
    users?: Record<
      string,
      {
        accessKeys?: Array<{ accessKeyId: string; status: string }>;
        loginProfile?: unknown;
        inlinePolicies?: Record<string, unknown>;
      }
    >;
    roles?: Record<string, { inlinePolicies?: Record<string, unknown> }>;
  };
  for (const resource of incident.resources) {
    if (resource.kind === 'ec2-instance') {
      const instance = ec2.instances[resource.instanceId];
      if (instance === undefined) continue;
      const id = resource.instanceId;
      for (const eniId of instance.networkInterfaceIds) {
        const eni = ec2.networkInterfaces[eniId] as { groupIds?: string[] } | undefined;
        const names = (eni?.groupIds ?? []).map(
          (groupId) => ec2.securityGroups[groupId]?.groupName ?? groupId,
        );
        add(eniId, 'security groups', names.join(', '));
      }
      add(id, 'termination protection', instance.disableApiTermination ? 'on' : 'off');
      add(id, 'shutdown behaviour', instance.shutdownBehavior);
      add(id, 'quarantine tag', instance.tags['cordon:quarantined'] ?? '-');
      const profile = Object.values(ec2.profileAssociations).find(
        (association) => association.instanceId === id,
      );
      add(id, 'instance profile', profile?.arn.split('/').at(-1) ?? '-');
      const lifecycle = new RegExp(`"instanceId":"${id}"[^}]*"lifecycleState":"(\\w+)"`).exec(
        autoScaling,
      )?.[1];
      add(id, 'auto scaling', lifecycle ?? '-');
      const registered = Object.values(targetGroups).filter((group) =>
        JSON.stringify(group).includes(`"id":"${id}"`),
      );
      add(id, 'target groups', registered.length);
      add(
        id,
        'snapshots',
        Object.values(ec2.snapshots).filter((snapshot) => JSON.stringify(snapshot).includes(id)).length,
      );
    }
    if (resource.kind === 'aws-resource' && resource.resourceType === 'AWS::EC2::SecurityGroup') {
      const group = ec2.securityGroups[resource.resourceId];
      if (group === undefined) continue;
      add(resource.resourceId, 'inbound rules', group.ingress.map(ruleFact).sort().join('; ') || '-');
      add(resource.resourceId, 'outbound rules', group.egress.map(ruleFact).sort().join('; ') || '-');
    }
    if (
      resource.kind === 'aws-resource' &&
      ACCOUNT_PUBLIC_ACCESS_TYPES.includes(resource.resourceType) &&
      resource.resourceId === sandbox.account.context.accountId
    ) {
      add(resource.resourceId, 'S3 Block Public Access', accountPublicAccessFact(sandbox));
    }
    if (resource.kind === 'aws-resource' && resource.resourceType === 'AWS::S3::Bucket') {
      const bucket = sandbox.s3.findBucket(resource.resourceId);
      if (bucket === undefined) continue;
      add(resource.resourceId, 'S3 Block Public Access', settingsFact(bucket.publicAccessBlock));
      add(resource.resourceId, 'bucket policy statements', policyStatements(bucket.policy));
      add(
        resource.resourceId,
        'default encryption',
        bucket.encryption?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'none',
      );
    }
    if (resource.kind === 'aws-resource' && resource.resourceType === 'AWS::::Account') {
      // The account's trails as its Region sees them: whether each logs is what the trail rules judge.
      for (const trail of Object.values(sandbox.cloudTrail.snapshot().trails)) {
        add(trail.arn, 'logging', trail.isLogging ? 'on' : 'off');
        add(trail.arn, 'log file validation', trail.logFileValidationEnabled ? 'on' : 'off');
      }
      add(
        `${resource.resourceId}/${sandbox.account.context.region}`,
        'EBS encryption by default',
        ec2.ebsEncryptionByDefault ? 'on' : 'off',
      );
      // The account's IAM password policy (one per account, every Region): what iam-password-policy judges.
      if (resource.resourceId === sandbox.account.context.accountId) {
        add(resource.resourceId, 'password policy', passwordPolicyFact(sandbox));
      }
      // Who may create volumes from each of the account's snapshots: `all` makes one public.
      for (const snapshot of Object.values(ec2.snapshots)) {
        const permission = snapshot.createVolumePermission;
        add(
          snapshot.snapshotId,
          'create volume permission',
          [...(permission?.groups ?? []), ...(permission?.userIds ?? [])].sort().join(', ') || '-',
        );
      }
    }
    if (resource.kind === 'aws-resource' && resource.resourceType === 'AWS::CloudTrail::Trail') {
      const trail = sandbox.cloudTrail.findTrail(resource.resourceId);
      if (trail === undefined) continue;
      add(trail.arn, 'logging', trail.isLogging ? 'on' : 'off');
      add(trail.arn, 'log file validation', trail.logFileValidationEnabled ? 'on' : 'off');
    }
    if (resource.kind === 'aws-resource' && resource.resourceType === 'AWS::KMS::Key') {
      const key = sandbox.kms.findKey(resource.resourceId);
      if (key === undefined) continue;
      add(
        key.arn,
        'automatic key rotation',
        key.rotation === undefined ? 'off' : `on (${key.rotation.periodInDays} days)`,
      );
    }
    // --- RDS ---
    if (resource.kind === 'aws-resource' && resource.resourceType === 'AWS::RDS::DBInstance') {
      // Config names an instance by its resource id; every instance of the Region is shown, so that a replay
      // proves the others were left as they were.
      for (const instance of Object.values(sandbox.rds.snapshot().instances)) {
        add(
          `${instance.identifier} (${instance.resourceId})`,
          'publicly accessible',
          instance.publiclyAccessible ? 'yes' : 'no',
        );
      }
    }
    if (
      resource.kind === 'aws-resource' &&
      (resource.resourceType === 'AWS::RDS::DBSnapshot' ||
        resource.resourceType === 'AWS::RDS::DBClusterSnapshot')
    ) {
      // Who may restore each DB snapshot and DB cluster snapshot of the Region: `all` makes one public.
      const rds = sandbox.rds.snapshot();
      for (const [label, table] of [
        ['DB snapshot', rds.snapshots],
        ['DB cluster snapshot', rds.clusterSnapshots],
      ] as const) {
        for (const snapshot of Object.values(table)) {
          add(`${label} ${snapshot.identifier}`, 'restore', [...snapshot.restore].sort().join(', ') || '-');
        }
      }
    }
    // --- end RDS ---
    if (resource.kind === 'access-key' || resource.kind === 'iam-user') {
      const name = resource.userName;
      if (name === undefined) continue;
      const user = iam.users?.[name];
      if (user !== undefined) {
        for (const key of user.accessKeys ?? []) add(key.accessKeyId, 'status', key.status);
        add(name, 'console password', user.loginProfile ? 'yes' : 'no');
        add(name, 'inline policies', Object.keys(user.inlinePolicies ?? {}).join(', ') || '-');
      }
      const role = iam.roles?.[name];
      if (role !== undefined)
        add(name, 'inline policies', Object.keys(role.inlinePolicies ?? {}).join(', ') || '-');
    }
  }
  return facts;
}

/** The account password policy as one fact: each parameter, or `none`. */
function passwordPolicyFact(sandbox: Sandbox): string {
  const policy = sandbox.iam.snapshot().passwordPolicy;
  if (policy === undefined) return 'none';
  return Object.entries(policy)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}

/** The facts that differ, in the order of `after`. */
export function diffFacts(before: readonly ResourceFact[], after: readonly ResourceFact[]): FactChange[] {
  const old = new Map(before.map((fact) => [`${fact.resource}\u0000${fact.attribute}`, fact.value]));
  return after.flatMap((fact) => {
    const previous = old.get(`${fact.resource}\u0000${fact.attribute}`) ?? '-';
    return previous === fact.value
      ? []
      : [{ resource: fact.resource, attribute: fact.attribute, before: previous, after: fact.value }];
  });
}
