import type {
  AssociateIamInstanceProfileCommandInput,
  AssociateIamInstanceProfileCommandOutput,
  AuthorizeSecurityGroupEgressCommandInput,
  AuthorizeSecurityGroupEgressCommandOutput,
  AuthorizeSecurityGroupIngressCommandInput,
  AuthorizeSecurityGroupIngressCommandOutput,
  CreateSecurityGroupCommandInput,
  CreateSecurityGroupCommandOutput,
  CreateSnapshotCommandInput,
  CreateSnapshotCommandOutput,
  CreateSnapshotsCommandInput,
  CreateSnapshotsCommandOutput,
  CreateTagsCommandInput,
  CreateTagsCommandOutput,
  DeleteSecurityGroupCommandInput,
  DeleteSecurityGroupCommandOutput,
  DeleteTagsCommandInput,
  DeleteTagsCommandOutput,
  DescribeIamInstanceProfileAssociationsCommandInput,
  DescribeIamInstanceProfileAssociationsCommandOutput,
  DescribeInstanceAttributeCommandInput,
  DescribeInstanceAttributeCommandOutput,
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  DescribeNetworkInterfacesCommandInput,
  DescribeNetworkInterfacesCommandOutput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  DescribeSnapshotsCommandInput,
  DescribeSnapshotsCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  DescribeVolumesCommandInput,
  DescribeVolumesCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
  DisassociateIamInstanceProfileCommandInput,
  DisassociateIamInstanceProfileCommandOutput,
  Filter,
  IamInstanceProfileAssociation,
  IamInstanceProfileSpecification,
  Instance,
  IpPermission,
  ModifyInstanceAttributeCommandInput,
  ModifyInstanceAttributeCommandOutput,
  ModifyNetworkInterfaceAttributeCommandInput,
  ModifyNetworkInterfaceAttributeCommandOutput,
  NetworkInterface,
  ReplaceIamInstanceProfileAssociationCommandInput,
  ReplaceIamInstanceProfileAssociationCommandOutput,
  RevokedSecurityGroupRule,
  RevokeSecurityGroupEgressCommandInput,
  RevokeSecurityGroupEgressCommandOutput,
  RevokeSecurityGroupIngressCommandInput,
  RevokeSecurityGroupIngressCommandOutput,
  SecurityGroup,
  SecurityGroupRule,
  Snapshot,
  Tag,
  TagDescription,
  TagSpecification,
  Volume,
  Vpc,
} from '@aws-sdk/client-ec2';
import { awsError, type SandboxServiceError } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';

const SERVICE = 'EC2';

/** What a handler returns: the SDK's output shape without the metadata the sandbox adds. */
type Out<T> = Omit<T, '$metadata'>;

export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'shutting-down'
  | 'terminated'
  | 'stopping'
  | 'stopped';

const STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** One security-group rule as AWS stores it: a protocol, a port range and exactly one peer. */
export interface SecurityGroupRuleRecord {
  ruleId: string;
  protocol: string;
  fromPort?: number;
  toPort?: number;
  peer: { kind: 'ipv4' | 'ipv6' | 'group' | 'prefixList'; value: string };
  description?: string;
}

export interface VpcRecord {
  vpcId: string;
  cidrBlock: string;
  ipv6CidrBlock?: string;
  isDefault: boolean;
  defaultGroupId: string;
  tags: Record<string, string>;
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: SecurityGroupRuleRecord[];
  egress: SecurityGroupRuleRecord[];
  tags: Record<string, string>;
}

export interface NetworkInterfaceRecord {
  networkInterfaceId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  privateIpAddress: string;
  description: string;
  groupIds: string[];
  sourceDestCheck: boolean;
  attachment?: {
    attachmentId: string;
    instanceId: string;
    deviceIndex: number;
    deleteOnTermination: boolean;
    attachTime: string;
  };
  tags: Record<string, string>;
}

export interface VolumeRecord {
  volumeId: string;
  size: number;
  availabilityZone: string;
  encrypted: boolean;
  createTime: string;
  attachment?: { instanceId: string; deviceName: string; deleteOnTermination: boolean; attachTime: string };
  tags: Record<string, string>;
}

export interface SnapshotRecord {
  snapshotId: string;
  volumeId: string;
  volumeSize: number;
  description: string;
  encrypted: boolean;
  startTime: string;
  state: 'pending' | 'completed' | 'error';
  /** How many more DescribeSnapshots answers show it `pending` before it is `completed`. */
  pendingDescribesLeft: number;
  tags: Record<string, string>;
}

export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  instanceType: string;
  imageId: string;
  state: InstanceStateName;
  launchTime: string;
  rootDeviceName: string;
  /** ENI ids in device-index order; index 0 is the primary ENI. */
  networkInterfaceIds: string[];
  disableApiTermination: boolean;
  shutdownBehavior: 'stop' | 'terminate';
  tags: Record<string, string>;
}

export interface ProfileAssociationRecord {
  associationId: string;
  instanceId: string;
  arn: string;
  id: string;
  timestamp: string;
}

/** Everything the EC2 model holds; `snapshot()` returns a deep copy of it. */
export interface Ec2State {
  vpcs: Record<string, VpcRecord>;
  securityGroups: Record<string, SecurityGroupRecord>;
  instances: Record<string, InstanceRecord>;
  networkInterfaces: Record<string, NetworkInterfaceRecord>;
  volumes: Record<string, VolumeRecord>;
  snapshots: Record<string, SnapshotRecord>;
  profileAssociations: Record<string, ProfileAssociationRecord>;
}

export interface AddVpcInput {
  vpcId: string;
  cidrBlock?: string;
  /** With an IPv6 block, the VPC's default group also allows all IPv6 egress, as AWS does. */
  ipv6CidrBlock?: string;
  isDefault?: boolean;
  /** Id of the `default` security group AWS creates with every VPC; generated when omitted. */
  defaultGroupId?: string;
  tags?: Record<string, string>;
}

export interface AddSecurityGroupInput {
  groupId?: string;
  groupName: string;
  description?: string;
  vpcId: string;
  ingress?: IpPermission[];
  /** Defaults to the allow-all IPv4 egress rule every new group gets. */
  egress?: IpPermission[];
  tags?: Record<string, string>;
}

export interface AddInstanceInput {
  instanceId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone?: string;
  instanceType?: string;
  imageId?: string;
  state?: InstanceStateName;
  /** Device-index order: the first is the primary ENI. */
  networkInterfaces: ReadonlyArray<{
    networkInterfaceId: string;
    groupIds: readonly string[];
    /** Multi-VPC ENI attachments exist; defaults to the instance's VPC. */
    vpcId?: string;
    subnetId?: string;
    privateIpAddress?: string;
    deleteOnTermination?: boolean;
    description?: string;
  }>;
  volumes?: ReadonlyArray<{
    volumeId: string;
    deviceName: string;
    deleteOnTermination: boolean;
    size?: number;
    encrypted?: boolean;
    tags?: Record<string, string>;
  }>;
  /** Device name of the boot volume; defaults to `/dev/xvda`. */
  rootDeviceName?: string;
  iamInstanceProfileArn?: string;
  disableApiTermination?: boolean;
  shutdownBehavior?: 'stop' | 'terminate';
  tags?: Record<string, string>;
}

export interface Ec2ModelOptions {
  /**
   * How many DescribeSnapshots answers still show a new snapshot `pending` before it reads `completed`.
   * Default 0: `pending` in the create answer, `completed` from the first describe on.
   */
  snapshotPendingDescribes?: number;
}

const ID_PATTERNS = {
  instance: /^i-([0-9a-f]{8}|[0-9a-f]{17})$/,
  group: /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/,
  eni: /^eni-([0-9a-f]{8}|[0-9a-f]{17})$/,
  volume: /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/,
  snapshot: /^snap-([0-9a-f]{8}|[0-9a-f]{17})$/,
  vpc: /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/,
} as const;

const INSTANCE_PROFILE_ARN =
  /^arn:aws[a-z-]*:iam::(\d{12}):instance-profile\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

function fail(code: string, message: string): SandboxServiceError {
  return awsError(SERVICE, code, message);
}

function quoteList(ids: readonly string[]): string {
  return ids.join(', ');
}

function toTags(tags: Record<string, string>): Tag[] | undefined {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  // AWS leaves the tag set out of a response when a resource has no tags.
  return list.length === 0 ? undefined : list;
}

function tagsFor(
  specs: readonly TagSpecification[] | undefined,
  resourceType: string,
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== undefined && spec.ResourceType !== resourceType) {
      throw fail(
        'InvalidParameterValue',
        `'${spec.ResourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (const tag of spec.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  return tags;
}

/** EC2 filter values accept `*` (any run) and `?` (any one character). */
function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/**
 * True when the resource passes every filter. `valuesOf` gives the resource's values for a filter name,
 * or `undefined` when the model does not know the filter: that is refused, as AWS refuses unknown
 * filters, rather than silently ignored (an ignored filter would widen the result).
 */
function matchesFilters(
  filters: readonly Filter[] | undefined,
  tags: Record<string, string>,
  valuesOf: (name: string) => readonly string[] | undefined,
): boolean {
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    let actual: readonly string[] | undefined;
    if (name.startsWith('tag:')) {
      const value = tags[name.slice(4)];
      actual = value === undefined ? [] : [value];
    } else if (name === 'tag-key') actual = Object.keys(tags);
    else if (name === 'tag-value') actual = Object.values(tags);
    else actual = valuesOf(name);
    if (actual === undefined) throw fail('InvalidParameterValue', `The filter '${name}' is invalid`);
    const wanted = filter.Values ?? [];
    if (!wanted.some((pattern) => actual.some((value) => wildcardMatch(pattern, value)))) return false;
  }
  return true;
}

function checkId(kind: keyof typeof ID_PATTERNS, id: string, code: string): void {
  if (!ID_PATTERNS[kind].test(id)) throw fail(code, `Invalid id: "${id}"`);
}

/** AWS accepts protocol names or numbers; `-1`/`all` mean every protocol, and then ports are dropped. */
function normalizeProtocol(protocol: string | undefined): string {
  const value = (protocol ?? '').toLowerCase();
  const byNumber: Record<string, string> = {
    '6': 'tcp',
    '17': 'udp',
    '1': 'icmp',
    '58': 'icmpv6',
    all: '-1',
  };
  return byNumber[value] ?? value;
}

function describeRule(rule: SecurityGroupRuleRecord): string {
  const ports =
    rule.protocol === '-1'
      ? 'ALL'
      : `${rule.protocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}`;
  return `peer: ${rule.peer.value}, ${ports}, ALLOW`;
}

function sameRule(a: SecurityGroupRuleRecord, b: SecurityGroupRuleRecord): boolean {
  return (
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.peer.kind === b.peer.kind &&
    a.peer.value === b.peer.value
  );
}

/** Regroups stored rules into the `IpPermission` shape DescribeSecurityGroups answers with. */
function toIpPermissions(rules: readonly SecurityGroupRuleRecord[], accountId: string): IpPermission[] {
  const byKey = new Map<string, IpPermission>();
  for (const rule of rules) {
    const key = `${rule.protocol}|${rule.fromPort}|${rule.toPort}`;
    let permission = byKey.get(key);
    if (permission === undefined) {
      permission = {
        IpProtocol: rule.protocol,
        ...(rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      byKey.set(key, permission);
    }
    const description = rule.description === undefined ? {} : { Description: rule.description };
    if (rule.peer.kind === 'ipv4') permission.IpRanges?.push({ CidrIp: rule.peer.value, ...description });
    if (rule.peer.kind === 'ipv6') permission.Ipv6Ranges?.push({ CidrIpv6: rule.peer.value, ...description });
    if (rule.peer.kind === 'prefixList') {
      permission.PrefixListIds?.push({ PrefixListId: rule.peer.value, ...description });
    }
    if (rule.peer.kind === 'group') {
      permission.UserIdGroupPairs?.push({ GroupId: rule.peer.value, UserId: accountId, ...description });
    }
  }
  return [...byKey.values()];
}

function allowAll(peer: SecurityGroupRuleRecord['peer'], ruleId: string): SecurityGroupRuleRecord {
  return { ruleId, protocol: '-1', peer };
}

/** A dry run must not consume ids from the sandbox's counter, so later ids are the same with or without it. */
function dryRunContext(context: SandboxContext): SandboxContext {
  return { ...context, nextId: (prefix) => `${prefix}-dryrun` };
}

/**
 * The EC2 part of the sandbox account: VPCs, security groups and their rules, instances with their ENIs,
 * EBS volumes, snapshots and instance-profile associations. Mutating commands are atomic (a failing call
 * changes nothing) and honour `DryRun` the way AWS does.
 *
 * @example
 * const ec2Model = new Ec2Model(sandbox.context);
 * ec2Model.addVpc({ vpcId: 'vpc-0a1b2c3d4e5f60718' });
 * ec2Model.addInstance({ instanceId: 'i-0a1b2c3d4e5f60718', vpcId: 'vpc-0a1b2c3d4e5f60718', subnetId: 'subnet-1',
 *   networkInterfaces: [{ networkInterfaceId: 'eni-0a1b2c3d4e5f60718', groupIds: ['sg-…'] }] });
 * sandbox.register(ec2Model);
 */
export class Ec2Model implements ServiceModel {
  public readonly service = SERVICE;
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private state: Ec2State = {
    vpcs: {},
    securityGroups: {},
    instances: {},
    networkInterfaces: {},
    volumes: {},
    snapshots: {},
    profileAssociations: {},
  };
  private readonly snapshotPendingDescribes: number;

  public constructor(
    private readonly context: SandboxContext,
    options: Ec2ModelOptions = {},
  ) {
    this.snapshotPendingDescribes = options.snapshotPendingDescribes ?? 0;
    this.commands = {
      DescribeVpcs: this.reading((input: DescribeVpcsCommandInput) => this.describeVpcs(input)),
      DescribeInstances: this.reading((input: DescribeInstancesCommandInput) =>
        this.describeInstances(input),
      ),
      DescribeInstanceAttribute: this.reading((input: DescribeInstanceAttributeCommandInput) =>
        this.describeInstanceAttribute(input),
      ),
      ModifyInstanceAttribute: this.mutating((input: ModifyInstanceAttributeCommandInput) =>
        this.modifyInstanceAttribute(input),
      ),
      DescribeNetworkInterfaces: this.reading((input: DescribeNetworkInterfacesCommandInput) =>
        this.describeNetworkInterfaces(input),
      ),
      ModifyNetworkInterfaceAttribute: this.mutating((input: ModifyNetworkInterfaceAttributeCommandInput) =>
        this.modifyNetworkInterfaceAttribute(input),
      ),
      DescribeSecurityGroups: this.reading((input: DescribeSecurityGroupsCommandInput) =>
        this.describeSecurityGroups(input),
      ),
      CreateSecurityGroup: this.mutating((input: CreateSecurityGroupCommandInput, ctx) =>
        this.createSecurityGroup(input, ctx),
      ),
      DeleteSecurityGroup: this.mutating((input: DeleteSecurityGroupCommandInput) =>
        this.deleteSecurityGroup(input),
      ),
      AuthorizeSecurityGroupIngress: this.mutating(
        (
          input: AuthorizeSecurityGroupIngressCommandInput,
          ctx,
        ): Out<AuthorizeSecurityGroupIngressCommandOutput> => this.authorize(input, false, ctx),
      ),
      AuthorizeSecurityGroupEgress: this.mutating(
        (
          input: AuthorizeSecurityGroupEgressCommandInput,
          ctx,
        ): Out<AuthorizeSecurityGroupEgressCommandOutput> => this.authorize(input, true, ctx),
      ),
      RevokeSecurityGroupIngress: this.mutating(
        (input: RevokeSecurityGroupIngressCommandInput): Out<RevokeSecurityGroupIngressCommandOutput> =>
          this.revoke(input, false),
      ),
      RevokeSecurityGroupEgress: this.mutating(
        (input: RevokeSecurityGroupEgressCommandInput): Out<RevokeSecurityGroupEgressCommandOutput> =>
          this.revoke(input, true),
      ),
      CreateTags: this.mutating((input: CreateTagsCommandInput) => this.createTags(input)),
      DeleteTags: this.mutating((input: DeleteTagsCommandInput) => this.deleteTags(input)),
      DescribeTags: this.reading((input: DescribeTagsCommandInput) => this.describeTags(input)),
      DescribeVolumes: this.reading((input: DescribeVolumesCommandInput) => this.describeVolumes(input)),
      CreateSnapshot: this.mutating((input: CreateSnapshotCommandInput, ctx) =>
        this.createSnapshot(input, ctx),
      ),
      CreateSnapshots: this.mutating((input: CreateSnapshotsCommandInput, ctx) =>
        this.createSnapshots(input, ctx),
      ),
      DescribeSnapshots: this.reading((input: DescribeSnapshotsCommandInput) =>
        this.describeSnapshots(input),
      ),
      DescribeIamInstanceProfileAssociations: this.reading(
        (input: DescribeIamInstanceProfileAssociationsCommandInput) =>
          this.describeProfileAssociations(input),
      ),
      AssociateIamInstanceProfile: this.mutating((input: AssociateIamInstanceProfileCommandInput, ctx) =>
        this.associateProfile(input, ctx),
      ),
      DisassociateIamInstanceProfile: this.mutating((input: DisassociateIamInstanceProfileCommandInput) =>
        this.disassociateProfile(input),
      ),
      ReplaceIamInstanceProfileAssociation: this.mutating(
        (input: ReplaceIamInstanceProfileAssociationCommandInput, ctx) => this.replaceProfile(input, ctx),
      ),
    };
  }

  /** A deep copy of the whole EC2 state. */
  public snapshot(): Ec2State {
    return structuredClone(this.state);
  }

  public hasInstance(instanceId: string): boolean {
    return this.state.instances[instanceId] !== undefined;
  }

  // ---------------------------------------------------------------- seeding

  /** Adds a VPC and, as AWS does, its `default` security group. Returns the default group's id. */
  public addVpc(input: AddVpcInput): string {
    this.seedId('vpc', input.vpcId);
    const defaultGroupId = input.defaultGroupId ?? this.context.nextId('sg');
    this.state.vpcs[input.vpcId] = {
      vpcId: input.vpcId,
      cidrBlock: input.cidrBlock ?? '10.0.0.0/16',
      ...(input.ipv6CidrBlock === undefined ? {} : { ipv6CidrBlock: input.ipv6CidrBlock }),
      isDefault: input.isDefault ?? false,
      defaultGroupId,
      tags: { ...input.tags },
    };
    // The default group lets members talk to each other and allows all egress (IPv6 too when the VPC has it).
    const egress = [allowAll({ kind: 'ipv4', value: '0.0.0.0/0' }, this.context.nextId('sgr'))];
    if (input.ipv6CidrBlock !== undefined) {
      egress.push(allowAll({ kind: 'ipv6', value: '::/0' }, this.context.nextId('sgr')));
    }
    this.state.securityGroups[defaultGroupId] = {
      groupId: defaultGroupId,
      groupName: 'default',
      description: 'default VPC security group',
      vpcId: input.vpcId,
      ingress: [allowAll({ kind: 'group', value: defaultGroupId }, this.context.nextId('sgr'))],
      egress,
      tags: {},
    };
    return defaultGroupId;
  }

  /** Adds a security group; without `egress` it carries the default allow-all IPv4 egress rule. */
  public addSecurityGroup(input: AddSecurityGroupInput): string {
    this.requireSeeded('vpc', input.vpcId, this.state.vpcs);
    const groupId = input.groupId ?? this.context.nextId('sg');
    this.seedId('group', groupId);
    const group: SecurityGroupRecord = {
      groupId,
      groupName: input.groupName,
      description: input.description ?? input.groupName,
      vpcId: input.vpcId,
      ingress: [],
      egress: [],
      tags: { ...input.tags },
    };
    this.state.securityGroups[groupId] = group;
    group.ingress = this.toRules(input.ingress ?? [], this.context);
    group.egress =
      input.egress === undefined
        ? [allowAll({ kind: 'ipv4', value: '0.0.0.0/0' }, this.context.nextId('sgr'))]
        : this.toRules(input.egress, this.context);
    return groupId;
  }

  /** Adds an instance with its ENIs (in device-index order), EBS volumes and instance profile. */
  public addInstance(input: AddInstanceInput): void {
    this.seedId('instance', input.instanceId);
    this.requireSeeded('vpc', input.vpcId, this.state.vpcs);
    if (input.networkInterfaces.length === 0)
      throw new Error('An instance has at least one network interface');
    const availabilityZone = input.availabilityZone ?? `${this.context.region}a`;
    const launchTime = this.context.now().toISOString();
    input.networkInterfaces.forEach((eni, deviceIndex) => {
      this.seedId('eni', eni.networkInterfaceId);
      const vpcId = eni.vpcId ?? input.vpcId;
      this.requireSeeded('vpc', vpcId, this.state.vpcs);
      for (const groupId of eni.groupIds) {
        const group = this.state.securityGroups[groupId];
        if (group === undefined || group.vpcId !== vpcId) {
          throw new Error(`Seed error: group ${groupId} is not a security group of ${vpcId}`);
        }
      }
      this.state.networkInterfaces[eni.networkInterfaceId] = {
        networkInterfaceId: eni.networkInterfaceId,
        vpcId,
        subnetId: eni.subnetId ?? input.subnetId,
        availabilityZone,
        privateIpAddress: eni.privateIpAddress ?? `10.0.0.${10 + deviceIndex}`,
        description: eni.description ?? '',
        groupIds: [...eni.groupIds],
        sourceDestCheck: true,
        attachment: {
          attachmentId: this.context.nextId('eni-attach'),
          instanceId: input.instanceId,
          deviceIndex,
          deleteOnTermination: eni.deleteOnTermination ?? deviceIndex === 0,
          attachTime: launchTime,
        },
        tags: {},
      };
    });
    for (const volume of input.volumes ?? []) {
      this.seedId('volume', volume.volumeId);
      this.state.volumes[volume.volumeId] = {
        volumeId: volume.volumeId,
        size: volume.size ?? 8,
        availabilityZone,
        encrypted: volume.encrypted ?? false,
        createTime: launchTime,
        attachment: {
          instanceId: input.instanceId,
          deviceName: volume.deviceName,
          deleteOnTermination: volume.deleteOnTermination,
          attachTime: launchTime,
        },
        tags: { ...volume.tags },
      };
    }
    this.state.instances[input.instanceId] = {
      instanceId: input.instanceId,
      reservationId: this.context.nextId('r'),
      vpcId: input.vpcId,
      subnetId: input.subnetId,
      availabilityZone,
      instanceType: input.instanceType ?? 't3.micro',
      imageId: input.imageId ?? 'ami-0123456789abcdef0',
      state: input.state ?? 'running',
      launchTime,
      rootDeviceName: input.rootDeviceName ?? '/dev/xvda',
      networkInterfaceIds: input.networkInterfaces.map((eni) => eni.networkInterfaceId),
      disableApiTermination: input.disableApiTermination ?? false,
      shutdownBehavior: input.shutdownBehavior ?? 'stop',
      tags: { ...input.tags },
    };
    if (input.iamInstanceProfileArn !== undefined) {
      this.attachProfile(input.instanceId, { Arn: input.iamInstanceProfileArn }, this.context);
    }
  }

  /** Attaches one more ENI to a seeded instance (as someone might while an incident runs). */
  public attachNetworkInterface(input: {
    instanceId: string;
    networkInterfaceId: string;
    groupIds: readonly string[];
    subnetId: string;
    vpcId?: string;
  }): void {
    const instance = this.requireSeeded('instance', input.instanceId, this.state.instances);
    this.seedId('eni', input.networkInterfaceId);
    const vpcId = input.vpcId ?? instance.vpcId;
    for (const groupId of input.groupIds) {
      if (this.state.securityGroups[groupId]?.vpcId !== vpcId) {
        throw new Error(`Seed error: group ${groupId} is not a security group of ${vpcId}`);
      }
    }
    const deviceIndex = instance.networkInterfaceIds.length;
    this.state.networkInterfaces[input.networkInterfaceId] = {
      networkInterfaceId: input.networkInterfaceId,
      vpcId,
      subnetId: input.subnetId,
      availabilityZone: instance.availabilityZone,
      privateIpAddress: `10.0.0.${10 + deviceIndex}`,
      description: '',
      groupIds: [...input.groupIds],
      sourceDestCheck: true,
      attachment: {
        attachmentId: this.context.nextId('eni-attach'),
        instanceId: input.instanceId,
        deviceIndex,
        deleteOnTermination: false,
        attachTime: this.context.now().toISOString(),
      },
      tags: {},
    };
    instance.networkInterfaceIds.push(input.networkInterfaceId);
  }

  /** Sets tags on a seeded instance without a call (as another principal might). */
  public tagInstance(instanceId: string, tags: Readonly<Record<string, string>>): void {
    const instance = this.requireSeeded('instance', instanceId, this.state.instances);
    instance.tags = { ...instance.tags, ...tags };
  }

  /** Moves an instance to another state (e.g. `terminated`), for scenarios that need one. */
  public setInstanceState(instanceId: string, state: InstanceStateName): void {
    this.requireSeeded('instance', instanceId, this.state.instances).state = state;
  }

  // ---------------------------------------------------------------- plumbing

  private reading<I, O>(handler: (input: I) => O): CommandHandler {
    // The sandbox hands over the input the SDK client was given, typed by the SDK as the command's input.
    return (input) => handler(input as I);
  }

  /**
   * Wraps a mutating command: it runs on the live state, and the state is put back if it throws (AWS calls
   * are all-or-nothing) or if it was a dry run, which then answers `DryRunOperation` as AWS does.
   */
  private mutating<I extends object, O>(handler: (input: I, context: SandboxContext) => O): CommandHandler {
    return (raw, context) => {
      // See `reading`: the input is the SDK-typed command input.
      const input = raw as I;
      const saved = structuredClone(this.state);
      // Commands without a `DryRun` member (the instance-profile ones) simply never dry-run.
      const dryRun = 'DryRun' in input && input.DryRun === true;
      try {
        const output = handler(input, dryRun ? dryRunContext(context) : context);
        if (dryRun) throw fail('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
        return output;
      } catch (error) {
        this.state = saved;
        throw error;
      }
    };
  }

  private seedId(kind: keyof typeof ID_PATTERNS, id: string): void {
    if (!ID_PATTERNS[kind].test(id)) {
      throw new Error(
        `Seed error: ${id} is not a well-formed ${kind} id (AWS ids are prefix + 8 or 17 hex digits)`,
      );
    }
  }

  private requireSeeded<T>(kind: string, id: string, table: Record<string, T>): T {
    const found = table[id];
    if (found === undefined) throw new Error(`Seed error: no ${kind} ${id}`);
    return found;
  }

  private instance(instanceId: string | undefined): InstanceRecord {
    const id = instanceId ?? '';
    checkId('instance', id, 'InvalidInstanceID.Malformed');
    const instance = this.state.instances[id];
    if (instance === undefined)
      throw fail('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return instance;
  }

  private group(groupId: string | undefined): SecurityGroupRecord {
    const id = groupId ?? '';
    checkId('group', id, 'InvalidGroupId.Malformed');
    const group = this.state.securityGroups[id];
    if (group === undefined) throw fail('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    return group;
  }

  private eni(networkInterfaceId: string | undefined): NetworkInterfaceRecord {
    const id = networkInterfaceId ?? '';
    checkId('eni', id, 'InvalidNetworkInterfaceId.Malformed');
    const eni = this.state.networkInterfaces[id];
    if (eni === undefined) {
      throw fail('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
    }
    return eni;
  }

  private volume(volumeId: string | undefined): VolumeRecord {
    const id = volumeId ?? '';
    checkId('volume', id, 'InvalidVolumeID.Malformed');
    const volume = this.state.volumes[id];
    if (volume === undefined) throw fail('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    return volume;
  }

  private vpc(vpcId: string): VpcRecord {
    checkId('vpc', vpcId, 'InvalidVpcID.Malformed');
    const vpc = this.state.vpcs[vpcId];
    if (vpc === undefined) throw fail('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
    return vpc;
  }

  /** Looks up ids and reports every missing one at once, as AWS's plural not-found messages do. */
  private lookup<T>(
    ids: readonly string[],
    kind: keyof typeof ID_PATTERNS,
    table: Record<string, T>,
    malformed: string,
    notFound: string,
    message: (missing: readonly string[]) => string,
  ): T[] {
    for (const id of ids) checkId(kind, id, malformed);
    const missing = ids.filter((id) => table[id] === undefined);
    if (missing.length > 0) throw fail(notFound, message(missing));
    return ids.map((id) => table[id]).filter((found): found is T => found !== undefined);
  }

  /** Groups for an ENI: each must exist and live in the ENI's VPC. */
  private checkGroupsFor(vpcId: string, groupIds: readonly string[]): void {
    if (groupIds.length === 0) {
      throw fail(
        'InvalidParameterValue',
        'Value () for parameter groupId is invalid. The value cannot be empty',
      );
    }
    for (const groupId of groupIds) {
      const group = this.group(groupId);
      if (group.vpcId !== vpcId) {
        throw fail(
          'InvalidGroup.NotFound',
          'You have specified two resources that belong to different networks.',
        );
      }
    }
  }

  // ---------------------------------------------------------------- VPCs

  private describeVpcs(input: DescribeVpcsCommandInput): Out<DescribeVpcsCommandOutput> {
    const vpcs =
      input.VpcIds === undefined || input.VpcIds.length === 0
        ? Object.values(this.state.vpcs)
        : this.lookup(
            input.VpcIds,
            'vpc',
            this.state.vpcs,
            'InvalidVpcID.Malformed',
            'InvalidVpcID.NotFound',
            (m) =>
              m.length === 1
                ? `The vpc ID '${m[0]}' does not exist`
                : `The vpc IDs '${quoteList(m)}' do not exist`,
          );
    const matching = vpcs.filter((vpc) =>
      matchesFilters(input.Filters, vpc.tags, (name) => {
        if (name === 'vpc-id') return [vpc.vpcId];
        if (name === 'is-default') return [String(vpc.isDefault)];
        if (name === 'cidr' || name === 'cidr-block-association.cidr-block') return [vpc.cidrBlock];
        if (name === 'state') return ['available'];
        return undefined;
      }),
    );
    return { Vpcs: matching.map((vpc) => this.toVpc(vpc)) };
  }

  private toVpc(vpc: VpcRecord): Vpc {
    return {
      VpcId: vpc.vpcId,
      CidrBlock: vpc.cidrBlock,
      State: 'available',
      IsDefault: vpc.isDefault,
      OwnerId: this.context.accountId,
      InstanceTenancy: 'default',
      ...(vpc.ipv6CidrBlock === undefined
        ? {}
        : {
            Ipv6CidrBlockAssociationSet: [
              { Ipv6CidrBlock: vpc.ipv6CidrBlock, Ipv6CidrBlockState: { State: 'associated' } },
            ],
          }),
      Tags: toTags(vpc.tags),
    };
  }

  // ---------------------------------------------------------------- instances

  private describeInstances(input: DescribeInstancesCommandInput): Out<DescribeInstancesCommandOutput> {
    const instances =
      input.InstanceIds === undefined || input.InstanceIds.length === 0
        ? Object.values(this.state.instances)
        : this.lookup(
            input.InstanceIds,
            'instance',
            this.state.instances,
            'InvalidInstanceID.Malformed',
            'InvalidInstanceID.NotFound',
            (m) =>
              m.length === 1
                ? `The instance ID '${m[0]}' does not exist`
                : `The instance IDs '${quoteList(m)}' do not exist`,
          );
    const matching = instances.filter((instance) =>
      matchesFilters(input.Filters, instance.tags, (name) => {
        if (name === 'instance-id') return [instance.instanceId];
        if (name === 'instance-state-name') return [instance.state];
        if (name === 'vpc-id') return [instance.vpcId];
        if (name === 'subnet-id') return [instance.subnetId];
        if (name === 'network-interface.network-interface-id') return instance.networkInterfaceIds;
        if (name === 'instance.group-id') return this.instanceGroupIds(instance);
        if (name === 'iam-instance-profile.arn') {
          const association = this.associationOf(instance.instanceId);
          return association === undefined ? [] : [association.arn];
        }
        return undefined;
      }),
    );
    return {
      Reservations: matching.map((instance) => ({
        ReservationId: instance.reservationId,
        OwnerId: this.context.accountId,
        Groups: [],
        Instances: [this.toInstance(instance)],
      })),
    };
  }

  /** The union of the groups on all the instance's ENIs, as `Instance.SecurityGroups` reports them. */
  private instanceGroupIds(instance: InstanceRecord): string[] {
    const ids = new Set<string>();
    for (const eniId of instance.networkInterfaceIds) {
      for (const groupId of this.state.networkInterfaces[eniId]?.groupIds ?? []) ids.add(groupId);
    }
    return [...ids];
  }

  private groupIdentifiers(groupIds: readonly string[]): { GroupId: string; GroupName: string }[] {
    return groupIds.map((GroupId) => ({
      GroupId,
      GroupName: this.state.securityGroups[GroupId]?.groupName ?? '',
    }));
  }

  private attachedVolumes(instanceId: string): VolumeRecord[] {
    return Object.values(this.state.volumes)
      .filter((volume) => volume.attachment?.instanceId === instanceId)
      .sort((a, b) => (a.attachment?.deviceName ?? '').localeCompare(b.attachment?.deviceName ?? ''));
  }

  private blockDeviceMappings(instanceId: string) {
    return this.attachedVolumes(instanceId).map((volume) => ({
      DeviceName: volume.attachment?.deviceName,
      Ebs: {
        VolumeId: volume.volumeId,
        Status: 'attached' as const,
        DeleteOnTermination: volume.attachment?.deleteOnTermination,
        AttachTime: new Date(volume.attachment?.attachTime ?? volume.createTime),
      },
    }));
  }

  private toInstance(instance: InstanceRecord): Instance {
    const association = this.associationOf(instance.instanceId);
    const primary = this.state.networkInterfaces[instance.networkInterfaceIds[0] ?? ''];
    return {
      InstanceId: instance.instanceId,
      ImageId: instance.imageId,
      InstanceType: instance.instanceType as Instance['InstanceType'], // free-form in seeds; AWS's enum is huge
      State: { Code: STATE_CODES[instance.state], Name: instance.state },
      LaunchTime: new Date(instance.launchTime),
      Placement: { AvailabilityZone: instance.availabilityZone, Tenancy: 'default' },
      VpcId: instance.vpcId,
      SubnetId: instance.subnetId,
      PrivateIpAddress: primary?.privateIpAddress,
      RootDeviceName: instance.rootDeviceName,
      RootDeviceType: 'ebs',
      BlockDeviceMappings: this.blockDeviceMappings(instance.instanceId),
      SecurityGroups: this.groupIdentifiers(this.instanceGroupIds(instance)),
      NetworkInterfaces: instance.networkInterfaceIds
        .map((id) => this.state.networkInterfaces[id])
        .filter((eni): eni is NetworkInterfaceRecord => eni !== undefined)
        .map((eni) => ({
          NetworkInterfaceId: eni.networkInterfaceId,
          SubnetId: eni.subnetId,
          VpcId: eni.vpcId,
          OwnerId: this.context.accountId,
          Description: eni.description,
          Status: 'in-use' as const,
          PrivateIpAddress: eni.privateIpAddress,
          SourceDestCheck: eni.sourceDestCheck,
          InterfaceType: 'interface',
          Groups: this.groupIdentifiers(eni.groupIds),
          Attachment: {
            AttachmentId: eni.attachment?.attachmentId,
            DeviceIndex: eni.attachment?.deviceIndex,
            NetworkCardIndex: 0,
            Status: 'attached' as const,
            DeleteOnTermination: eni.attachment?.deleteOnTermination,
            AttachTime: new Date(eni.attachment?.attachTime ?? instance.launchTime),
          },
        })),
      ...(association === undefined
        ? {}
        : { IamInstanceProfile: { Arn: association.arn, Id: association.id } }),
      SourceDestCheck: primary?.sourceDestCheck,
      Tags: toTags(instance.tags),
    };
  }

  private describeInstanceAttribute(
    input: DescribeInstanceAttributeCommandInput,
  ): Out<DescribeInstanceAttributeCommandOutput> {
    const instance = this.instance(input.InstanceId);
    const base = { InstanceId: instance.instanceId };
    const primary = this.state.networkInterfaces[instance.networkInterfaceIds[0] ?? ''];
    switch (input.Attribute) {
      case 'disableApiTermination':
        return { ...base, DisableApiTermination: { Value: instance.disableApiTermination } };
      case 'instanceInitiatedShutdownBehavior':
        return { ...base, InstanceInitiatedShutdownBehavior: { Value: instance.shutdownBehavior } };
      case 'blockDeviceMapping':
        return { ...base, BlockDeviceMappings: this.blockDeviceMappings(instance.instanceId) };
      case 'groupSet':
        // The instance-level group set is the primary ENI's.
        return { ...base, Groups: this.groupIdentifiers(primary?.groupIds ?? []) };
      case 'sourceDestCheck':
        return { ...base, SourceDestCheck: { Value: primary?.sourceDestCheck ?? true } };
      case 'instanceType':
        return { ...base, InstanceType: { Value: instance.instanceType } };
      case 'rootDeviceName':
        return { ...base, RootDeviceName: { Value: instance.rootDeviceName } };
      default:
        throw fail(
          'UnsupportedOperation',
          `The sandbox does not model instance attribute ${input.Attribute}`,
        );
    }
  }

  private modifyInstanceAttribute(
    input: ModifyInstanceAttributeCommandInput,
  ): Out<ModifyInstanceAttributeCommandOutput> {
    const instance = this.instance(input.InstanceId);
    // AWS changes one attribute per call and names the clash when given several.
    const given: string[] = [];
    if (input.DisableApiTermination !== undefined) given.push('disableApiTermination');
    if (input.InstanceInitiatedShutdownBehavior !== undefined)
      given.push('instanceInitiatedShutdownBehavior');
    if (input.BlockDeviceMappings !== undefined) given.push('blockDeviceMapping');
    if (input.Groups !== undefined) given.push('groupSet');
    if (input.SourceDestCheck !== undefined) given.push('sourceDestCheck');
    if (input.Attribute !== undefined) given.push(input.Attribute);
    const unmodelled = [
      'DisableApiStop',
      'InstanceType',
      'Kernel',
      'Ramdisk',
      'UserData',
      'EbsOptimized',
    ] as const;
    for (const key of unmodelled) {
      if (input[key] !== undefined) throw fail('UnsupportedOperation', `The sandbox does not model ${key}`);
    }
    if (given.length > 1) {
      throw fail(
        'InvalidParameterCombination',
        `Fields for multiple attribute types specified: ${given.join(', ')}`,
      );
    }
    const attribute = given[0];
    if (attribute === undefined)
      throw fail('MissingParameter', 'The request must contain an attribute to modify');

    const value = input.Attribute === undefined ? undefined : (input.Value ?? '');
    if (attribute === 'disableApiTermination') {
      const flag = input.DisableApiTermination?.Value ?? value === 'true';
      instance.disableApiTermination = flag;
    } else if (attribute === 'instanceInitiatedShutdownBehavior') {
      const behavior = input.InstanceInitiatedShutdownBehavior?.Value ?? value;
      if (behavior !== 'stop' && behavior !== 'terminate') {
        throw fail(
          'InvalidParameterValue',
          `Value (${behavior}) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are stop, terminate.`,
        );
      }
      instance.shutdownBehavior = behavior;
    } else if (attribute === 'blockDeviceMapping') {
      const volumes = this.attachedVolumes(instance.instanceId);
      for (const mapping of input.BlockDeviceMappings ?? []) {
        const volume = volumes.find((candidate) => candidate.attachment?.deviceName === mapping.DeviceName);
        if (volume?.attachment === undefined) {
          throw fail(
            'InvalidInstanceAttributeValue',
            `No device is currently mapped at ${mapping.DeviceName}`,
          );
        }
        if (mapping.Ebs?.DeleteOnTermination !== undefined) {
          volume.attachment.deleteOnTermination = mapping.Ebs.DeleteOnTermination;
        }
      }
    } else if (attribute === 'groupSet' || attribute === 'sourceDestCheck') {
      // These act on the primary ENI, so AWS refuses them when the instance has several.
      if (instance.networkInterfaceIds.length > 1) {
        throw fail(
          'InvalidInstanceID',
          `There are multiple interfaces attached to instance '${instance.instanceId}'. Please specify an interface ID for the operation instead.`,
        );
      }
      const primary = this.eni(instance.networkInterfaceIds[0]);
      if (attribute === 'groupSet') {
        const groups = input.Groups ?? [];
        this.checkGroupsFor(primary.vpcId, groups);
        primary.groupIds = [...groups];
      } else {
        primary.sourceDestCheck = input.SourceDestCheck?.Value ?? value === 'true';
      }
    } else {
      throw fail('UnsupportedOperation', `The sandbox does not model instance attribute ${attribute}`);
    }
    return {};
  }

  // ---------------------------------------------------------------- network interfaces

  private describeNetworkInterfaces(
    input: DescribeNetworkInterfacesCommandInput,
  ): Out<DescribeNetworkInterfacesCommandOutput> {
    const enis =
      input.NetworkInterfaceIds === undefined || input.NetworkInterfaceIds.length === 0
        ? Object.values(this.state.networkInterfaces)
        : this.lookup(
            input.NetworkInterfaceIds,
            'eni',
            this.state.networkInterfaces,
            'InvalidNetworkInterfaceId.Malformed',
            'InvalidNetworkInterfaceID.NotFound',
            (m) => `The networkInterface ID${m.length === 1 ? '' : 's'} '${quoteList(m)}' does not exist`,
          );
    const matching = enis.filter((eni) =>
      matchesFilters(input.Filters, eni.tags, (name) => {
        if (name === 'network-interface-id') return [eni.networkInterfaceId];
        if (name === 'attachment.instance-id')
          return eni.attachment === undefined ? [] : [eni.attachment.instanceId];
        if (name === 'attachment.device-index') {
          return eni.attachment === undefined ? [] : [String(eni.attachment.deviceIndex)];
        }
        if (name === 'vpc-id') return [eni.vpcId];
        if (name === 'subnet-id') return [eni.subnetId];
        if (name === 'group-id') return eni.groupIds;
        if (name === 'status') return [eni.attachment === undefined ? 'available' : 'in-use'];
        return undefined;
      }),
    );
    return { NetworkInterfaces: matching.map((eni) => this.toNetworkInterface(eni)) };
  }

  private toNetworkInterface(eni: NetworkInterfaceRecord): NetworkInterface {
    return {
      NetworkInterfaceId: eni.networkInterfaceId,
      VpcId: eni.vpcId,
      SubnetId: eni.subnetId,
      AvailabilityZone: eni.availabilityZone,
      Description: eni.description,
      OwnerId: this.context.accountId,
      InterfaceType: 'interface',
      PrivateIpAddress: eni.privateIpAddress,
      SourceDestCheck: eni.sourceDestCheck,
      Status: eni.attachment === undefined ? 'available' : 'in-use',
      Groups: this.groupIdentifiers(eni.groupIds),
      ...(eni.attachment === undefined
        ? {}
        : {
            Attachment: {
              AttachmentId: eni.attachment.attachmentId,
              InstanceId: eni.attachment.instanceId,
              InstanceOwnerId: this.context.accountId,
              DeviceIndex: eni.attachment.deviceIndex,
              NetworkCardIndex: 0,
              Status: 'attached',
              DeleteOnTermination: eni.attachment.deleteOnTermination,
              AttachTime: new Date(eni.attachment.attachTime),
            },
          }),
      // ENIs carry their tags in `TagSet`, not `Tags`.
      TagSet: toTags(eni.tags) ?? [],
    };
  }

  private modifyNetworkInterfaceAttribute(
    input: ModifyNetworkInterfaceAttributeCommandInput,
  ): Out<ModifyNetworkInterfaceAttributeCommandOutput> {
    const eni = this.eni(input.NetworkInterfaceId);
    if (input.Groups !== undefined) {
      this.checkGroupsFor(eni.vpcId, input.Groups);
      eni.groupIds = [...input.Groups];
    }
    if (input.SourceDestCheck?.Value !== undefined) eni.sourceDestCheck = input.SourceDestCheck.Value;
    if (input.Description?.Value !== undefined) eni.description = input.Description.Value;
    if (input.Attachment?.DeleteOnTermination !== undefined && eni.attachment !== undefined) {
      eni.attachment.deleteOnTermination = input.Attachment.DeleteOnTermination;
    }
    return {};
  }

  // ---------------------------------------------------------------- security groups

  private describeSecurityGroups(
    input: DescribeSecurityGroupsCommandInput,
  ): Out<DescribeSecurityGroupsCommandOutput> {
    let groups =
      input.GroupIds === undefined || input.GroupIds.length === 0
        ? Object.values(this.state.securityGroups)
        : this.lookup(
            input.GroupIds,
            'group',
            this.state.securityGroups,
            'InvalidGroupId.Malformed',
            'InvalidGroup.NotFound',
            (m) => `The security group${m.length === 1 ? '' : 's'} '${quoteList(m)}' does not exist`,
          );
    if (input.GroupNames !== undefined && input.GroupNames.length > 0) {
      // Names alone address groups of the default VPC only.
      const defaultVpc = Object.values(this.state.vpcs).find((vpc) => vpc.isDefault);
      const byName = input.GroupNames.map((name) => {
        const found = groups.find((group) => group.groupName === name && group.vpcId === defaultVpc?.vpcId);
        if (found === undefined) {
          throw fail(
            'InvalidGroup.NotFound',
            `The security group '${name}' does not exist in default VPC '${defaultVpc?.vpcId ?? 'none'}'`,
          );
        }
        return found;
      });
      groups = byName;
    }
    const matching = groups.filter((group) =>
      matchesFilters(input.Filters, group.tags, (name) => {
        if (name === 'group-id') return [group.groupId];
        if (name === 'group-name') return [group.groupName];
        if (name === 'vpc-id') return [group.vpcId];
        if (name === 'description') return [group.description];
        if (name === 'owner-id') return [this.context.accountId];
        return undefined;
      }),
    );
    return { SecurityGroups: matching.map((group) => this.toSecurityGroup(group)) };
  }

  private toSecurityGroup(group: SecurityGroupRecord): SecurityGroup {
    return {
      GroupId: group.groupId,
      GroupName: group.groupName,
      Description: group.description,
      VpcId: group.vpcId,
      OwnerId: this.context.accountId,
      SecurityGroupArn: this.groupArn(group.groupId),
      IpPermissions: toIpPermissions(group.ingress, this.context.accountId),
      IpPermissionsEgress: toIpPermissions(group.egress, this.context.accountId),
      Tags: toTags(group.tags),
    };
  }

  private groupArn(groupId: string): string {
    return `arn:aws:ec2:${this.context.region}:${this.context.accountId}:security-group/${groupId}`;
  }

  private createSecurityGroup(
    input: CreateSecurityGroupCommandInput,
    context: SandboxContext,
  ): Out<CreateSecurityGroupCommandOutput> {
    const name = input.GroupName ?? '';
    if (name === '' || (input.Description ?? '') === '') {
      throw fail(
        'MissingParameter',
        `The request must contain the parameter ${name === '' ? 'groupName' : 'groupDescription'}`,
      );
    }
    if (name.toLowerCase() === 'default' || name.startsWith('sg-')) {
      throw fail(
        'InvalidParameterValue',
        `Value (${name}) for parameter GroupName is invalid. Group names may not be in the format sg-* or default.`,
      );
    }
    let vpcId = input.VpcId;
    if (vpcId === undefined) {
      vpcId = Object.values(this.state.vpcs).find((vpc) => vpc.isDefault)?.vpcId;
      if (vpcId === undefined) throw fail('VPCIdNotSpecified', 'No default VPC for this user');
    }
    const vpc = this.vpc(vpcId);
    if (Object.values(this.state.securityGroups).some((g) => g.vpcId === vpc.vpcId && g.groupName === name)) {
      throw fail(
        'InvalidGroup.Duplicate',
        `The security group '${name}' already exists for VPC '${vpc.vpcId}'`,
      );
    }
    const tags = tagsFor(input.TagSpecifications, 'security-group');
    const groupId = context.nextId('sg');
    // A new group allows no inbound traffic and all outbound IPv4 traffic; AWS adds no IPv6 egress rule here
    // (only a VPC's own default group gets one).
    this.state.securityGroups[groupId] = {
      groupId,
      groupName: name,
      description: input.Description ?? '',
      vpcId: vpc.vpcId,
      ingress: [],
      egress: [allowAll({ kind: 'ipv4', value: '0.0.0.0/0' }, context.nextId('sgr'))],
      tags,
    };
    return { GroupId: groupId, SecurityGroupArn: this.groupArn(groupId), Tags: toTags(tags) };
  }

  private deleteSecurityGroup(input: DeleteSecurityGroupCommandInput): Out<DeleteSecurityGroupCommandOutput> {
    if (input.GroupId === undefined)
      throw fail('MissingParameter', 'The request must contain the parameter groupId');
    const group = this.group(input.GroupId);
    if (group.groupName === 'default') {
      throw fail(
        'CannotDelete',
        `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
      );
    }
    const inUse = Object.values(this.state.networkInterfaces).some((eni) =>
      eni.groupIds.includes(group.groupId),
    );
    const referenced = Object.values(this.state.securityGroups).some(
      (other) =>
        other.groupId !== group.groupId &&
        [...other.ingress, ...other.egress].some(
          (rule) => rule.peer.kind === 'group' && rule.peer.value === group.groupId,
        ),
    );
    if (inUse || referenced) {
      throw fail('DependencyViolation', `resource ${group.groupId} has a dependent object`);
    }
    delete this.state.securityGroups[group.groupId];
    return { Return: true, GroupId: group.groupId };
  }

  /** Splits `IpPermission`s into AWS's one-peer rules, checking protocol, ports and referenced groups. */
  private toRules(permissions: readonly IpPermission[], context: SandboxContext): SecurityGroupRuleRecord[] {
    const rules: SecurityGroupRuleRecord[] = [];
    for (const permission of permissions) {
      const protocol = normalizeProtocol(permission.IpProtocol);
      if (protocol === '')
        throw fail('MissingParameter', 'The request must contain the parameter ipProtocol');
      const ports: Pick<SecurityGroupRuleRecord, 'fromPort' | 'toPort'> = {};
      if (protocol !== '-1') {
        if (
          (protocol === 'tcp' || protocol === 'udp') &&
          (permission.FromPort === undefined || permission.ToPort === undefined)
        ) {
          throw fail(
            'InvalidParameterValue',
            "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange",
          );
        }
        if (permission.FromPort !== undefined) ports.fromPort = permission.FromPort;
        if (permission.ToPort !== undefined) ports.toPort = permission.ToPort;
      }
      const add = (peer: SecurityGroupRuleRecord['peer'], description: string | undefined) =>
        rules.push({
          ruleId: context.nextId('sgr'),
          protocol,
          ...ports,
          peer,
          ...(description === undefined ? {} : { description }),
        });
      for (const range of permission.IpRanges ?? [])
        add({ kind: 'ipv4', value: range.CidrIp ?? '' }, range.Description);
      for (const range of permission.Ipv6Ranges ?? []) {
        add({ kind: 'ipv6', value: range.CidrIpv6 ?? '' }, range.Description);
      }
      for (const prefix of permission.PrefixListIds ?? []) {
        add({ kind: 'prefixList', value: prefix.PrefixListId ?? '' }, prefix.Description);
      }
      for (const pair of permission.UserIdGroupPairs ?? []) {
        const referenced = this.group(pair.GroupId);
        add({ kind: 'group', value: referenced.groupId }, pair.Description);
      }
    }
    return rules;
  }

  private authorize(
    input: AuthorizeSecurityGroupIngressCommandInput | AuthorizeSecurityGroupEgressCommandInput,
    egress: boolean,
    context: SandboxContext,
  ): { Return: boolean; SecurityGroupRules: SecurityGroupRule[] } {
    const group = this.group(input.GroupId);
    const rules = this.toRules(input.IpPermissions ?? [], context);
    if (rules.length === 0)
      throw fail('MissingParameter', 'The request must contain the parameter ipPermissions');
    const existing = egress ? group.egress : group.ingress;
    for (const [index, rule] of rules.entries()) {
      if (
        existing.some((current) => sameRule(current, rule)) ||
        rules.slice(0, index).some((r) => sameRule(r, rule))
      ) {
        throw fail(
          'InvalidPermission.Duplicate',
          `the specified rule "${describeRule(rule)}" already exists`,
        );
      }
    }
    existing.push(...rules);
    return {
      Return: true,
      SecurityGroupRules: rules.map((rule) => ({
        SecurityGroupRuleId: rule.ruleId,
        GroupId: group.groupId,
        GroupOwnerId: this.context.accountId,
        IsEgress: egress,
        IpProtocol: rule.protocol,
        FromPort: rule.fromPort ?? -1,
        ToPort: rule.toPort ?? -1,
        ...this.rulePeer(rule),
        ...(rule.description === undefined ? {} : { Description: rule.description }),
      })),
    };
  }

  private rulePeer(rule: SecurityGroupRuleRecord): Partial<SecurityGroupRule> {
    if (rule.peer.kind === 'ipv4') return { CidrIpv4: rule.peer.value };
    if (rule.peer.kind === 'ipv6') return { CidrIpv6: rule.peer.value };
    if (rule.peer.kind === 'prefixList') return { PrefixListId: rule.peer.value };
    return { ReferencedGroupInfo: { GroupId: rule.peer.value, UserId: this.context.accountId } };
  }

  /**
   * In a non-default VPC an unmatched rule fails the whole call with `InvalidPermission.NotFound`; in a
   * default VPC the matched rules go and the others come back in `UnknownIpPermissions`.
   */
  private revoke(
    input: RevokeSecurityGroupIngressCommandInput | RevokeSecurityGroupEgressCommandInput,
    egress: boolean,
  ): {
    Return: boolean;
    UnknownIpPermissions?: IpPermission[];
    RevokedSecurityGroupRules: RevokedSecurityGroupRule[];
  } {
    const group = this.group(input.GroupId);
    const ruleIds = input.SecurityGroupRuleIds ?? [];
    const existing = egress ? group.egress : group.ingress;
    let targets: SecurityGroupRuleRecord[];
    const unknown: SecurityGroupRuleRecord[] = [];
    if (ruleIds.length > 0) {
      const missing = ruleIds.filter((id) => !existing.some((rule) => rule.ruleId === id));
      if (missing.length > 0) {
        throw fail(
          'InvalidSecurityGroupRuleId.NotFound',
          `The security group rule ID '${quoteList(missing)}' does not exist`,
        );
      }
      targets = existing.filter((rule) => ruleIds.includes(rule.ruleId));
    } else {
      // Placeholder ids: these rules are only compared, never stored.
      const wanted = this.toRules(input.IpPermissions ?? [], {
        ...this.context,
        nextId: (p) => `${p}-probe`,
      });
      if (wanted.length === 0)
        throw fail('MissingParameter', 'The request must contain the parameter ipPermissions');
      targets = [];
      for (const rule of wanted) {
        const found = existing.find((current) => sameRule(current, rule));
        if (found === undefined) unknown.push(rule);
        else targets.push(found);
      }
      const inDefaultVpc = this.state.vpcs[group.vpcId]?.isDefault === true;
      if (unknown.length > 0 && !inDefaultVpc) {
        throw fail('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
      }
    }
    const remaining = existing.filter((rule) => !targets.includes(rule));
    if (egress) group.egress = remaining;
    else group.ingress = remaining;
    return {
      Return: true,
      ...(unknown.length === 0
        ? {}
        : { UnknownIpPermissions: toIpPermissions(unknown, this.context.accountId) }),
      RevokedSecurityGroupRules: targets.map((rule) => ({
        SecurityGroupRuleId: rule.ruleId,
        GroupId: group.groupId,
        IsEgress: egress,
        IpProtocol: rule.protocol,
        FromPort: rule.fromPort ?? -1,
        ToPort: rule.toPort ?? -1,
        ...(rule.peer.kind === 'ipv4' ? { CidrIpv4: rule.peer.value } : {}),
        ...(rule.peer.kind === 'ipv6' ? { CidrIpv6: rule.peer.value } : {}),
        ...(rule.peer.kind === 'prefixList' ? { PrefixListId: rule.peer.value } : {}),
        ...(rule.peer.kind === 'group' ? { ReferencedGroupId: rule.peer.value } : {}),
      })),
    };
  }

  // ---------------------------------------------------------------- tags

  /** The tag map of any taggable resource, found by its id prefix; unknown ids answer the per-type error. */
  private taggable(resourceId: string): { tags: Record<string, string>; type: string } {
    if (resourceId.startsWith('i-')) return { tags: this.instance(resourceId).tags, type: 'instance' };
    if (resourceId.startsWith('vol-')) return { tags: this.volume(resourceId).tags, type: 'volume' };
    if (resourceId.startsWith('sg-')) return { tags: this.group(resourceId).tags, type: 'security-group' };
    if (resourceId.startsWith('eni-')) return { tags: this.eni(resourceId).tags, type: 'network-interface' };
    if (resourceId.startsWith('vpc-')) return { tags: this.vpc(resourceId).tags, type: 'vpc' };
    if (resourceId.startsWith('snap-')) {
      checkId('snapshot', resourceId, 'InvalidSnapshotID.Malformed');
      const snapshot = this.state.snapshots[resourceId];
      if (snapshot === undefined) {
        throw fail('InvalidSnapshot.NotFound', `The snapshot '${resourceId}' does not exist.`);
      }
      return { tags: snapshot.tags, type: 'snapshot' };
    }
    throw fail('InvalidID', `The ID '${resourceId}' is not valid`);
  }

  private createTags(input: CreateTagsCommandInput): Out<CreateTagsCommandOutput> {
    for (const resourceId of input.Resources ?? []) {
      const { tags } = this.taggable(resourceId);
      for (const tag of input.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    }
    return {};
  }

  /** A tag given with a value is removed only if the value matches; no `Tags` at all removes every tag. */
  private deleteTags(input: DeleteTagsCommandInput): Out<DeleteTagsCommandOutput> {
    for (const resourceId of input.Resources ?? []) {
      const { tags } = this.taggable(resourceId);
      if (input.Tags === undefined) {
        for (const key of Object.keys(tags)) delete tags[key];
        continue;
      }
      for (const tag of input.Tags) {
        if (tag.Key === undefined) continue;
        if (tag.Value === undefined || tags[tag.Key] === tag.Value) delete tags[tag.Key];
      }
    }
    return {};
  }

  private describeTags(input: DescribeTagsCommandInput): Out<DescribeTagsCommandOutput> {
    const all: TagDescription[] = [];
    const collect = (
      ResourceId: string,
      ResourceType: TagDescription['ResourceType'],
      tags: Record<string, string>,
    ) => {
      for (const [Key, Value] of Object.entries(tags)) all.push({ ResourceId, ResourceType, Key, Value });
    };
    for (const instance of Object.values(this.state.instances))
      collect(instance.instanceId, 'instance', instance.tags);
    for (const volume of Object.values(this.state.volumes)) collect(volume.volumeId, 'volume', volume.tags);
    for (const snap of Object.values(this.state.snapshots)) collect(snap.snapshotId, 'snapshot', snap.tags);
    for (const group of Object.values(this.state.securityGroups))
      collect(group.groupId, 'security-group', group.tags);
    for (const eni of Object.values(this.state.networkInterfaces)) {
      collect(eni.networkInterfaceId, 'network-interface', eni.tags);
    }
    for (const vpc of Object.values(this.state.vpcs)) collect(vpc.vpcId, 'vpc', vpc.tags);
    const matching = all.filter((tag) =>
      matchesFilters(input.Filters, {}, (name) => {
        if (name === 'resource-id') return [tag.ResourceId ?? ''];
        if (name === 'resource-type') return [tag.ResourceType ?? ''];
        if (name === 'key') return [tag.Key ?? ''];
        if (name === 'value') return [tag.Value ?? ''];
        return undefined;
      }),
    );
    return { Tags: matching };
  }

  // ---------------------------------------------------------------- volumes and snapshots

  private describeVolumes(input: DescribeVolumesCommandInput): Out<DescribeVolumesCommandOutput> {
    const volumes =
      input.VolumeIds === undefined || input.VolumeIds.length === 0
        ? Object.values(this.state.volumes)
        : this.lookup(
            input.VolumeIds,
            'volume',
            this.state.volumes,
            'InvalidVolumeID.Malformed',
            'InvalidVolume.NotFound',
            (m) =>
              m.length === 1
                ? `The volume '${m[0]}' does not exist.`
                : `The volumes '${quoteList(m)}' do not exist.`,
          );
    const matching = volumes.filter((volume) =>
      matchesFilters(input.Filters, volume.tags, (name) => {
        if (name === 'volume-id') return [volume.volumeId];
        if (name === 'attachment.instance-id')
          return volume.attachment === undefined ? [] : [volume.attachment.instanceId];
        if (name === 'attachment.device')
          return volume.attachment === undefined ? [] : [volume.attachment.deviceName];
        if (name === 'attachment.delete-on-termination') {
          return volume.attachment === undefined ? [] : [String(volume.attachment.deleteOnTermination)];
        }
        if (name === 'status') return [volume.attachment === undefined ? 'available' : 'in-use'];
        return undefined;
      }),
    );
    return { Volumes: matching.map((volume) => this.toVolume(volume)) };
  }

  private toVolume(volume: VolumeRecord): Volume {
    return {
      VolumeId: volume.volumeId,
      Size: volume.size,
      AvailabilityZone: volume.availabilityZone,
      Encrypted: volume.encrypted,
      CreateTime: new Date(volume.createTime),
      VolumeType: 'gp3',
      State: volume.attachment === undefined ? 'available' : 'in-use',
      Attachments:
        volume.attachment === undefined
          ? []
          : [
              {
                VolumeId: volume.volumeId,
                InstanceId: volume.attachment.instanceId,
                Device: volume.attachment.deviceName,
                State: 'attached',
                AttachTime: new Date(volume.attachment.attachTime),
                DeleteOnTermination: volume.attachment.deleteOnTermination,
              },
            ],
      Tags: toTags(volume.tags),
    };
  }

  private newSnapshot(
    volume: VolumeRecord,
    description: string,
    tags: Record<string, string>,
    context: SandboxContext,
  ): SnapshotRecord {
    const snapshot: SnapshotRecord = {
      snapshotId: context.nextId('snap'),
      volumeId: volume.volumeId,
      volumeSize: volume.size,
      description,
      encrypted: volume.encrypted,
      startTime: context.now().toISOString(),
      state: 'pending',
      pendingDescribesLeft: this.snapshotPendingDescribes,
      tags,
    };
    this.state.snapshots[snapshot.snapshotId] = snapshot;
    return snapshot;
  }

  private toSnapshot(snapshot: SnapshotRecord): Snapshot {
    return {
      SnapshotId: snapshot.snapshotId,
      VolumeId: snapshot.volumeId,
      VolumeSize: snapshot.volumeSize,
      Description: snapshot.description,
      Encrypted: snapshot.encrypted,
      OwnerId: this.context.accountId,
      StartTime: new Date(snapshot.startTime),
      State: snapshot.state,
      Progress: snapshot.state === 'completed' ? '100%' : '',
      StorageTier: 'standard',
      Tags: toTags(snapshot.tags),
    };
  }

  private createSnapshot(
    input: CreateSnapshotCommandInput,
    context: SandboxContext,
  ): Out<CreateSnapshotCommandOutput> {
    const volume = this.volume(input.VolumeId);
    const snapshot = this.newSnapshot(
      volume,
      input.Description ?? '',
      tagsFor(input.TagSpecifications, 'snapshot'),
      context,
    );
    return this.toSnapshot(snapshot);
  }

  private createSnapshots(
    input: CreateSnapshotsCommandInput,
    context: SandboxContext,
  ): Out<CreateSnapshotsCommandOutput> {
    const spec = input.InstanceSpecification;
    const instance = this.instance(spec?.InstanceId);
    const requested = tagsFor(input.TagSpecifications, 'snapshot');
    const excluded = new Set(spec?.ExcludeDataVolumeIds ?? []);
    const volumes = this.attachedVolumes(instance.instanceId).filter((volume) => {
      const isBoot = volume.attachment?.deviceName === instance.rootDeviceName;
      if (isBoot) return spec?.ExcludeBootVolume !== true;
      return !excluded.has(volume.volumeId);
    });
    const snapshots = volumes.map((volume) => {
      // Copied volume tags come first, so tags given in the request win on a shared key.
      const tags =
        input.CopyTagsFromSource === 'volume' ? { ...volume.tags, ...requested } : { ...requested };
      return this.newSnapshot(volume, input.Description ?? '', tags, context);
    });
    return {
      Snapshots: snapshots.map((snapshot) => ({
        SnapshotId: snapshot.snapshotId,
        VolumeId: snapshot.volumeId,
        VolumeSize: snapshot.volumeSize,
        Description: snapshot.description,
        Encrypted: snapshot.encrypted,
        OwnerId: this.context.accountId,
        StartTime: new Date(snapshot.startTime),
        State: snapshot.state,
        Progress: '',
        Tags: toTags(snapshot.tags),
      })),
    };
  }

  /**
   * A snapshot answers `pending` to CreateSnapshot(s); each DescribeSnapshots that finds it still pending
   * counts down `snapshotPendingDescribes`, and once that is spent it reads `completed`.
   */
  private describeSnapshots(input: DescribeSnapshotsCommandInput): Out<DescribeSnapshotsCommandOutput> {
    const owners = input.OwnerIds ?? [];
    if (owners.length > 0 && !owners.some((owner) => owner === 'self' || owner === this.context.accountId)) {
      return { Snapshots: [] };
    }
    const snapshots =
      input.SnapshotIds === undefined || input.SnapshotIds.length === 0
        ? Object.values(this.state.snapshots)
        : this.lookup(
            input.SnapshotIds,
            'snapshot',
            this.state.snapshots,
            'InvalidSnapshotID.Malformed',
            'InvalidSnapshot.NotFound',
            (m) =>
              m.length === 1
                ? `The snapshot '${m[0]}' does not exist.`
                : `The snapshots '${quoteList(m)}' do not exist.`,
          );
    const matching = snapshots.filter((snapshot) =>
      matchesFilters(input.Filters, snapshot.tags, (name) => {
        if (name === 'snapshot-id') return [snapshot.snapshotId];
        if (name === 'volume-id') return [snapshot.volumeId];
        if (name === 'status') return [snapshot.state];
        if (name === 'owner-id') return [this.context.accountId];
        if (name === 'description') return [snapshot.description];
        return undefined;
      }),
    );
    for (const snapshot of matching) {
      if (snapshot.state !== 'pending') continue;
      if (snapshot.pendingDescribesLeft <= 0) snapshot.state = 'completed';
      else snapshot.pendingDescribesLeft -= 1;
    }
    return { Snapshots: matching.map((snapshot) => this.toSnapshot(snapshot)) };
  }

  // ---------------------------------------------------------------- instance profiles

  private associationOf(instanceId: string): ProfileAssociationRecord | undefined {
    return Object.values(this.state.profileAssociations).find((a) => a.instanceId === instanceId);
  }

  private toAssociation(
    association: ProfileAssociationRecord,
    state: IamInstanceProfileAssociation['State'],
  ): IamInstanceProfileAssociation {
    return {
      AssociationId: association.associationId,
      InstanceId: association.instanceId,
      IamInstanceProfile: { Arn: association.arn, Id: association.id },
      State: state,
      Timestamp: new Date(association.timestamp),
    };
  }

  /** The profile ARN, checked for form; the EC2 model does not see IAM, so existence is not checked. */
  private profileArn(profile: IamInstanceProfileSpecification | undefined): string {
    if (profile?.Arn !== undefined) {
      const match = INSTANCE_PROFILE_ARN.exec(profile.Arn);
      if (match === null || match[1] !== this.context.accountId) {
        throw fail(
          'InvalidParameterValue',
          `Value (${profile.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
        );
      }
      return profile.Arn;
    }
    if (profile?.Name !== undefined) {
      return `arn:aws:iam::${this.context.accountId}:instance-profile/${profile.Name}`;
    }
    throw fail('MissingParameter', 'The request must contain the parameter iamInstanceProfile');
  }

  /** A stable `AIPA…` id derived from the ARN, so the same profile always has the same id. */
  private profileId(arn: string): string {
    let hash = 2166136261;
    for (const char of arn) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    return `AIPA${hash.toString(36).toUpperCase().padStart(8, '0')}SANDBOX`.slice(0, 21);
  }

  private attachProfile(
    instanceId: string,
    profile: IamInstanceProfileSpecification | undefined,
    context: SandboxContext,
  ): ProfileAssociationRecord {
    const arn = this.profileArn(profile);
    const association: ProfileAssociationRecord = {
      associationId: context.nextId('iip-assoc'),
      instanceId,
      arn,
      id: this.profileId(arn),
      timestamp: context.now().toISOString(),
    };
    this.state.profileAssociations[association.associationId] = association;
    return association;
  }

  private describeProfileAssociations(
    input: DescribeIamInstanceProfileAssociationsCommandInput,
  ): Out<DescribeIamInstanceProfileAssociationsCommandOutput> {
    const ids = input.AssociationIds ?? [];
    const missing = ids.filter((id) => this.state.profileAssociations[id] === undefined);
    if (missing.length > 0) {
      throw fail(
        'InvalidAssociationID.NotFound',
        `An association with ID ${quoteList(missing)} does not exist.`,
      );
    }
    const associations = Object.values(this.state.profileAssociations).filter(
      (association) => ids.length === 0 || ids.includes(association.associationId),
    );
    const matching = associations.filter((association) =>
      matchesFilters(input.Filters, {}, (name) => {
        if (name === 'instance-id') return [association.instanceId];
        if (name === 'state') return ['associated'];
        return undefined;
      }),
    );
    return { IamInstanceProfileAssociations: matching.map((a) => this.toAssociation(a, 'associated')) };
  }

  private associateProfile(
    input: AssociateIamInstanceProfileCommandInput,
    context: SandboxContext,
  ): Out<AssociateIamInstanceProfileCommandOutput> {
    const instance = this.instance(input.InstanceId);
    if (this.associationOf(instance.instanceId) !== undefined) {
      throw fail('IncorrectState', `There is an existing association for instance ${instance.instanceId}`);
    }
    const association = this.attachProfile(instance.instanceId, input.IamInstanceProfile, context);
    return { IamInstanceProfileAssociation: this.toAssociation(association, 'associating') };
  }

  private association(associationId: string | undefined): ProfileAssociationRecord {
    const association = this.state.profileAssociations[associationId ?? ''];
    if (association === undefined) {
      throw fail('InvalidAssociationID.NotFound', `An association with ID ${associationId} does not exist.`);
    }
    return association;
  }

  private disassociateProfile(
    input: DisassociateIamInstanceProfileCommandInput,
  ): Out<DisassociateIamInstanceProfileCommandOutput> {
    const association = this.association(input.AssociationId);
    delete this.state.profileAssociations[association.associationId];
    return { IamInstanceProfileAssociation: this.toAssociation(association, 'disassociating') };
  }

  private replaceProfile(
    input: ReplaceIamInstanceProfileAssociationCommandInput,
    context: SandboxContext,
  ): Out<ReplaceIamInstanceProfileAssociationCommandOutput> {
    const previous = this.association(input.AssociationId);
    const arn = this.profileArn(input.IamInstanceProfile);
    delete this.state.profileAssociations[previous.associationId];
    const association = this.attachProfile(previous.instanceId, { Arn: arn }, context);
    return { IamInstanceProfileAssociation: this.toAssociation(association, 'associating') };
  }
}

/** Builds the EC2 model on the sandbox's context (ids, clock, account). */
export function createEc2Model(context: SandboxContext, options?: Ec2ModelOptions): Ec2Model {
  return new Ec2Model(context, options);
}
