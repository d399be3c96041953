import type {
  CreateVolumePermission,
  DescribeSnapshotAttributeCommandInput,
  DescribeSnapshotAttributeCommandOutput,
  ModifySnapshotAttributeCommandInput,
  ModifySnapshotAttributeCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CommandHandler } from '../../types.ts';
import type { Out } from '../command.ts';
import type { AddSnapshotInput, SnapshotRecord } from './records.ts';
import { type Ec2Store, fail, SNAPSHOTS } from './store.ts';

/**
 * Who may create volumes from a snapshot: DescribeSnapshotAttribute and ModifySnapshotAttribute on
 * `createVolumePermission` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html):
 * the group `all` makes a snapshot public; account ids share it. "You may add or remove specified AWS account IDs …
 * but you cannot do both in a single operation"; "Encrypted snapshots and snapshots with AWS Marketplace product
 * codes cannot be made public"; "You can make up to 500 modifications to a snapshot in a single operation".
 */

const ACCOUNT = /^\d{12}$/;
const MAX_MODIFICATIONS = 500;

interface Change {
  readonly groups: string[];
  readonly userIds: string[];
}

/** Adds a completed snapshot without a call (one taken before the run, possibly shared or public). */
export function addSnapshot(store: Ec2Store, input: AddSnapshotInput): void {
  store.seedId(SNAPSHOTS, input.snapshotId);
  const userIds = [...(input.createVolumePermission?.userIds ?? [])];
  if (userIds.some((id) => !ACCOUNT.test(id)))
    throw new Error('Seed error: snapshot shared with a non-account id');
  const groups = [...(input.createVolumePermission?.groups ?? [])];
  if (input.encrypted === true && groups.includes('all')) {
    throw new Error(`Seed error: encrypted snapshot ${input.snapshotId} cannot be public`);
  }
  const record: SnapshotRecord = {
    snapshotId: input.snapshotId,
    volumeId: input.volumeId ?? 'vol-ffffffff',
    volumeSize: input.volumeSize ?? 8,
    description: input.description ?? '',
    encrypted: input.encrypted ?? false,
    startTime: store.context.now().toISOString(),
    state: 'completed',
    pendingDescribesLeft: 0,
    tags: { ...input.tags },
    ...(groups.length + userIds.length === 0 ? {} : { createVolumePermission: { groups, userIds } }),
  };
  store.state.snapshots[input.snapshotId] = record;
}

function toPermissions(snapshot: SnapshotRecord): CreateVolumePermission[] {
  const permission = snapshot.createVolumePermission;
  if (permission === undefined) return [];
  return [
    // Only `all` is ever stored as a group: every group is checked before it is added.
    ...permission.groups.map((group) => ({ Group: group as 'all' })),
    ...permission.userIds.map((UserId) => ({ UserId })),
  ];
}

/** The additions and removals a ModifySnapshotAttribute asks for, in either of its two input forms. */
function changesOf(input: ModifySnapshotAttributeCommandInput): { add: Change; remove: Change } {
  const add: Change = { groups: [], userIds: [] };
  const remove: Change = { groups: [], userIds: [] };
  const collect = (into: Change, permissions: readonly CreateVolumePermission[] | undefined) => {
    for (const permission of permissions ?? []) {
      if (permission.Group !== undefined) into.groups.push(permission.Group);
      if (permission.UserId !== undefined) into.userIds.push(permission.UserId);
    }
  };
  collect(add, input.CreateVolumePermission?.Add);
  collect(remove, input.CreateVolumePermission?.Remove);
  if (input.OperationType !== undefined) {
    const into = input.OperationType === 'add' ? add : input.OperationType === 'remove' ? remove : undefined;
    if (into === undefined) {
      throw fail(
        'InvalidParameterValue',
        `Value (${input.OperationType}) for parameter operationType is invalid.`,
      );
    }
    into.groups.push(...(input.GroupNames ?? []));
    into.userIds.push(...(input.UserIds ?? []));
  }
  return { add, remove };
}

function modifySnapshotAttribute(
  store: Ec2Store,
  input: ModifySnapshotAttributeCommandInput,
): Out<ModifySnapshotAttributeCommandOutput> {
  const snapshot = store.one(SNAPSHOTS, input.SnapshotId);
  if (input.Attribute !== undefined && input.Attribute !== 'createVolumePermission') {
    throw fail('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid.`);
  }
  const { add, remove } = changesOf(input);
  const added = add.groups.length + add.userIds.length;
  const removed = remove.groups.length + remove.userIds.length;
  if (added > 0 && removed > 0) {
    throw fail(
      'InvalidParameterCombination',
      'You cannot both add and remove create volume permissions in one call.',
    );
  }
  if (added + removed === 0) throw fail('MissingParameter', 'No create volume permission to add or remove.');
  if (added + removed > MAX_MODIFICATIONS) {
    throw fail('InvalidParameterValue', `At most ${MAX_MODIFICATIONS} modifications per call.`);
  }
  for (const group of [...add.groups, ...remove.groups]) {
    if (group !== 'all')
      throw fail('InvalidParameterValue', `Value (${group}) for parameter group is invalid.`);
  }
  for (const userId of [...add.userIds, ...remove.userIds]) {
    if (!ACCOUNT.test(userId))
      throw fail('InvalidParameterValue', `Value (${userId}) for parameter userId is invalid.`);
  }
  if (snapshot.encrypted && add.groups.includes('all')) {
    throw fail('InvalidParameter', `Encrypted snapshot ${snapshot.snapshotId} cannot be made public.`);
  }
  const current = snapshot.createVolumePermission ?? { groups: [], userIds: [] };
  // Removing a permission the snapshot does not have is not an error: the call asks for an end state.
  const groups = current.groups.filter((group) => !remove.groups.includes(group));
  const userIds = current.userIds.filter((userId) => !remove.userIds.includes(userId));
  for (const group of add.groups) if (!groups.includes(group)) groups.push(group);
  for (const userId of add.userIds) if (!userIds.includes(userId)) userIds.push(userId);
  if (groups.length + userIds.length === 0) delete snapshot.createVolumePermission;
  else snapshot.createVolumePermission = { groups, userIds };
  return {};
}

/** DescribeSnapshotAttribute (`createVolumePermission`, `productCodes`) and ModifySnapshotAttribute. */
export function snapshotAttributeCommands(store: Ec2Store): Record<string, CommandHandler> {
  return {
    DescribeSnapshotAttribute: store.reading(
      (input: DescribeSnapshotAttributeCommandInput): Out<DescribeSnapshotAttributeCommandOutput> => {
        const snapshot = store.one(SNAPSHOTS, input.SnapshotId);
        if (input.Attribute === 'productCodes') return { SnapshotId: snapshot.snapshotId, ProductCodes: [] };
        if (input.Attribute !== 'createVolumePermission') {
          throw fail(
            'InvalidParameterValue',
            `Value (${String(input.Attribute)}) for parameter attribute is invalid.`,
          );
        }
        return { SnapshotId: snapshot.snapshotId, CreateVolumePermissions: toPermissions(snapshot) };
      },
    ),
    ModifySnapshotAttribute: store.mutating((input: ModifySnapshotAttributeCommandInput) =>
      modifySnapshotAttribute(store, input),
    ),
  };
}
