import { createHash } from 'node:crypto';
import { DETECTIONS } from '@cordon/core/detections/alarms';
import { THRESHOLD_PARAMETERS, thresholdParameterName } from '@cordon/core/detections/thresholds';
import type {
  AccessKeyResource,
  Ec2InstanceResource,
  GenericResource,
  IamUserResource,
  Incident,
  NetworkInterfaceRef,
  Resource,
} from '@cordon/core/intake/incident';
import { APPROVALS_INDEX, DECISIONS_INDEX } from '@cordon/core/ledger/indexes';
import { createSandbox, type Sandbox } from './sandbox/index.ts';
import type { SandboxAccountOptions } from './sandbox/sandbox-account.ts';
import { seedConfigResult } from './seed-config.ts';

/** The stage a local deployment takes when none is given (`/cordon/local/…`, `cordon-local-…`). */
export const DEFAULT_STAGE = 'local';

/** Names of the resources Cordon itself keeps in a stage: infra names them `cordon-<stage>-…` (infra/storage.ts). */
export interface CordonResourceNames {
  readonly ledgerTable: string;
  readonly approvalsTable: string;
  readonly topicName: string;
}

/**
 * The physical names infra gives a stage's tables and topic, so that a sandbox holds them under the names the
 * deployed functions' environment and IAM policies use (infra/permissions.ts `ARN`).
 *
 * @example cordonResourceNames('local').ledgerTable // 'cordon-local-ledger'
 */
export function cordonResourceNames(stage: string): CordonResourceNames {
  return {
    ledgerTable: `cordon-${stage}-ledger`,
    approvalsTable: `cordon-${stage}-approvals`,
    topicName: `cordon-${stage}-notifications`,
  };
}

/** Names of the resources Cordon itself uses in the sandbox, for the default stage. */
export const SANDBOX_RESOURCES: CordonResourceNames = cordonResourceNames(DEFAULT_STAGE);

export interface SeedOptions {
  /** Put each compromised instance in an Auto Scaling group (InService). Default true. */
  readonly autoScalingGroup?: boolean;
  /** Register each compromised instance in an ELBv2 target group. Default true. */
  readonly targetGroup?: boolean;
  /** Register each compromised instance with a classic load balancer. Default false. */
  readonly classicLoadBalancer?: boolean;
  /** Give each IAM user a second, uninvolved access key (to prove it is left alone). Default true. */
  readonly otherAccessKey?: boolean;
  /** Give each IAM user a console password. Default true. */
  readonly loginProfile?: boolean;
}

/** An id of the finding that is not a valid AWS id (sample findings use placeholders), and what replaced it. */
export interface Substitution {
  readonly kind: string;
  readonly from: string;
  readonly to: string;
}

export interface SeedResult {
  /** The incident with placeholder ids replaced by the sandbox's valid ones. */
  readonly incident: Incident;
  readonly substitutions: readonly Substitution[];
  /**
   * The substitutions of values the finding itself holds (not of ids made up where the finding had none):
   * what to replace in the event so that it names what the sandbox holds (`rewriteEvent`).
   */
  readonly rewrites: readonly Substitution[];
  readonly topicArn: string;
}

const ID_SHAPES = {
  instance: /^i-([0-9a-f]{8}|[0-9a-f]{17})$/,
  eni: /^eni-([0-9a-f]{8}|[0-9a-f]{17})$/,
  sg: /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/,
  vpc: /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/,
  subnet: /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/,
} as const;

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** Keeps the incident's ids where they are valid; replaces placeholders deterministically and says so. */
class IdMapper {
  public readonly substitutions: Substitution[] = [];
  /** Substitutions of values present in the finding (the others replaced an absent id). */
  public readonly rewrites: Substitution[] = [];
  private readonly seen = new Map<string, string>();

  /** `scope` separates placeholders that name different things, e.g. one group id seen in several VPCs. */
  public awsId(
    kind: keyof typeof ID_SHAPES,
    id: string | undefined,
    fallbackSeed: string,
    scope = '',
  ): string {
    const prefix = kind === 'instance' ? 'i' : kind;
    const original = id ?? '';
    if (ID_SHAPES[kind].test(original)) return original;
    const seed = `${kind}:${scope}:${original || fallbackSeed}`;
    return this.substitute(
      kind,
      original || fallbackSeed,
      `${prefix}-${hex(seed, 17)}`,
      scope,
      original !== '',
    );
  }

  public accessKeyId(id: string | undefined, temporary: boolean, seed: string): string {
    const original = id ?? '';
    if (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(original)) return original;
    const body = hex(`key:${original || seed}`, 16).toUpperCase();
    return this.substitute(
      'access-key',
      original || seed,
      `${temporary ? 'ASIA' : 'AKIA'}${body}`,
      '',
      original !== '',
    );
  }

  public sameAccount(id: string, sandboxAccount: string): string {
    return id === sandboxAccount ? id : this.substitute('account', id, sandboxAccount);
  }

  /** A valid 12-digit account for an incident's account id (placeholders have 13 digits or words). */
  public account(id: string): string {
    if (/^\d{12}$/.test(id)) return id;
    const digits = BigInt(`0x${hex(`account:${id}`, 12)}`)
      .toString()
      .padStart(12, '0')
      .slice(-12);
    return this.substitute('account', id, digits);
  }

  public iamName(kind: 'user' | 'role', name: string | undefined, seed: string): string {
    const original = name ?? '';
    if (/^[\w+=,.@-]{1,64}$/.test(original)) return original;
    return this.substitute(
      kind,
      original || seed,
      `${kind}-${hex(`${kind}:${original || seed}`, 12)}`,
      '',
      original !== '',
    );
  }

  private substitute(kind: string, from: string, to: string, scope = '', inFinding = true): string {
    const key = `${kind}:${scope}:${from}`;
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    this.seen.set(key, to);
    this.substitutions.push({ kind, from, to });
    if (inFinding) this.rewrites.push({ kind, from, to });
    return to;
  }
}

/**
 * The valid account the sandbox uses for a placeholder account id (a 13-digit or worded one, which intake
 * refuses): the same one for the same placeholder, every time.
 *
 * @example sandboxAccountFor('1234567891234') // a 12-digit id, always the same for this placeholder
 */
export function sandboxAccountFor(id: string): Substitution | undefined {
  const mapper = new IdMapper();
  mapper.account(id);
  return mapper.substitutions[0];
}

/**
 * Seeds the sandbox account with what an incident names: each compromised instance with its ENIs (in their
 * VPCs and subnets), security groups, a root volume and a data volume, its instance profile and role, and — on
 * request — an Auto Scaling group, a target group and a classic load balancer holding it; each access key's
 * user or role, with another key and a console password; a Config-named IAM user with one stale and one
 * fresh key; for any other Config result, the rule under its deployed name and the resource made
 * non-compliant the way the rule says (seed-config.ts). Also Cordon's own tables and SNS topic. Placeholder ids
 * of sample findings are replaced by valid ones, in the sandbox and in the returned incident alike, and listed.
 * A resource the sandbox holds already (a second finding about it) is not seeded again; its ids map the same way.
 *
 * @example
 * const { incident } = seedFromIncident(createSandbox({ accountId, region }), result.incident, { autoScalingGroup: true });
 */
/**
 * A sandbox in the incident's own account and region (a placeholder account becomes a valid one), seeded
 * from the incident.
 */
export function sandboxForIncident(
  incident: Incident,
  options: SeedOptions = {},
  sandboxOptions: Omit<SandboxAccountOptions, 'accountId' | 'region'> = {},
): SeedResult & { sandbox: Sandbox } {
  const accountId = new IdMapper().account(incident.account);
  const region = /^[a-z]{2}(-[a-z]+)+-\d$/.test(incident.region) ? incident.region : 'us-east-1';
  const sandbox = createSandbox({ ...sandboxOptions, accountId, region });
  return { sandbox, ...seedFromIncident(sandbox, incident, options) };
}

export function seedFromIncident(
  sandbox: Sandbox,
  incident: Incident,
  options: SeedOptions = {},
): SeedResult {
  const ids = new IdMapper();
  // Everything is seeded in the sandbox's own account: an incident from another account is replayed there.
  const account = ids.sameAccount(incident.account, sandbox.account.accountId);
  seedCordonResources(sandbox);
  const resources = incident.resources.map((resource): Resource => {
    if (resource.kind === 'ec2-instance') return seedInstance(sandbox, resource, ids, account, options);
    if (resource.kind === 'access-key' && resource.role === 'compromised')
      return seedAccessKey(sandbox, resource, ids, options);
    if (resource.kind === 'iam-user') return seedStaleUser(sandbox, resource, ids);
    if (resource.kind === 'aws-resource' && incident.facts.source === 'config') {
      return seedConfigResource(sandbox, incident, resource, ids);
    }
    return resource;
  });
  return {
    incident: { ...incident, account, resources },
    substitutions: ids.substitutions,
    rewrites: ids.rewrites,
    topicArn: sandboxTopicArn(sandbox),
  };
}

/** The ARN of Cordon's notification topic in the sandbox (of `stage`, by default the default stage). */
export function sandboxTopicArn(sandbox: Sandbox, stage: string = DEFAULT_STAGE): string {
  return `arn:aws:sns:${sandbox.account.region}:${sandbox.account.accountId}:${cordonResourceNames(stage).topicName}`;
}

/** Cordon's own resources of a stage: the ledger and approvals tables and the notification topic. */
export function seedCordonResources(sandbox: Sandbox, stage: string = DEFAULT_STAGE): void {
  const names = cordonResourceNames(stage);
  // Idempotent: the tables and topic are made once per sandbox and stage.
  if (sandbox.dynamodb.snapshot().tables[names.ledgerTable] !== undefined) return;
  // With the indexes infra gives them (infra/storage.ts): operators list incidents and approvals through them.
  sandbox.dynamodb.createTable({
    tableName: names.ledgerTable,
    partitionKey: 'incidentId',
    sortKey: 'sk',
    globalSecondaryIndexes: [
      {
        indexName: DECISIONS_INDEX.name,
        partitionKey: DECISIONS_INDEX.partitionKey,
        sortKey: DECISIONS_INDEX.sortKey,
      },
    ],
  });
  sandbox.dynamodb.createTable({
    tableName: names.approvalsTable,
    partitionKey: 'approvalId',
    globalSecondaryIndexes: [
      {
        indexName: APPROVALS_INDEX.name,
        partitionKey: APPROVALS_INDEX.partitionKey,
        sortKey: APPROVALS_INDEX.sortKey,
      },
    ],
  });
  sandbox.sns.addTopic(names.topicName);
}

/**
 * The stage's alarm thresholds, with their defaults, as infra creates them (infra/detections.ts
 * `createThresholdParameters`): `cordon detections` reads and pushes them on a local deployment as on a stage.
 * Seeded, not sent: they are made by the deployment, not by one of Cordon's functions.
 */
export function seedDetectionThresholds(sandbox: Sandbox, stage: string = DEFAULT_STAGE): void {
  for (const detection of DETECTIONS) {
    for (const key of Object.keys(THRESHOLD_PARAMETERS) as (keyof typeof THRESHOLD_PARAMETERS)[]) {
      sandbox.ssm.putParameter({
        name: thresholdParameterName(stage, detection.alarmName, key),
        value: String(detection.defaults[key]),
        description: `Cordon ${stage}: ${detection.alarmName} ${THRESHOLD_PARAMETERS[key]} (applied by threshold-sync)`,
      });
    }
  }
}

function seedInstance(
  sandbox: Sandbox,
  resource: Ec2InstanceResource,
  ids: IdMapper,
  account: string,
  options: SeedOptions,
): Ec2InstanceResource {
  const instanceId = ids.awsId('instance', resource.instanceId, 'instance');
  // A finding without network details still describes an instance with one ENI.
  const findingEnis: readonly NetworkInterfaceRef[] =
    resource.networkInterfaces.length > 0
      ? resource.networkInterfaces
      : [
          {
            networkInterfaceId: `eni-for-${instanceId}`,
            securityGroups: [{ groupId: `sg-for-${instanceId}`, groupName: 'default-web' }],
          },
        ];
  const networkInterfaces = findingEnis.map((eni, index): NetworkInterfaceRef => {
    const vpcId = ids.awsId('vpc', eni.vpcId, `${instanceId}:vpc`);
    return {
      ...eni,
      networkInterfaceId: ids.awsId('eni', eni.networkInterfaceId, `${instanceId}:eni:${index}`),
      vpcId,
      subnetId: ids.awsId('subnet', eni.subnetId, `${vpcId}:subnet`),
      securityGroups: eni.securityGroups.map((group, groupIndex) => ({
        // A security group belongs to one VPC: a placeholder group id seen in two VPCs names two groups.
        groupId: ids.awsId('sg', group.groupId, `${instanceId}:sg:${index}:${groupIndex}`, vpcId),
        groupName: group.groupName ?? `group-${groupIndex}`,
      })),
    };
  });
  const profileArn = seedInstanceProfile(sandbox, resource.instanceProfileArn, account, instanceId);
  // Seeded already (another finding about the same instance, in a scenario): the ids map the same way.
  if (sandbox.ec2.hasInstance(instanceId)) {
    return { ...resource, instanceId, networkInterfaces, instanceProfileArn: profileArn };
  }
  const seededVpcs = new Set(Object.keys(sandbox.ec2.snapshot().vpcs));
  const seededGroups = new Set(Object.keys(sandbox.ec2.snapshot().securityGroups));
  for (const eni of networkInterfaces) {
    const vpcId = eni.vpcId ?? '';
    if (!seededVpcs.has(vpcId)) {
      sandbox.ec2.addVpc({ vpcId });
      seededVpcs.add(vpcId);
    }
    for (const group of eni.securityGroups) {
      if (seededGroups.has(group.groupId)) continue;
      // Finding group names may repeat across VPCs or clash with `default`: names are made unique per id.
      const groupName =
        group.groupName === 'default'
          ? `default-${group.groupId}`
          : `${group.groupName ?? 'group'}-${group.groupId.slice(-6)}`;
      sandbox.ec2.addSecurityGroup({ groupId: group.groupId, groupName, vpcId, ingress: [], egress: [] });
      seededGroups.add(group.groupId);
    }
  }
  const primary = networkInterfaces[0];
  sandbox.ec2.addInstance({
    instanceId,
    vpcId: primary?.vpcId ?? '',
    subnetId: primary?.subnetId ?? '',
    networkInterfaces: networkInterfaces.map((eni, index) => ({
      networkInterfaceId: eni.networkInterfaceId,
      groupIds: eni.securityGroups.map((group) => group.groupId),
      vpcId: eni.vpcId,
      subnetId: eni.subnetId,
      privateIpAddress:
        eni.privateIpAddress && /^\d+\.\d+\.\d+\.\d+$/.test(eni.privateIpAddress)
          ? eni.privateIpAddress
          : `10.0.${index}.10`,
    })),
    volumes: [
      {
        volumeId: `vol-${hex(`${instanceId}:root`, 17)}`,
        deviceName: '/dev/xvda',
        deleteOnTermination: true,
      },
      { volumeId: `vol-${hex(`${instanceId}:data`, 17)}`, deviceName: '/dev/sdf', deleteOnTermination: true },
    ],
    iamInstanceProfileArn: profileArn,
    shutdownBehavior: 'terminate',
    tags: { ...resource.tags },
  });
  if (options.autoScalingGroup ?? true) {
    sandbox.autoScaling.addGroup({
      name: `asg-${instanceId}`,
      minSize: 1,
      maxSize: 4,
      desiredCapacity: 1,
      instances: [{ instanceId, lifecycleState: 'InService' }],
    });
  }
  if (options.targetGroup ?? true) {
    sandbox.elbv2.addTargetGroup({
      name: `tg-${instanceId.slice(-10)}`,
      vpcId: primary?.vpcId ?? '',
      targets: [{ id: instanceId, port: 80, state: 'healthy' }],
    });
  }
  if (options.classicLoadBalancer ?? false) {
    sandbox.elb.addLoadBalancer({
      name: `elb-${instanceId.slice(-10)}`,
      vpcId: primary?.vpcId ?? '',
      instanceIds: [instanceId],
    });
  }
  return { ...resource, instanceId, networkInterfaces, instanceProfileArn: profileArn };
}

/** A Config result's resource: a placeholder security group id is replaced; the seed of its rule makes it. */
function seedConfigResource(
  sandbox: Sandbox,
  incident: Incident,
  resource: GenericResource,
  ids: IdMapper,
): GenericResource {
  if (incident.facts.source !== 'config') return resource;
  const resourceId =
    resource.resourceType === 'AWS::EC2::SecurityGroup'
      ? ids.awsId('sg', resource.resourceId, 'config-group')
      : resource.resourceType === 'AWS::::Account'
        ? // An account-wide result names the account, which is replayed as the sandbox's own.
          sandbox.account.accountId
        : resource.resourceId;
  // A VPC to hold it: the result names none, so this is no substitution of the result's ids.
  const vpcId = `vpc-${hex(`config-vpc:${resourceId}`, 17)}`;
  seedConfigResult(sandbox, incident.facts, { ...resource, resourceId }, vpcId);
  return { ...resource, resourceId };
}

function seedInstanceProfile(
  sandbox: Sandbox,
  arn: string | undefined,
  account: string,
  instanceId: string,
): string {
  const name =
    /instance-profile\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn ?? '')?.[1] ?? `profile-${instanceId.slice(-8)}`;
  const roleName = `${name}-role`;
  if (sandbox.iam.findRole(roleName) === undefined) {
    sandbox.iam.addRole({ roleName });
    sandbox.iam.addInstanceProfile({ name, roleName });
  }
  return `arn:aws:iam::${account}:instance-profile/${name}`;
}

function seedAccessKey(
  sandbox: Sandbox,
  resource: AccessKeyResource,
  ids: IdMapper,
  options: SeedOptions,
): AccessKeyResource {
  if (resource.userType === 'AssumedRole' || resource.keyType === 'temporary') {
    const roleName = ids.iamName('role', resource.userName, resource.principalId ?? 'role');
    if (sandbox.iam.findRole(roleName) === undefined) sandbox.iam.addRole({ roleName });
    return {
      ...resource,
      userName: roleName,
      accessKeyId: ids.accessKeyId(resource.accessKeyId, true, roleName),
    };
  }
  const userName = ids.iamName('user', resource.userName, resource.principalId ?? 'user');
  const accessKeyId = ids.accessKeyId(resource.accessKeyId, false, userName);
  const otherKey = `AKIA${hex(`other:${accessKeyId}`, 16).toUpperCase()}`;
  if (sandbox.iam.snapshot().users[userName] !== undefined) return { ...resource, userName, accessKeyId };
  sandbox.iam.addUser({
    userName,
    accessKeys: [
      { accessKeyId, status: 'Active' },
      ...((options.otherAccessKey ?? true) ? [{ accessKeyId: otherKey, status: 'Active' as const }] : []),
    ],
    loginProfile: options.loginProfile ?? true,
  });
  return { ...resource, userName, accessKeyId };
}

function seedStaleUser(sandbox: Sandbox, resource: IamUserResource, ids: IdMapper): IamUserResource {
  const userId = resource.userId ?? 'AIDAUNKNOWN';
  const userName = ids.iamName('user', resource.userName, userId);
  if (sandbox.iam.snapshot().users[userName] !== undefined) return { ...resource, userName };
  const now = sandbox.account.context.now().getTime();
  const day = 86_400_000;
  sandbox.iam.addUser({
    userName,
    userId,
    accessKeys: [
      {
        accessKeyId: `AKIA${hex(`stale:${userId}`, 16).toUpperCase()}`,
        status: 'Active',
        createDate: new Date(now - 200 * day),
      },
      {
        accessKeyId: `AKIA${hex(`fresh:${userId}`, 16).toUpperCase()}`,
        status: 'Active',
        createDate: new Date(now - 10 * day),
      },
    ],
  });
  return { ...resource, userName };
}
