import {
  CreateSnapshotCommand,
  type CreateSnapshotCommandInput,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  type Instance,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import { runAction } from '../../src/actions/run-action.ts';
import { snapshotVolumes } from '../../src/actions/snapshot-volumes.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const ROOT = 'vol-0000000000000000a';
const DATA = 'vol-0000000000000000b';
const SNAPSHOT_IDS: Readonly<Record<string, string>> = {
  [ROOT]: 'snap-0000000000000000a',
  [DATA]: 'snap-0000000000000000b',
};

function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    BlockDeviceMappings: [
      { DeviceName: '/dev/xvda', Ebs: { VolumeId: ROOT, DeleteOnTermination: false } },
      { DeviceName: '/dev/sdf', Ebs: { VolumeId: DATA, DeleteOnTermination: false } },
    ],
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    ...overrides,
  };
}

function evidenceSnapshot(volumeId: string, snapshotId: string, state: Snapshot['State']): Snapshot {
  return {
    SnapshotId: snapshotId,
    VolumeId: volumeId,
    State: state,
    Tags: [
      { Key: 'cordon:incident', Value: TEST_INCIDENT },
      { Key: 'cordon:volume-id', Value: volumeId },
      { Key: 'cordon:instance-id', Value: INSTANCE_ID },
    ],
  };
}

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

describe('snapshot-volumes (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const input = { ...envelope(), instanceId: INSTANCE_ID };

  beforeEach(() => {
    ec2.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(CreateSnapshotCommand).callsFake((sent: CreateSnapshotCommandInput) => ({
      SnapshotId: SNAPSHOT_IDS[sent.VolumeId ?? ''],
      VolumeId: sent.VolumeId,
      State: 'pending',
    }));
  });

  it('snapshots every attached EBS volume', async () => {
    const outcome = await runAction(snapshotVolumes, input, actionEnvironment(clients));

    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotCommand, 2);
    expect(ec2).toHaveReceivedCommandWith(CreateSnapshotCommand, { VolumeId: ROOT });
    expect(ec2).toHaveReceivedCommandWith(CreateSnapshotCommand, { VolumeId: DATA });
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      snapshots: [
        { volumeId: ROOT, snapshotId: SNAPSHOT_IDS[ROOT] },
        { volumeId: DATA, snapshotId: SNAPSHOT_IDS[DATA] },
      ],
    });
  });

  it('tags each snapshot with the incident, volume and instance', async () => {
    await runAction(snapshotVolumes, input, actionEnvironment(clients));

    expect(ec2).toHaveReceivedCommandWith(CreateSnapshotCommand, {
      VolumeId: DATA,
      Description: `Cordon evidence for incident ${TEST_INCIDENT}: ${DATA} of ${INSTANCE_ID}`,
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'cordon:incident', Value: TEST_INCIDENT },
            { Key: 'cordon:volume-id', Value: DATA },
            { Key: 'cordon:instance-id', Value: INSTANCE_ID },
          ],
        },
      ],
    });
  });

  it("looks for earlier snapshots among the account's own, by the incident and instance tags", async () => {
    await runAction(snapshotVolumes, input, actionEnvironment(clients));

    expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeSnapshotsCommand, {
      OwnerIds: ['self'],
      Filters: [
        { Name: 'tag:cordon:incident', Values: [TEST_INCIDENT] },
        { Name: 'tag:cordon:instance-id', Values: [INSTANCE_ID] },
      ],
    });
  });

  it('reuses an existing snapshot for the incident and volume', async () => {
    ec2
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [evidenceSnapshot(ROOT, 'snap-0000000000000eeee', 'completed')] });

    const outcome = await runAction(snapshotVolumes, input, actionEnvironment(clients));

    expect(ec2).toHaveReceivedCommandExactlyOnceWith(CreateSnapshotCommand, { VolumeId: DATA });
    expect(ec2).not.toHaveReceivedCommandWith(CreateSnapshotCommand, { VolumeId: ROOT });
    expect(outcome.changes.map((change) => change.resource)).toEqual([DATA]);
    expect(outcome.output.snapshots).toEqual([
      { volumeId: ROOT, snapshotId: 'snap-0000000000000eeee' },
      { volumeId: DATA, snapshotId: SNAPSHOT_IDS[DATA] },
    ]);
  });

  it('changes nothing when every volume already has its snapshot (a pending one counts)', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        evidenceSnapshot(ROOT, 'snap-0000000000000eee1', 'completed'),
        evidenceSnapshot(DATA, 'snap-0000000000000eee2', 'pending'),
      ],
    });
    const environment = actionEnvironment(clients);

    const outcome = await runAction(snapshotVolumes, input, environment);

    expect(outcome.status).toBe('already-done');
    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotCommand);
    expect(outcome.output.snapshots.map((snapshot) => snapshot.snapshotId)).toEqual([
      'snap-0000000000000eee1',
      'snap-0000000000000eee2',
    ]);
  });

  it('takes a volume again when its earlier snapshot failed', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        evidenceSnapshot(ROOT, 'snap-0000000000000eee1', 'error'),
        evidenceSnapshot(DATA, 'snap-0000000000000eee2', 'completed'),
      ],
    });

    await runAction(snapshotVolumes, input, actionEnvironment(clients));

    expect(ec2).toHaveReceivedCommandExactlyOnceWith(CreateSnapshotCommand, { VolumeId: ROOT });
  });

  it('retries ConcurrentSnapshotLimitExceeded', async () => {
    ec2
      .on(CreateSnapshotCommand, { VolumeId: DATA })
      .rejects(awsError('ConcurrentSnapshotLimitExceeded', 'Maximum number of active snapshots reached.'));
    const environment = actionEnvironment(clients);

    const error = await runAction(snapshotVolumes, input, environment).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ThrottledError',
      retryable: true,
      awsError: 'ConcurrentSnapshotLimitExceeded',
      partial: { done: [ROOT], notDone: [DATA] },
    });
    expect(snapshotVolumes.retryableErrors).toContain('ThrottledError');
    // Nothing to restore, so no 'planned' entry: the failure is recorded with what was done before it.
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      outcome: 'failed',
      error: { name: 'ThrottledError', awsError: 'ConcurrentSnapshotLimitExceeded' },
      notes: [`done before the failure: ${ROOT}`, `not done: ${DATA}`],
    });
  });

  it('reports a terminal failure over a retryable one', async () => {
    ec2.on(CreateSnapshotCommand, { VolumeId: ROOT }).rejects(awsError('RequestLimitExceeded'));
    ec2.on(CreateSnapshotCommand, { VolumeId: DATA }).rejects(awsError('InvalidVolume.NotFound'));

    await expect(runAction(snapshotVolumes, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ResourceGoneError',
      message: expect.stringMatching(new RegExp(`^snapshot-volumes: CreateSnapshot ${DATA} failed: `)),
      partial: { done: [], notDone: [ROOT, DATA] },
    });
  });

  it('makes no mutating call in dry-run, and reports the volumes it would snapshot', async () => {
    const outcome = await runAction(snapshotVolumes, { ...input, dryRun: true }, actionEnvironment(clients));

    expect(outcome).toMatchObject({ status: 'dry-run', dryRun: true });
    expect(outcome.changes.map((change) => change.resource)).toEqual([ROOT, DATA]);
    // Only snapshots that exist are answered: none yet.
    expect(outcome.output).toStrictEqual({ instanceId: INSTANCE_ID, snapshots: [] });
    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotCommand);
  });

  it('refuses an exempt instance with ExemptResourceError, before any change', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] })] }],
    });

    await expect(runAction(snapshotVolumes, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ExemptResourceError',
    });
    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotCommand);
  });

  it('has nothing to do on an instance without EBS volumes, and says so', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance({ BlockDeviceMappings: [] })] }] });

    const outcome = await runAction(snapshotVolumes, input, actionEnvironment(clients));

    expect(outcome.status).toBe('already-done');
    expect(outcome.notes).toContain(`${INSTANCE_ID} has no attached EBS volume: nothing to snapshot.`);
  });

  it('says it does not wait for the snapshots to complete, and that they are kept', async () => {
    const outcome = await runAction(snapshotVolumes, input, actionEnvironment(clients));

    expect(outcome.notes.join('\n')).toMatch(/not awaited/);
    expect(snapshotVolumes.undo).toMatch(/kept/);
  });

  it('declares least-privilege permissions: snapshots only with the incident tag, tags only at creation', () => {
    const snapshots = 'arn:aws:ec2:{region}::snapshot/*';
    const create = snapshotVolumes.permissions.find(
      (permission) =>
        permission.actions.includes('ec2:CreateSnapshot') && permission.resources.includes(snapshots),
    );
    const tag = snapshotVolumes.permissions.find((permission) =>
      permission.actions.includes('ec2:CreateTags'),
    );
    expect(create?.condition).toEqual({ StringLike: { 'aws:RequestTag/cordon:incident': '*' } });
    expect(tag?.condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } });
    expect(snapshotVolumes.permissions.flatMap((permission) => permission.actions)).not.toContain(
      'ec2:DeleteSnapshot',
    );
  });

  // Issue 18: the description and notes people read, and the edges of "an earlier snapshot".
  it('describes each snapshot with the incident, the volume and the instance, and answers with every snapshot', async () => {
    const outcome = await runAction(snapshotVolumes, input, actionEnvironment(clients));
    expect(ec2).toHaveReceivedCommandWith(CreateSnapshotCommand, {
      VolumeId: ROOT,
      Description: `Cordon evidence for incident ${TEST_INCIDENT}: ${ROOT} of ${INSTANCE_ID}`,
    });
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      snapshots: [
        { volumeId: ROOT, snapshotId: SNAPSHOT_IDS[ROOT] },
        { volumeId: DATA, snapshotId: SNAPSHOT_IDS[DATA] },
      ],
    });
    expect(outcome.changes).toEqual([
      { resource: ROOT, attribute: 'snapshot', before: null, after: { 'cordon:incident': TEST_INCIDENT } },
      { resource: DATA, attribute: 'snapshot', before: null, after: { 'cordon:incident': TEST_INCIDENT } },
    ]);
  });

  it('says which snapshot it reuses, takes the first usable one, and ignores snapshots it cannot tell apart', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        evidenceSnapshot(ROOT, 'snap-error00000000001', 'error'),
        evidenceSnapshot(ROOT, 'snap-first0000000001', 'completed'),
        evidenceSnapshot(ROOT, 'snap-second000000001', 'pending'),
        {
          ...evidenceSnapshot(DATA, 'snap-untagged0000001', 'completed'),
          Tags: [{ Key: 'cordon:incident', Value: TEST_INCIDENT }],
        },
        { ...evidenceSnapshot(DATA, 'x', 'completed'), SnapshotId: undefined },
        { ...evidenceSnapshot(DATA, 'snap-notags000000001', 'completed'), Tags: undefined },
      ],
    });
    const outcome = await runAction(snapshotVolumes, input, actionEnvironment(clients));
    expect(outcome.notes).toEqual([
      'Snapshots are started, not awaited: they complete in the background; check they are `completed` before relying on them.',
      `${ROOT} already has snap-first0000000001 for this incident: reused`,
    ]);
    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(CreateSnapshotCommand, { VolumeId: DATA });
    expect(outcome.output.snapshots).toEqual([
      { volumeId: ROOT, snapshotId: 'snap-first0000000001' },
      { volumeId: DATA, snapshotId: SNAPSHOT_IDS[DATA] },
    ]);
  });

  it('snapshots a volume listed twice once, and skips a mapping without a volume', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({
              BlockDeviceMappings: [
                { DeviceName: '/dev/xvda', Ebs: { VolumeId: ROOT } },
                { DeviceName: '/dev/xvdb', Ebs: { VolumeId: ROOT } },
                { DeviceName: '/dev/sdc' },
              ],
            }),
          ],
        },
      ],
    });
    const outcome = await runAction(snapshotVolumes, input, actionEnvironment(clients));
    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(outcome.output.snapshots).toEqual([{ volumeId: ROOT, snapshotId: SNAPSHOT_IDS[ROOT] }]);
  });

  it('fails, naming the volume, when CreateSnapshot answers without a snapshot id', async () => {
    ec2
      .on(CreateSnapshotCommand)
      .callsFake((sent: CreateSnapshotCommandInput) =>
        sent.VolumeId === DATA ? { VolumeId: DATA } : { SnapshotId: SNAPSHOT_IDS[ROOT], VolumeId: ROOT },
      );
    const error = await runAction(snapshotVolumes, input, actionEnvironment(clients)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      name: 'ActionFailedError',
      message: `CreateSnapshot answered no SnapshotId for ${DATA}`,
    });
    // (Its own error keeps no partial progress: classifyAwsError passes action errors through as they are.
    // The snapshot of ROOT is found by its tags on a retry.)
  });
});
