import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { makeDbSnapshotPrivate } from '../../src/actions/make-db-snapshot-private.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const PARTNER = '444455556666';

/** A public DB snapshot shared with a partner, a public DB cluster snapshot, and a public snapshot that must stay. */
function publicSnapshots(sandbox: Sandbox): void {
  sandbox.rds
    .addSnapshot({ identifier: 'orders-before-upgrade', restore: ['all', PARTNER], tags: { team: 'orders' } })
    .addSnapshot({ identifier: 'reporting-demo-data', restore: ['all'] })
    .addClusterSnapshot({ identifier: 'orders-aurora', restore: ['all', PARTNER] });
}

const input = {
  ...envelope(),
  snapshot: 'orders-before-upgrade',
  resourceType: 'AWS::RDS::DBSnapshot' as const,
};
const cluster = {
  ...envelope(),
  snapshot: 'orders-aurora',
  resourceType: 'AWS::RDS::DBClusterSnapshot' as const,
};

describe('make-db-snapshot-private (against the sandbox account)', () => {
  it('removes only `all` from the named DB snapshot, the partner and every other snapshot as they were', async () => {
    // Prepare
    const sandbox = testSandbox();
    publicSnapshots(sandbox);
    const before = sandbox.rds.snapshot();

    // Act
    const outcome = await runAction(makeDbSnapshotPrivate, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    const after = sandbox.rds.snapshot();
    expect(after.snapshots['orders-before-upgrade']).toEqual({
      ...before.snapshots['orders-before-upgrade'],
      restore: [PARTNER],
    });
    expect(after.snapshots['reporting-demo-data']).toEqual(before.snapshots['reporting-demo-data']);
    expect(after.clusterSnapshots).toEqual(before.clusterSnapshots);
  });

  it('removes only `all` from the named DB cluster snapshot', async () => {
    // Prepare
    const sandbox = testSandbox();
    publicSnapshots(sandbox);
    const before = sandbox.rds.snapshot();

    // Act
    await runAction(makeDbSnapshotPrivate, cluster, environmentOn(sandbox));

    // Assess
    const after = sandbox.rds.snapshot();
    expect(after.clusterSnapshots['orders-aurora']?.restore).toEqual([PARTNER]);
    expect(after.snapshots).toEqual(before.snapshots);
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    publicSnapshots(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () => runAction(makeDbSnapshotPrivate, input, environment));
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    publicSnapshots(sandbox);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(makeDbSnapshotPrivate, { ...cluster, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
  });

  it.each([
    ['DB snapshot', input],
    ['DB cluster snapshot', cluster],
  ] as const)('is released exactly: the %s public again, the account as it was', async (_kind, fix) => {
    // Prepare
    const sandbox = testSandbox();
    publicSnapshots(sandbox);
    const before = sandbox.rds.snapshot();
    const environment = environmentOn(sandbox);
    await runAction(makeDbSnapshotPrivate, fix, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess: `all` comes back at the end of the list; who may restore is what compares.
    expect(release.status).toBe('done');
    const sorted = (state: typeof before) =>
      JSON.stringify(
        [...Object.values(state.snapshots), ...Object.values(state.clusterSnapshots)].map((snapshot) => ({
          ...snapshot,
          restore: [...snapshot.restore].sort(),
        })),
      );
    expect(sorted(sandbox.rds.snapshot())).toEqual(sorted(before));
  });

  it('reports a snapshot not available yet as retryable, records the failure, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    publicSnapshots(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({
      command: 'ModifyDBSnapshotAttribute',
      error: 'InvalidDBSnapshotState',
      times: 1,
    });

    // Act
    const failed = runAction(makeDbSnapshotPrivate, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'EventualConsistencyError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(makeDbSnapshotPrivate, input, environment);
    expect(retry.status).toBe('done');
    expect(sandbox.rds.snapshot().snapshots['orders-before-upgrade']?.restore).toEqual([PARTNER]);
  });
});
