import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import {
  anInstanceWithVolumes,
  environmentOn,
  expectUnchanged,
  testSandbox,
  WEB,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { runAction } from '../../src/actions/run-action.ts';
import { snapshotVolumes } from '../../src/actions/snapshot-volumes.ts';

const { instanceId: INSTANCE_ID, rootVolumeId: ROOT, dataVolumeId: DATA } = WEB;

/** The order DescribeInstances lists the block devices in (`/dev/sdf` before `/dev/xvda`). */
const IN_DEVICE_ORDER = [DATA, ROOT];

/** An instance with a boot volume and a 100 GiB data volume, both kept on termination. */
function seededSandbox(tags: Record<string, string> = { Name: 'web-1' }) {
  const sandbox = testSandbox();
  anInstanceWithVolumes(sandbox, { deleteOnTermination: false, dataSize: 100, tags });
  return sandbox;
}

function snapshotsOf(sandbox: Sandbox) {
  return Object.values(sandbox.ec2.snapshot().snapshots);
}

const input = { ...envelope(), instanceId: INSTANCE_ID };

describe('snapshot-volumes (against the sandbox account)', () => {
  it('snapshots every attached EBS volume, tagged with the incident, volume and instance', async () => {
    const sandbox = seededSandbox();

    const outcome = await runAction(snapshotVolumes, input, environmentOn(sandbox));

    const snapshots = snapshotsOf(sandbox);
    expect(snapshots.map((snapshot) => snapshot.volumeId).sort()).toEqual([ROOT, DATA]);
    for (const snapshot of snapshots) {
      expect(snapshot.tags).toEqual({
        'cordon:incident': TEST_INCIDENT,
        'cordon:volume-id': snapshot.volumeId,
        'cordon:instance-id': INSTANCE_ID,
      });
      expect(snapshot.description).toContain(TEST_INCIDENT);
    }
    expect(outcome.output.snapshots).toEqual(
      IN_DEVICE_ORDER.map((volumeId) => ({
        volumeId,
        snapshotId: snapshots.find((snapshot) => snapshot.volumeId === volumeId)?.snapshotId,
      })),
    );
  });

  it('changes nothing the second time', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);
    const first = await runAction(snapshotVolumes, input, environment);
    // The sandbox moves snapshots from pending to completed on describe: compare after one look.
    const mutatingBefore = sandbox.account.mutatingCalls().length;
    const idsBefore = snapshotsOf(sandbox).map((snapshot) => snapshot.snapshotId);

    const second = await runAction(snapshotVolumes, input, environment);

    expect(second.status).toBe('already-done');
    expect(second.output).toEqual(first.output);
    expect(snapshotsOf(sandbox).map((snapshot) => snapshot.snapshotId)).toEqual(idsBefore);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
    const third = sandbox.account.snapshot();
    await runAction(snapshotVolumes, input, environment);
    expect(sandbox.account.snapshot()).toEqual(third);
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(snapshotVolumes, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    expect(outcome.status).toBe('dry-run');
    expect(outcome.changes.map((change) => change.resource)).toEqual(IN_DEVICE_ORDER);
  });

  it('retries ConcurrentSnapshotLimitExceeded, and a second run after the fault takes only the missing snapshot', async () => {
    const sandbox = seededSandbox();
    sandbox.account.injectFault({
      service: 'EC2',
      command: 'CreateSnapshot',
      error: 'ConcurrentSnapshotLimitExceeded',
      times: 1,
    });
    const environment = environmentOn(sandbox);

    const error = await runAction(snapshotVolumes, input, environment).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ThrottledError', retryable: true });
    // The first call (DATA, first in device order) hit the limit; ROOT's snapshot was taken.
    expect(snapshotsOf(sandbox).map((snapshot) => snapshot.volumeId)).toEqual([ROOT]);
    expect(error).toMatchObject({ partial: { done: [ROOT], notDone: [DATA] } });
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['failed']);
    expect(entries[0]?.error).toMatchObject({
      name: 'ThrottledError',
      awsError: 'ConcurrentSnapshotLimitExceeded',
    });

    // Act: Step Functions retries the step.
    const second = await runAction(snapshotVolumes, input, environment);

    expect(second.status).toBe('done');
    expect(second.changes.map((change) => change.resource)).toEqual([DATA]);
    expect(
      snapshotsOf(sandbox)
        .map((snapshot) => snapshot.volumeId)
        .sort(),
    ).toEqual([ROOT, DATA]);
    expect(sandbox.account.mutatingCalls().filter((call) => call.outcome === 'ok')).toHaveLength(2);
  });

  it('surfaces a terminal AWS error by its terminal name', async () => {
    const sandbox = seededSandbox();
    sandbox.account.injectFault({
      service: 'EC2',
      command: 'CreateSnapshot',
      error: 'UnauthorizedOperation',
    });
    const environment = environmentOn(sandbox);

    const error = await runAction(snapshotVolumes, input, environment).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'AccessDeniedError',
      retryable: false,
      partial: { done: [], notDone: IN_DEVICE_ORDER },
    });
    expect(snapshotsOf(sandbox)).toEqual([]);
    expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
      'failed',
    ]);
  });

  it('refuses an exempt instance before any change', async () => {
    const sandbox = seededSandbox({ 'cordon:exempt': 'true' });

    await expect(runAction(snapshotVolumes, input, environmentOn(sandbox))).rejects.toMatchObject({
      name: 'ExemptResourceError',
    });
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });
});
