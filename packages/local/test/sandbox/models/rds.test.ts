import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBInstanceCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { RdsModel } from '../../../src/sandbox/models/rds.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const PARTNER = '444455556666';

function setup() {
  const sandbox = new SandboxAccount({
    accountId: ACCOUNT,
    region: REGION,
    now: () => new Date('2026-03-01T12:00:00Z'),
  });
  const rds = new RdsModel(sandbox.context)
    .addInstance({ identifier: 'orders', publiclyAccessible: true, tags: { owner: 'payments' } })
    .addInstance({ identifier: 'billing', status: 'modifying' })
    .addSnapshot({ identifier: 'orders-2026-02', sourceIdentifier: 'orders', restore: ['all', PARTNER] })
    .addSnapshot({ identifier: 'orders-encrypted', sourceIdentifier: 'orders', encrypted: true })
    .addSnapshot({ identifier: 'rds:orders-2026-03-01-00-05', sourceIdentifier: 'orders' })
    .addClusterSnapshot({
      identifier: 'aurora-2026-02',
      sourceIdentifier: 'aurora',
      restore: ['all'],
      tags: { env: 'prod' },
    });
  sandbox.register(rds);
  const client = sandbox.attach(new RDSClient({ region: REGION }));
  return { rds, client };
}

describe('RdsModel', () => {
  describe('DB instances', () => {
    it('ModifyDBInstance applies PubliclyAccessible at once, whatever ApplyImmediately says', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const output = await client.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: 'orders',
          PubliclyAccessible: false,
          ApplyImmediately: false,
        }),
      );
      const described = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders' }));

      // Assess
      expect(output.DBInstance).toMatchObject({ PubliclyAccessible: false, PendingModifiedValues: {} });
      expect(described.DBInstances?.[0]).toMatchObject({
        DBInstanceIdentifier: 'orders',
        DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders`,
        PubliclyAccessible: false,
        TagList: [{ Key: 'owner', Value: 'payments' }],
      });
    });

    it('refuses an unknown instance (DBInstanceNotFoundFault, 404), one not available, and settings it does not model', async () => {
      // Prepare
      const { rds, client } = setup();
      const before = rds.snapshot();

      // Act
      const unknown = client.send(
        new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'nope', PubliclyAccessible: false }),
      );
      const busy = client.send(
        new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'billing', PubliclyAccessible: true }),
      );
      const unmodelled = client.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: 'orders',
          PubliclyAccessible: false,
          AllocatedStorage: 100,
        }),
      );

      // Assess
      await expect(unknown).rejects.toMatchObject({
        name: 'DBInstanceNotFoundFault',
        Code: 'DBInstanceNotFound',
        message: 'DBInstance nope not found.',
        $metadata: { httpStatusCode: 404 },
      });
      await expect(busy).rejects.toMatchObject({
        name: 'InvalidDBInstanceStateFault',
        Code: 'InvalidDBInstanceState',
      });
      await expect(unmodelled).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: /AllocatedStorage/,
      });
      expect(rds.snapshot()).toEqual(before);
    });

    it('DescribeDBInstances filters by instance id (or ARN) and refuses a filter it does not know', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const byArn = await client.send(
        new DescribeDBInstancesCommand({
          Filters: [{ Name: 'db-instance-id', Values: [`arn:aws:rds:${REGION}:${ACCOUNT}:db:billing`] }],
        }),
      );
      const unknownFilter = client.send(
        new DescribeDBInstancesCommand({ Filters: [{ Name: 'vpc-id', Values: ['x'] }] }),
      );

      // Assess
      expect(byArn.DBInstances?.map((instance) => instance.DBInstanceIdentifier)).toEqual(['billing']);
      await expect(unknownFilter).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    });
  });

  describe('snapshots', () => {
    it('removing all makes a DB snapshot private and keeps the accounts added by name; adding it back restores it', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const removed = await client.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: 'orders-2026-02',
          AttributeName: 'restore',
          ValuesToRemove: ['all'],
        }),
      );
      const described = await client.send(
        new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: 'orders-2026-02' }),
      );
      await client.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: 'orders-2026-02',
          AttributeName: 'restore',
          ValuesToAdd: ['all'],
        }),
      );
      const restored = await client.send(
        new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: 'orders-2026-02' }),
      );

      // Assess
      expect(removed.DBSnapshotAttributesResult?.DBSnapshotAttributes).toEqual([
        { AttributeName: 'restore', AttributeValues: [PARTNER] },
      ]);
      expect(described.DBSnapshotAttributesResult).toEqual(removed.DBSnapshotAttributesResult);
      expect(restored.DBSnapshotAttributesResult?.DBSnapshotAttributes?.[0]?.AttributeValues).toEqual([
        PARTNER,
        'all',
      ]);
    });

    it('the same for a DB cluster snapshot, with its own identifiers', async () => {
      // Prepare
      const { client } = setup();

      // Act
      await client.send(
        new ModifyDBClusterSnapshotAttributeCommand({
          DBClusterSnapshotIdentifier: 'aurora-2026-02',
          AttributeName: 'restore',
          ValuesToRemove: ['all'],
        }),
      );
      const attributes = await client.send(
        new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'aurora-2026-02' }),
      );
      const described = await client.send(
        new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'aurora' }),
      );
      const unknown = client.send(
        new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'nope' }),
      );

      // Assess
      expect(attributes.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes).toEqual([
        { AttributeName: 'restore', AttributeValues: [] },
      ]);
      expect(described.DBClusterSnapshots?.[0]?.DBClusterSnapshotArn).toBe(
        `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:aurora-2026-02`,
      );
      await expect(unknown).rejects.toMatchObject({
        name: 'DBClusterSnapshotNotFoundFault',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it.each([
      ['all on an encrypted snapshot', 'orders-encrypted', { ValuesToAdd: ['all'] }, 'InvalidParameterValue'],
      [
        'an automated snapshot',
        'rds:orders-2026-03-01-00-05',
        { ValuesToAdd: [PARTNER] },
        'InvalidDBSnapshotStateFault',
      ],
      ['a value that is no account', 'orders-2026-02', { ValuesToAdd: ['partner'] }, 'InvalidParameterValue'],
      [
        'more than 20 accounts',
        'orders-2026-02',
        { ValuesToAdd: Array.from({ length: 20 }, (_, i) => `1000000000${10 + i}`) },
        'SharedSnapshotQuotaExceededFault',
      ],
      ['an unknown snapshot', 'nope', { ValuesToAdd: [PARTNER] }, 'DBSnapshotNotFoundFault'],
    ])(
      'ModifyDBSnapshotAttribute refuses %s and changes nothing',
      async (_case, DBSnapshotIdentifier, values, error) => {
        // Prepare
        const { rds, client } = setup();
        const before = rds.snapshot();

        // Act
        const attempt = client.send(
          new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier, AttributeName: 'restore', ...values }),
        );

        // Assess
        await expect(attempt).rejects.toMatchObject({ name: error });
        expect(rds.snapshot()).toEqual(before);
      },
    );

    it('DescribeDBSnapshots by instance and type; ListTagsForResource by ARN for instances and both snapshot kinds', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const manual = await client.send(
        new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'orders', SnapshotType: 'manual' }),
      );
      const instanceTags = await client.send(
        new ListTagsForResourceCommand({ ResourceName: `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders` }),
      );
      const clusterSnapshotTags = await client.send(
        new ListTagsForResourceCommand({
          ResourceName: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:aurora-2026-02`,
        }),
      );
      const unknown = client.send(
        new ListTagsForResourceCommand({ ResourceName: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:nope` }),
      );

      // Assess
      expect(manual.DBSnapshots?.map((snapshot) => snapshot.DBSnapshotIdentifier)).toEqual([
        'orders-2026-02',
        'orders-encrypted',
      ]);
      expect(instanceTags.TagList).toEqual([{ Key: 'owner', Value: 'payments' }]);
      expect(clusterSnapshotTags.TagList).toEqual([{ Key: 'env', Value: 'prod' }]);
      await expect(unknown).rejects.toMatchObject({ name: 'DBSnapshotNotFoundFault' });
    });
  });
});
