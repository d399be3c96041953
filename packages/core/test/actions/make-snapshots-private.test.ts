import {
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import { makeSnapshotsPrivate } from '../../src/actions/make-snapshots-private.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const PUBLIC_A = 'snap-0aaaaaaaaaaaaaaa1';
const PUBLIC_B = 'snap-0aaaaaaaaaaaaaaa2';
const EXEMPT_TAG = [{ Key: 'cordon:exempt', Value: 'true' }];

describe('make-snapshots-private (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const input = { ...envelope(), accountId: TEST_ACCOUNT };

  beforeEach(() => {
    ec2.reset();
    ec2.on(ModifySnapshotAttributeCommand).resolves({});
  });

  it('lists the public snapshots the account owns, page by page, and removes only the group all from each', async () => {
    // Prepare
    ec2
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [{ SnapshotId: PUBLIC_A }], NextToken: 'page-2' })
      .resolves({ Snapshots: [{ SnapshotId: PUBLIC_B }] });

    // Act
    const outcome = await runAction(makeSnapshotsPrivate, input, actionEnvironment(clients));

    // Assess
    expect(outcome.output.madePrivate).toEqual([PUBLIC_A, PUBLIC_B]);
    expect(ec2).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
      OwnerIds: ['self'],
      RestorableByUserIds: ['all'],
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { NextToken: 'page-2' });
    expect(ec2).toHaveReceivedCommandTimes(ModifySnapshotAttributeCommand, 2);
    expect(ec2.commandCalls(ModifySnapshotAttributeCommand)[0]?.args[0].input).toEqual({
      SnapshotId: PUBLIC_A,
      Attribute: 'createVolumePermission',
      CreateVolumePermission: { Remove: [{ Group: 'all' }] },
    });
  });

  it('records the snapshots before making them private, with the controls', async () => {
    // Prepare
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: PUBLIC_A }] });
    const environment = actionEnvironment(clients);

    // Act
    await runAction(makeSnapshotsPrivate, { ...input, controls: ['SecurityHub/EC2.1'] }, environment);

    // Assess
    const [planned] = environment.ledger.all();
    expect(planned).toMatchObject({
      outcome: 'planned',
      restore: { snapshots: [PUBLIC_A] },
      controls: ['SecurityHub/EC2.1'],
      changes: [
        { resource: PUBLIC_A, attribute: 'createVolumePermission:all', before: 'public', after: 'private' },
      ],
    });
  });

  it('leaves an exempt public snapshot public, and refuses when every public snapshot is exempt', async () => {
    // Prepare
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [{ SnapshotId: PUBLIC_A, Tags: EXEMPT_TAG }, { SnapshotId: PUBLIC_B }],
    });

    // Act
    const outcome = await runAction(makeSnapshotsPrivate, input, actionEnvironment(clients));
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: PUBLIC_A, Tags: EXEMPT_TAG }] });
    const refused = runAction(makeSnapshotsPrivate, input, actionEnvironment(clients));

    // Assess
    expect(outcome.output).toMatchObject({ madePrivate: [PUBLIC_B], exempt: [PUBLIC_A] });
    await expect(refused).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(ec2).toHaveReceivedCommandTimes(ModifySnapshotAttributeCommand, 1);
  });

  it('is already done when no snapshot is public, and changes nothing in dry-run', async () => {
    // Prepare
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });

    // Act
    const none = await runAction(makeSnapshotsPrivate, input, actionEnvironment(clients));
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: PUBLIC_A }] });
    const dry = await runAction(makeSnapshotsPrivate, { ...input, dryRun: true }, actionEnvironment(clients));

    // Assess
    expect(none.status).toBe('already-done');
    expect(dry.status).toBe('dry-run');
    expect(dry.output.madePrivate).toEqual([PUBLIC_A]);
    expect(ec2).toHaveReceivedCommandTimes(ModifySnapshotAttributeCommand, 0);
  });

  it('refuses another account than the incident’s before any call', async () => {
    // Act
    const run = runAction(
      makeSnapshotsPrivate,
      { ...input, accountId: '210987654321' },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toThrow(/named account 210987654321/);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 0);
  });

  it('is released by adding the group all back to exactly the snapshots it made private', async () => {
    // Prepare
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: PUBLIC_A }] });
    ec2
      .on(DescribeSnapshotAttributeCommand)
      .resolves({ CreateVolumePermissions: [{ UserId: '444455556666' }] });
    const environment = actionEnvironment(clients);
    await runAction(makeSnapshotsPrivate, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(ec2.commandCalls(ModifySnapshotAttributeCommand)[1]?.args[0].input).toEqual({
      SnapshotId: PUBLIC_A,
      Attribute: 'createVolumePermission',
      CreateVolumePermission: { Add: [{ Group: 'all' }] },
    });
  });
  it('records public → private changes, the restore record, and the exempt snapshots it leaves', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [{ SnapshotId: PUBLIC_A }, { SnapshotId: PUBLIC_B, Tags: EXEMPT_TAG }],
    });
    const environment = actionEnvironment(clients);
    const outcome = await runAction(makeSnapshotsPrivate, input, environment);
    expect(outcome.changes).toEqual([
      { resource: PUBLIC_A, attribute: 'createVolumePermission:all', before: 'public', after: 'private' },
    ]);
    expect(outcome.output).toEqual({ accountId: TEST_ACCOUNT, madePrivate: [PUBLIC_A], exempt: [PUBLIC_B] });
    const planned = (await environment.ledger.entries(envelope().incidentId)).find(
      (entry) => entry.outcome === 'planned',
    );
    expect(planned?.restore).toEqual({ snapshots: [PUBLIC_A] });
    expect(planned?.notes).toEqual([`${PUBLIC_B} is public and carries the exemption tag: left public.`]);
    expect(ec2).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
      OwnerIds: ['self'],
      RestorableByUserIds: ['all'],
    });
  });

  it('names every exempt snapshot when all of them are, and says when none is public', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        { SnapshotId: PUBLIC_A, Tags: EXEMPT_TAG },
        { SnapshotId: PUBLIC_B, Tags: EXEMPT_TAG },
      ],
    });
    await expect(runAction(makeSnapshotsPrivate, input, actionEnvironment(clients))).rejects.toThrow(
      `Every public snapshot of ${TEST_ACCOUNT} carries the exemption tag (${PUBLIC_A}, ${PUBLIC_B}): Cordon notifies and never acts on them.`,
    );
    ec2.on(DescribeSnapshotsCommand).resolves({});
    const environment = actionEnvironment(clients);
    const outcome = await runAction(makeSnapshotsPrivate, input, environment);
    expect(outcome.status).toBe('already-done');
    const notes = (await environment.ledger.entries(envelope().incidentId)).flatMap((entry) => entry.notes);
    expect(notes).toContain('No snapshot the account owns is public.');
  });

  it('names the account it refuses, and each call that failed', async () => {
    await expect(
      runAction(makeSnapshotsPrivate, { ...input, accountId: '210987654321' }, actionEnvironment(clients)),
    ).rejects.toThrow(
      `AWS Config named account 210987654321, but the incident is in ${TEST_ACCOUNT}: nothing was changed.`,
    );
    ec2
      .on(DescribeSnapshotsCommand)
      .rejects(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }));
    await expect(runAction(makeSnapshotsPrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(
        'DescribeSnapshots (public, owned by the account) failed: UnauthorizedOperation',
      ),
    });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: PUBLIC_A }] });
    ec2
      .on(ModifySnapshotAttributeCommand)
      .rejects(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }));
    await expect(runAction(makeSnapshotsPrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(
        `ModifySnapshotAttribute ${PUBLIC_A} Remove group all failed: UnauthorizedOperation`,
      ),
    });
  });

  it('stops paging at an empty token', async () => {
    ec2
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [{ SnapshotId: PUBLIC_A }], NextToken: 'page-2' })
      .resolvesOnce({ Snapshots: [{ SnapshotId: PUBLIC_B }], NextToken: '' })
      .resolves({ Snapshots: [{ SnapshotId: 'snap-0aaaaaaaaaaaaaaa9' }] });
    const outcome = await runAction(makeSnapshotsPrivate, input, actionEnvironment(clients));
    expect(outcome.output).toMatchObject({ madePrivate: [PUBLIC_A, PUBLIC_B] });
    expect(ec2).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 2, { NextToken: 'page-2' });
    expect(ec2).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 2);
  });

  it('is released without touching a snapshot public already or gone, saying so', async () => {
    // Prepare
    const gone = 'snap-0aaaaaaaaaaaaaaa3';
    ec2
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [{ SnapshotId: PUBLIC_A }, { SnapshotId: PUBLIC_B }, { SnapshotId: gone }] });
    const environment = actionEnvironment(clients);
    await runAction(makeSnapshotsPrivate, input, environment);
    ec2.on(DescribeSnapshotAttributeCommand, { SnapshotId: PUBLIC_A }).resolves({});
    ec2
      .on(DescribeSnapshotAttributeCommand, { SnapshotId: PUBLIC_B })
      .resolves({ CreateVolumePermissions: [{ UserId: '444455556666' }, { Group: 'all' }] });
    ec2
      .on(DescribeSnapshotAttributeCommand, { SnapshotId: gone })
      .rejects(Object.assign(new Error('x'), { name: 'InvalidSnapshot.NotFound' }));

    // Act
    const release = await runAction(releaseRemediation, envelope(true), environment);

    // Assess
    expect(release.changes).toEqual([
      { resource: PUBLIC_A, attribute: 'createVolumePermission:all', before: 'private', after: 'public' },
    ]);
    expect(release.output).toMatchObject({
      results: { 'make-snapshots-private': { madePublic: [PUBLIC_A] } },
    });
    const notes = (await environment.ledger.entries(envelope().incidentId)).flatMap((entry) => entry.notes);
    expect(notes).toContain(`make-snapshots-private: ${PUBLIC_B} is public already.`);
    expect(notes).toContain(`make-snapshots-private: ${gone} no longer exists: nothing to put back.`);
    expect(ec2).toHaveReceivedCommandWith(DescribeSnapshotAttributeCommand, {
      SnapshotId: PUBLIC_A,
      Attribute: 'createVolumePermission',
    });
  });

  it('passes on any other failure of its release, naming the call', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: PUBLIC_A }] });
    const environment = actionEnvironment(clients);
    await runAction(makeSnapshotsPrivate, input, environment);
    ec2
      .on(DescribeSnapshotAttributeCommand)
      .rejects(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }));
    await expect(runAction(releaseRemediation, envelope(), environment)).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(`DescribeSnapshotAttribute ${PUBLIC_A} failed: UnauthorizedOperation`),
    });
    ec2.on(DescribeSnapshotAttributeCommand).resolves({});
    ec2
      .on(ModifySnapshotAttributeCommand)
      .rejects(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }));
    await expect(runAction(releaseRemediation, envelope(), environment)).rejects.toMatchObject({
      message: expect.stringContaining(
        `ModifySnapshotAttribute ${PUBLIC_A} Add group all failed: UnauthorizedOperation`,
      ),
    });
  });
});
