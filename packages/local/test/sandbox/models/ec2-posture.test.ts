import {
  DescribeSnapshotAttributeCommand,
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { Ec2Model } from '../../../src/sandbox/models/ec2.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const PARTNER = '444455556666';
const PUBLIC = 'snap-0aaaaaaaaaaaaaaa1';
const ENCRYPTED = 'snap-0aaaaaaaaaaaaaaa2';

function setup() {
  const sandbox = new SandboxAccount({ accountId: '111122223333', region: 'eu-west-1' });
  const ec2 = new Ec2Model(sandbox.context);
  ec2.addSnapshot({ snapshotId: PUBLIC, createVolumePermission: { groups: ['all'], userIds: [PARTNER] } });
  ec2.addSnapshot({ snapshotId: ENCRYPTED, encrypted: true });
  sandbox.register(ec2);
  const client = sandbox.attach(new EC2Client({ region: 'eu-west-1' }));
  return { ec2, client };
}

describe('Ec2Model: EBS encryption by default', () => {
  it('is off until enabled; Enable and Disable answer the new value and are idempotent', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const initial = await client.send(new GetEbsEncryptionByDefaultCommand({}));
    const enabled = await client.send(new EnableEbsEncryptionByDefaultCommand({}));
    await client.send(new EnableEbsEncryptionByDefaultCommand({}));
    const afterEnable = await client.send(new GetEbsEncryptionByDefaultCommand({}));
    const disabled = await client.send(new DisableEbsEncryptionByDefaultCommand({}));

    // Assess
    expect(initial.EbsEncryptionByDefault).toBe(false);
    expect(enabled.EbsEncryptionByDefault).toBe(true);
    expect(afterEnable.EbsEncryptionByDefault).toBe(true);
    expect(disabled.EbsEncryptionByDefault).toBe(false);
  });

  it('a dry run answers DryRunOperation (412) and changes nothing', async () => {
    // Prepare
    const { ec2, client } = setup();

    // Act
    const attempt = client.send(new EnableEbsEncryptionByDefaultCommand({ DryRun: true }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'DryRunOperation',
      $metadata: { httpStatusCode: 412 },
    });
    expect(ec2.snapshot().ebsEncryptionByDefault).toBe(false);
  });
});

describe('Ec2Model: snapshot create-volume permissions', () => {
  it('removing the group all makes a snapshot private and keeps the accounts; adding it back restores it', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const before = await client.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: PUBLIC, Attribute: 'createVolumePermission' }),
    );
    await client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: PUBLIC,
        Attribute: 'createVolumePermission',
        OperationType: 'remove',
        GroupNames: ['all'],
      }),
    );
    const removed = await client.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: PUBLIC, Attribute: 'createVolumePermission' }),
    );
    await client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: PUBLIC,
        CreateVolumePermission: { Add: [{ Group: 'all' }] },
      }),
    );
    const restored = await client.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: PUBLIC, Attribute: 'createVolumePermission' }),
    );

    // Assess
    expect(before.CreateVolumePermissions).toEqual([{ Group: 'all' }, { UserId: PARTNER }]);
    expect(removed.CreateVolumePermissions).toEqual([{ UserId: PARTNER }]);
    expect(restored.CreateVolumePermissions).toEqual(before.CreateVolumePermissions);
  });

  it.each([
    [
      'making an encrypted snapshot public',
      ENCRYPTED,
      { OperationType: 'add' as const, GroupNames: ['all'] },
      'InvalidParameter',
    ],
    [
      'adding and removing at once',
      PUBLIC,
      { CreateVolumePermission: { Add: [{ UserId: '777788889999' }], Remove: [{ Group: 'all' as const }] } },
      'InvalidParameterCombination',
    ],
    [
      'a group other than all',
      PUBLIC,
      { OperationType: 'add' as const, GroupNames: ['everyone'] },
      'InvalidParameterValue',
    ],
    [
      'an unknown snapshot',
      'snap-0bbbbbbbbbbbbbbb1',
      { OperationType: 'remove' as const, GroupNames: ['all'] },
      'InvalidSnapshot.NotFound',
    ],
  ])('refuses %s (%s) and changes nothing', async (_case, SnapshotId, change, error) => {
    // Prepare
    const { ec2, client } = setup();
    const before = ec2.snapshot();

    // Act
    const attempt = client.send(
      new ModifySnapshotAttributeCommand({ SnapshotId, Attribute: 'createVolumePermission', ...change }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: error });
    expect(ec2.snapshot()).toEqual(before);
  });

  it('a dry run of a valid change answers DryRunOperation and changes nothing', async () => {
    // Prepare
    const { ec2, client } = setup();

    // Act
    const attempt = client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: PUBLIC,
        OperationType: 'remove',
        GroupNames: ['all'],
        DryRun: true,
      }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'DryRunOperation' });
    expect(ec2.snapshot().snapshots[PUBLIC]?.createVolumePermission?.groups).toEqual(['all']);
  });
});
