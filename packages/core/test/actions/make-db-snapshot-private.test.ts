import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import { makeDbSnapshotPrivate } from '../../src/actions/make-db-snapshot-private.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const PARTNER = '444455556666';
const RULE = {
  identifier: 'RDS_SNAPSHOTS_PUBLIC_PROHIBITED',
  name: 'rds-snapshots-public-prohibited-conformance-pack-h3n8w2c5v',
  parameters: {},
  parametersKnown: true,
};

/** An RDS query-protocol error as the SDK throws it. */
function rdsFault(name: string): Error {
  return Object.assign(new Error(name), { name, Code: name.replace(/Fault$/, ''), $fault: 'client' });
}

describe('make-db-snapshot-private (commands sent)', () => {
  const clients = realClients();
  const rds = mockClient(clients.rds);
  const input = {
    ...envelope(),
    snapshot: 'orders-before-upgrade',
    resourceType: 'AWS::RDS::DBSnapshot' as const,
    rule: RULE,
  };
  const cluster = {
    ...input,
    snapshot: 'orders-aurora',
    resourceType: 'AWS::RDS::DBClusterSnapshot' as const,
  };

  function givenSnapshot(restore: string[], tags: { Key: string; Value: string }[] = []) {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [{ DBSnapshotIdentifier: 'orders-before-upgrade', TagList: tags }],
    });
    rds.on(DescribeDBSnapshotAttributesCommand).resolves({
      DBSnapshotAttributesResult: {
        DBSnapshotIdentifier: 'orders-before-upgrade',
        DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: restore }],
      },
    });
  }

  function givenClusterSnapshot(restore: string[]) {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: 'orders-aurora', TagList: [] }],
    });
    rds.on(DescribeDBClusterSnapshotAttributesCommand).resolves({
      DBClusterSnapshotAttributesResult: {
        DBClusterSnapshotIdentifier: 'orders-aurora',
        DBClusterSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: restore }],
      },
    });
  }

  beforeEach(() => {
    rds.reset();
    rds.on(ModifyDBSnapshotAttributeCommand).resolves({});
    rds.on(ModifyDBClusterSnapshotAttributeCommand).resolves({});
  });

  it('removes only `all` from a DB snapshot, keeping the partner account, and records the snapshot', async () => {
    // Prepare
    givenSnapshot(['all', PARTNER]);
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(
      makeDbSnapshotPrivate,
      { ...input, controls: ['SecurityHub/RDS.1'] },
      environment,
    );

    // Assess
    expect(outcome.status).toBe('done');
    expect(outcome.output.sharedWith).toEqual([PARTNER]);
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 1);
    expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand)[0]?.args[0].input).toEqual({
      DBSnapshotIdentifier: 'orders-before-upgrade',
      AttributeName: 'restore',
      ValuesToRemove: ['all'],
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBClusterSnapshotAttributeCommand, 0);
    const [planned] = environment.ledger.all();
    expect(planned).toMatchObject({
      outcome: 'planned',
      restore: { kind: 'snapshot', identifier: 'orders-before-upgrade' },
      controls: ['SecurityHub/RDS.1'],
    });
  });

  it('removes only `all` from a DB cluster snapshot, with the cluster calls', async () => {
    // Prepare
    givenClusterSnapshot(['all']);

    // Act
    const outcome = await runAction(makeDbSnapshotPrivate, cluster, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('done');
    expect(rds).toHaveReceivedCommandWith(DescribeDBClusterSnapshotsCommand, {
      DBClusterSnapshotIdentifier: 'orders-aurora',
    });
    expect(rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: 'orders-aurora',
      AttributeName: 'restore',
      ValuesToRemove: ['all'],
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
  });

  it('takes the snapshot by ARN, and refuses an ARN of another account or of the other kind', async () => {
    // Prepare
    givenSnapshot(['all']);
    const arn = `arn:aws:rds:us-east-1:${TEST_ACCOUNT}:snapshot:orders-before-upgrade`;

    // Act
    await runAction(makeDbSnapshotPrivate, { ...input, snapshot: arn }, actionEnvironment(clients));

    // Assess
    expect(rds).toHaveReceivedCommandWith(ModifyDBSnapshotAttributeCommand, {
      DBSnapshotIdentifier: 'orders-before-upgrade',
    });
    await expect(
      runAction(
        makeDbSnapshotPrivate,
        { ...input, snapshot: arn.replace(TEST_ACCOUNT, '210987654321') },
        actionEnvironment(clients),
      ),
    ).rejects.toThrow(/which that ARN is not: nothing was changed/);
    await expect(
      runAction(makeDbSnapshotPrivate, { ...cluster, snapshot: arn }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'ActionFailedError' });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 1);
  });

  it('is already done, recording nothing to release, when the snapshot is not public', async () => {
    // Prepare
    givenSnapshot([PARTNER]);
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(makeDbSnapshotPrivate, input, environment);

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
    expect(environment.ledger.all().filter((entry) => entry.restore !== undefined)).toEqual([]);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    givenSnapshot(['all']);

    // Act
    const outcome = await runAction(
      makeDbSnapshotPrivate,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.madePrivate).toBe(true);
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
  });

  it('refuses, named, an exempt snapshot, one that is gone, and an id that is no snapshot', async () => {
    // Act + Assess
    givenSnapshot(['all'], [{ Key: 'cordon:exempt', Value: 'true' }]);
    await expect(runAction(makeDbSnapshotPrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ExemptResourceError',
    });
    rds.on(DescribeDBSnapshotsCommand).rejects(rdsFault('DBSnapshotNotFoundFault'));
    await expect(runAction(makeDbSnapshotPrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ResourceGoneError',
    });
    await expect(
      runAction(makeDbSnapshotPrivate, { ...input, snapshot: 'not a snapshot!' }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    await expect(
      runAction(
        makeDbSnapshotPrivate,
        { ...input, resourceType: 'AWS::RDS::DBInstance' as never },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
  });

  it('names a snapshot not available yet as retryable', async () => {
    // Prepare
    givenSnapshot(['all']);
    rds.on(ModifyDBSnapshotAttributeCommand).rejects(rdsFault('InvalidDBSnapshotStateFault'));

    // Act + Assess
    await expect(runAction(makeDbSnapshotPrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'EventualConsistencyError',
    });
  });

  it('is released by adding `all` back to that snapshot only, and not when it is public again', async () => {
    // Prepare
    givenSnapshot(['all', PARTNER]);
    const environment = actionEnvironment(clients);
    await runAction(makeDbSnapshotPrivate, input, environment);
    givenSnapshot([PARTNER]);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand)[1]?.args[0].input).toEqual({
      DBSnapshotIdentifier: 'orders-before-upgrade',
      AttributeName: 'restore',
      ValuesToAdd: ['all'],
    });
    givenSnapshot(['all', PARTNER]);
    const again = await runAction(releaseRemediation, envelope(), environment);
    expect(again.status).toBe('already-done');
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 2);
  });
});
