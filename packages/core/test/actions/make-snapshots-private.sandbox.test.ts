import { describe, expect, it } from 'vitest';
import { envelope, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { makeSnapshotsPrivate } from '../../src/actions/make-snapshots-private.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const PUBLIC_SHARED = 'snap-0aaaaaaaaaaaaaaa1';
const PUBLIC = 'snap-0aaaaaaaaaaaaaaa2';
const SHARED = 'snap-0aaaaaaaaaaaaaaa3';
const PARTNER = '444455556666';

/** Two public snapshots (one also shared with a partner), a snapshot shared with the partner only. */
function snapshots(sandbox: Sandbox): void {
  sandbox.ec2.addSnapshot({
    snapshotId: PUBLIC_SHARED,
    createVolumePermission: { groups: ['all'], userIds: [PARTNER] },
  });
  sandbox.ec2.addSnapshot({ snapshotId: PUBLIC, createVolumePermission: { groups: ['all'] } });
  sandbox.ec2.addSnapshot({ snapshotId: SHARED, createVolumePermission: { userIds: [PARTNER] } });
}

function permissions(sandbox: Sandbox) {
  return Object.fromEntries(
    Object.values(sandbox.ec2.snapshot().snapshots).map((snapshot) => [
      snapshot.snapshotId,
      snapshot.createVolumePermission,
    ]),
  );
}

const input = { ...envelope(), accountId: TEST_ACCOUNT };

describe('make-snapshots-private (against the sandbox account)', () => {
  it('removes all from the public snapshots and keeps the partner’s share and the shared-only snapshot', async () => {
    // Prepare
    const sandbox = testSandbox();
    snapshots(sandbox);

    // Act
    const outcome = await runAction(makeSnapshotsPrivate, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    expect(permissions(sandbox)).toEqual({
      [PUBLIC_SHARED]: { groups: [], userIds: [PARTNER] },
      [PUBLIC]: undefined,
      [SHARED]: { groups: [], userIds: [PARTNER] },
    });
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    snapshots(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () => runAction(makeSnapshotsPrivate, input, environment));
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    snapshots(sandbox);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(makeSnapshotsPrivate, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.output.madePrivate).toEqual([PUBLIC_SHARED, PUBLIC]);
  });

  it('is released exactly: both snapshots public again, the shares as they were', async () => {
    // Prepare
    const sandbox = testSandbox();
    snapshots(sandbox);
    const before = permissions(sandbox);
    const environment = environmentOn(sandbox);
    await runAction(makeSnapshotsPrivate, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess: the same members (the order of a group added back aside).
    expect(release.status).toBe('done');
    const after = permissions(sandbox);
    for (const id of [PUBLIC_SHARED, PUBLIC, SHARED]) {
      expect([...(after[id]?.groups ?? [])].sort(), id).toEqual([...(before[id]?.groups ?? [])].sort());
      expect([...(after[id]?.userIds ?? [])].sort(), id).toEqual([...(before[id]?.userIds ?? [])].sort());
    }
  });

  it('reports a fault, records it, and a retry finishes the job; the release restores both from the first record', async () => {
    // Prepare
    const sandbox = testSandbox();
    snapshots(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({
      command: 'ModifySnapshotAttribute',
      error: 'RequestLimitExceeded',
      times: 1,
    });

    // Act
    const failed = runAction(makeSnapshotsPrivate, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(makeSnapshotsPrivate, input, environment);
    expect(retry.status).toBe('done');
    expect(permissions(sandbox)[PUBLIC]).toBeUndefined();
    await runAction(releaseRemediation, envelope(), environment);
    expect(permissions(sandbox)[PUBLIC]?.groups).toEqual(['all']);
    expect(permissions(sandbox)[PUBLIC_SHARED]?.groups).toEqual(['all']);
  });
});
