import type { Filter, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { serviceErrors } from '../../errors.ts';
import type { CommandHandler, SandboxContext } from '../../types.ts';
import { awsIdPattern } from '../command.ts';
import type {
  Ec2State,
  InstanceRecord,
  NetworkInterfaceRecord,
  ProfileAssociationRecord,
  VolumeRecord,
} from './records.ts';

export const SERVICE = 'EC2';

/** EC2's errors are unmodelled in the SDK: the name is the wire code (`InvalidInstanceID.NotFound`). */
export const fail = serviceErrors(SERVICE);

/**
 * How the model finds one kind of resource: the id's form, the table it lives in, and the errors AWS answers for
 * a malformed id and for ids it does not know (naming every missing one, as AWS's plural messages do).
 */
export interface ResourceKind<R> {
  readonly label: string;
  readonly pattern: RegExp;
  readonly malformed: string;
  readonly notFound: string;
  readonly table: (state: Ec2State) => Record<string, R>;
  readonly missing: (ids: readonly string[]) => string;
}

/**
 * A kind from its id prefix, label, error codes and not-found messages for one id and for several (`{}` stands
 * for the ids), each as AWS words it.
 */
function kind<R>(
  prefix: string,
  label: string,
  [malformed, notFound]: readonly [string, string],
  table: (state: Ec2State) => Record<string, R>,
  [one, several]: readonly [string, string],
): ResourceKind<R> {
  const missing = (ids: readonly string[]) =>
    (ids.length === 1 ? one : several).replace('{}', ids.join(', '));
  return { label, pattern: awsIdPattern(prefix), malformed, notFound, table, missing };
}

// biome-ignore format: one line per kind reads as the table it is.
export const INSTANCES = kind('i', 'instance', ['InvalidInstanceID.Malformed', 'InvalidInstanceID.NotFound'], (state) => state.instances, ["The instance ID '{}' does not exist", "The instance IDs '{}' do not exist"]);
// biome-ignore format: see INSTANCES.
export const GROUPS = kind('sg', 'group', ['InvalidGroupId.Malformed', 'InvalidGroup.NotFound'], (state) => state.securityGroups, ["The security group '{}' does not exist", "The security groups '{}' does not exist"]);
// biome-ignore format: see INSTANCES.
export const NETWORK_INTERFACES = kind('eni', 'eni', ['InvalidNetworkInterfaceId.Malformed', 'InvalidNetworkInterfaceID.NotFound'], (state) => state.networkInterfaces, ["The networkInterface ID '{}' does not exist", "The networkInterface IDs '{}' does not exist"]);
// biome-ignore format: see INSTANCES.
export const VOLUMES = kind('vol', 'volume', ['InvalidVolumeID.Malformed', 'InvalidVolume.NotFound'], (state) => state.volumes, ["The volume '{}' does not exist.", "The volumes '{}' do not exist."]);
// biome-ignore format: see INSTANCES.
export const SNAPSHOTS = kind('snap', 'snapshot', ['InvalidSnapshotID.Malformed', 'InvalidSnapshot.NotFound'], (state) => state.snapshots, ["The snapshot '{}' does not exist.", "The snapshots '{}' do not exist."]);
// biome-ignore format: see INSTANCES.
export const VPCS = kind('vpc', 'vpc', ['InvalidVpcID.Malformed', 'InvalidVpcID.NotFound'], (state) => state.vpcs, ["The vpc ID '{}' does not exist", "The vpc IDs '{}' do not exist"]);

/**
 * The values a resource has for each filter name the model knows. A filter not in the table is refused, as AWS
 * refuses unknown filters, rather than ignored (an ignored filter would widen the answer).
 */
export type FilterTable<R> = Readonly<Record<string, (record: R) => readonly string[]>>;

/** EC2 filter values accept `*` (any run) and `?` (any one character). */
function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/** True when `record` passes every filter; `tag:<key>`, `tag-key` and `tag-value` work on every resource. */
export function matchesFilters<R>(
  filters: readonly Filter[] | undefined,
  record: R,
  table: FilterTable<R>,
  tags: Readonly<Record<string, string>> = {},
): boolean {
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    let actual: readonly string[] | undefined;
    if (name.startsWith('tag:')) {
      const value = tags[name.slice(4)];
      actual = value === undefined ? [] : [value];
    } else if (name === 'tag-key') actual = Object.keys(tags);
    else if (name === 'tag-value') actual = Object.values(tags);
    else actual = table[name]?.(record);
    if (actual === undefined) throw fail('InvalidParameterValue', `The filter '${name}' is invalid`);
    const wanted = filter.Values ?? [];
    if (!wanted.some((pattern) => actual.some((value) => wildcardMatch(pattern, value)))) return false;
  }
  return true;
}

/** A tag map as AWS answers it; AWS leaves the tag set out of a response when a resource has no tags. */
export function toTags(tags: Readonly<Record<string, string>>): Tag[] | undefined {
  const entries = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return entries.length === 0 ? undefined : entries;
}

/** The tags a create call's `TagSpecifications` put on a resource of `resourceType`. */
export function tagsFor(
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

/** A dry run must not consume ids from the sandbox's counter, so later ids are the same with or without it. */
function dryRunContext(context: SandboxContext): SandboxContext {
  return { ...context, nextId: (prefix) => `${prefix}-dryrun` };
}

/**
 * The EC2 model's state and what every resource family shares: finding resources by id, the views one family
 * takes of another (an instance's groups, volumes, profile), and the wrappers that make commands atomic.
 */
export class Ec2Store {
  public state: Ec2State = {
    vpcs: {},
    securityGroups: {},
    instances: {},
    networkInterfaces: {},
    volumes: {},
    snapshots: {},
    profileAssociations: {},
    ebsEncryptionByDefault: false,
  };

  public constructor(
    public readonly context: SandboxContext,
    /** How many DescribeSnapshots answers still show a new snapshot `pending`. */
    public readonly snapshotPendingDescribes: number,
  ) {}

  /** The resource `id` names; `<Kind>.Malformed` or `<Kind>.NotFound` as AWS answers otherwise. */
  public one<R>(kind: ResourceKind<R>, id: string | undefined): R {
    const [found] = this.many(kind, [id ?? '']);
    if (found === undefined) throw fail(kind.notFound, kind.missing([id ?? '']));
    return found;
  }

  /** The resources `ids` name, in order; every missing id is reported at once. */
  public many<R>(kind: ResourceKind<R>, ids: readonly string[]): R[] {
    for (const id of ids) {
      if (!kind.pattern.test(id)) throw fail(kind.malformed, `Invalid id: "${id}"`);
    }
    const table = kind.table(this.state);
    const missing = ids.filter((id) => table[id] === undefined);
    if (missing.length > 0) throw fail(kind.notFound, kind.missing(missing));
    return ids.map((id) => table[id]).filter((found): found is R => found !== undefined);
  }

  /** A Describe call's selection: the ids asked for (every resource when none), then the filters. */
  public select<R extends { tags: Record<string, string> }>(
    kind: ResourceKind<R>,
    ids: readonly string[] | undefined,
    filters: readonly Filter[] | undefined,
    table: FilterTable<R>,
  ): R[] {
    const records =
      ids === undefined || ids.length === 0 ? Object.values(kind.table(this.state)) : this.many(kind, ids);
    return records.filter((record) => matchesFilters(filters, record, table, record.tags));
  }

  // ---------------------------------------------------------------- seeding checks

  /** Seeding refuses ids AWS would never issue, so a test cannot pass on an id real code would reject. */
  public seedId<R>(kind: ResourceKind<R>, id: string): void {
    if (!kind.pattern.test(id)) {
      throw new Error(
        `Seed error: ${id} is not a well-formed ${kind.label} id (AWS ids are prefix + 8 or 17 hex digits)`,
      );
    }
  }

  public seeded<R>(kind: ResourceKind<R>, id: string): R {
    const found = kind.table(this.state)[id];
    if (found === undefined) throw new Error(`Seed error: no ${kind.label} ${id}`);
    return found;
  }

  // ---------------------------------------------------------------- views across families

  /** The union of the groups on all the instance's ENIs, as `Instance.SecurityGroups` reports them. */
  public instanceGroupIds(instance: InstanceRecord): string[] {
    const ids = new Set<string>();
    for (const eniId of instance.networkInterfaceIds) {
      for (const groupId of this.state.networkInterfaces[eniId]?.groupIds ?? []) ids.add(groupId);
    }
    return [...ids];
  }

  public groupIdentifiers(groupIds: readonly string[]): { GroupId: string; GroupName: string }[] {
    return groupIds.map((GroupId) => ({
      GroupId,
      GroupName: this.state.securityGroups[GroupId]?.groupName ?? '',
    }));
  }

  /** The instance's primary ENI (device index 0). */
  public primaryEni(instance: InstanceRecord): NetworkInterfaceRecord | undefined {
    return this.state.networkInterfaces[instance.networkInterfaceIds[0] ?? ''];
  }

  /** The volumes attached to the instance, in device-name order. */
  public attachedVolumes(instanceId: string): VolumeRecord[] {
    return Object.values(this.state.volumes)
      .filter((volume) => volume.attachment?.instanceId === instanceId)
      .sort((a, b) => (a.attachment?.deviceName ?? '').localeCompare(b.attachment?.deviceName ?? ''));
  }

  public associationOf(instanceId: string): ProfileAssociationRecord | undefined {
    return Object.values(this.state.profileAssociations).find((a) => a.instanceId === instanceId);
  }

  /** Groups for an ENI: at least one, each existing and in the ENI's VPC. */
  public checkGroupsFor(vpcId: string, groupIds: readonly string[]): void {
    if (groupIds.length === 0) {
      throw fail(
        'InvalidParameterValue',
        'Value () for parameter groupId is invalid. The value cannot be empty',
      );
    }
    for (const groupId of groupIds) {
      if (this.one(GROUPS, groupId).vpcId !== vpcId) {
        throw fail(
          'InvalidGroup.NotFound',
          'You have specified two resources that belong to different networks.',
        );
      }
    }
  }

  // ---------------------------------------------------------------- command wrappers

  /** A command that reads: the SDK-typed input, nothing to undo. */
  public reading<I>(handler: (input: I) => unknown): CommandHandler {
    // The sandbox hands over the input the SDK client was given, typed by the SDK as the command's input.
    return (input) => handler(input as I);
  }

  /**
   * A command that changes the state: it runs on the live state, which is put back if it throws (AWS calls are
   * all-or-nothing) or if it was a dry run, which then answers `DryRunOperation` as AWS does.
   */
  public mutating<I extends object>(handler: (input: I, context: SandboxContext) => unknown): CommandHandler {
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
}
