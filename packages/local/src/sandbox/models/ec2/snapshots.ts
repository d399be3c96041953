import type {
  CreateSnapshotCommandInput,
  CreateSnapshotCommandOutput,
  DescribeSnapshotsCommandInput,
  DescribeSnapshotsCommandOutput,
  Snapshot,
} from '@aws-sdk/client-ec2';
import type { CommandHandler, SandboxContext } from '../../types.ts';
import type { Out } from '../command.ts';
import type { SnapshotRecord } from './records.ts';
import { type Ec2Store, type FilterTable, SNAPSHOTS, tagsFor, toTags, VOLUMES } from './store.ts';

/**
 * EBS snapshots of the seeded volumes: CreateSnapshot and DescribeSnapshots. A snapshot answers `pending` when
 * created and `completed` from a later describe on (after `snapshotPendingDescribes` more describes).
 */
export function snapshotCommands(store: Ec2Store): Record<string, CommandHandler> {
  return {
    CreateSnapshot: store.mutating((input: CreateSnapshotCommandInput, context) =>
      createSnapshot(store, input, context),
    ),
    DescribeSnapshots: store.reading((input: DescribeSnapshotsCommandInput) =>
      describeSnapshots(store, input),
    ),
  };
}

function createSnapshot(
  store: Ec2Store,
  input: CreateSnapshotCommandInput,
  context: SandboxContext,
): Out<CreateSnapshotCommandOutput> {
  const volume = store.one(VOLUMES, input.VolumeId);
  const snapshot: SnapshotRecord = {
    snapshotId: context.nextId('snap'),
    volumeId: volume.volumeId,
    volumeSize: volume.size,
    description: input.Description ?? '',
    encrypted: volume.encrypted,
    startTime: context.now().toISOString(),
    state: 'pending',
    pendingDescribesLeft: store.snapshotPendingDescribes,
    tags: tagsFor(input.TagSpecifications, 'snapshot'),
  };
  store.state.snapshots[snapshot.snapshotId] = snapshot;
  return toSnapshot(store, snapshot);
}

function toSnapshot(store: Ec2Store, snapshot: SnapshotRecord): Snapshot {
  return {
    SnapshotId: snapshot.snapshotId,
    VolumeId: snapshot.volumeId,
    VolumeSize: snapshot.volumeSize,
    Description: snapshot.description,
    Encrypted: snapshot.encrypted,
    OwnerId: store.context.accountId,
    StartTime: new Date(snapshot.startTime),
    State: snapshot.state,
    Progress: snapshot.state === 'completed' ? '100%' : '',
    StorageTier: 'standard',
    Tags: toTags(snapshot.tags),
  };
}

/**
 * Each DescribeSnapshots that finds a snapshot still pending counts down its `pendingDescribesLeft`; once that is
 * spent it reads `completed`. Owners other than `self` or the account answer none. `RestorableByUserIds` keeps the
 * snapshots those accounts may create volumes from: "all for public snapshots", "self for snapshots for which you
 * own or have explicit permissions", or account ids the snapshot is shared with
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html); the sandbox holds only the
 * account's own snapshots, so `self` keeps every one.
 */
function describeSnapshots(
  store: Ec2Store,
  input: DescribeSnapshotsCommandInput,
): Out<DescribeSnapshotsCommandOutput> {
  const { accountId } = store.context;
  const owners = input.OwnerIds ?? [];
  if (owners.length > 0 && !owners.some((owner) => owner === 'self' || owner === accountId)) {
    return { Snapshots: [] };
  }
  const filters: FilterTable<SnapshotRecord> = {
    'snapshot-id': (snapshot) => [snapshot.snapshotId],
    'volume-id': (snapshot) => [snapshot.volumeId],
    status: (snapshot) => [snapshot.state],
    'owner-id': () => [accountId],
    description: (snapshot) => [snapshot.description],
  };
  const restorableBy = input.RestorableByUserIds ?? [];
  const restorable = (snapshot: SnapshotRecord) =>
    restorableBy.some((who) =>
      who === 'all'
        ? (snapshot.createVolumePermission?.groups ?? []).includes('all')
        : who === 'self' ||
          who === accountId ||
          (snapshot.createVolumePermission?.userIds ?? []).includes(who),
    );
  const matching = store
    .select(SNAPSHOTS, input.SnapshotIds, input.Filters, filters)
    .filter((snapshot) => restorableBy.length === 0 || restorable(snapshot));
  for (const snapshot of matching) {
    if (snapshot.state !== 'pending') continue;
    if (snapshot.pendingDescribesLeft <= 0) snapshot.state = 'completed';
    else snapshot.pendingDescribesLeft -= 1;
  }
  return { Snapshots: matching.map((snapshot) => toSnapshot(store, snapshot)) };
}
