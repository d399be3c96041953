import { describe, expect, it } from 'vitest';
import { checkAgainstReference, sandboxStateReader } from '../../src/iam/authorizer.ts';
import { evaluate } from '../../src/iam/evaluate.ts';
import { parsePolicy } from '../../src/iam/policy.ts';
import { type CallScope, iamRequestsFor } from '../../src/iam/requests/index.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/cordon-test-fix-posture`;

function setup(): { sandbox: Sandbox; scope: CallScope } {
  const sandbox = createSandbox({ accountId: ACCOUNT, region: REGION });
  const scope: CallScope = {
    account: ACCOUNT,
    region: REGION,
    principalArn: PRINCIPAL,
    read: sandboxStateReader(sandbox),
  };
  return { sandbox, scope };
}

async function requestsOf(
  scope: CallScope,
  service: string,
  command: string,
  input: Record<string, unknown>,
) {
  const requests = await iamRequestsFor({ service, command, input }, scope);
  for (const request of requests) await checkAgainstReference(request);
  return requests;
}

describe('the request model: posture commands', () => {
  it('names S3 permissions as each operation documents them, not as the command is called', async () => {
    // Prepare
    const { sandbox, scope } = setup();
    sandbox.s3.addBucket({ name: 'reports-bucket' });
    const bucket = { Bucket: 'reports-bucket' };

    // Act
    const actions = await Promise.all(
      [
        'GetPublicAccessBlock',
        'PutPublicAccessBlock',
        'DeletePublicAccessBlock',
        'GetBucketEncryption',
        'PutBucketEncryption',
        'DeleteBucketEncryption',
        'DeleteBucketOwnershipControls',
      ].map(async (command) =>
        (await requestsOf(scope, 'S3', command, bucket)).map((request) => request.action),
      ),
    );

    // Assess
    expect(actions.flat()).toEqual([
      's3:GetBucketPublicAccessBlock',
      's3:PutBucketPublicAccessBlock',
      's3:PutBucketPublicAccessBlock',
      's3:GetEncryptionConfiguration',
      's3:PutEncryptionConfiguration',
      's3:PutEncryptionConfiguration',
      's3:PutBucketOwnershipControls',
    ]);
  });

  it('asks the account’s Block Public Access on * only (no resource type) and a bucket’s on the bucket ARN', async () => {
    // Prepare
    const { sandbox, scope } = setup();
    sandbox.s3.addBucket({ name: 'reports-bucket' });

    // Act
    const [account] = await requestsOf(scope, 'S3Control', 'DeletePublicAccessBlock', { AccountId: ACCOUNT });
    const [bucket] = await requestsOf(scope, 'S3', 'PutPublicAccessBlock', { Bucket: 'reports-bucket' });

    // Assess
    expect(account).toMatchObject({ action: 's3:PutAccountPublicAccessBlock', resources: [{ arn: '*' }] });
    expect(bucket?.resources).toEqual([{ arn: 'arn:aws:s3:::reports-bucket', type: 'bucket', context: {} }]);
    expect(bucket?.context['s3:ResourceAccount']).toBe(ACCOUNT);
  });

  it('gives a bucket’s tags to IAM only when the bucket has ABAC enabled', async () => {
    // Prepare
    const { sandbox, scope } = setup();
    sandbox.s3
      .addBucket({ name: 'abac-bucket', tags: { 'cordon:exempt': 'true' }, abac: true })
      .addBucket({ name: 'plain-bucket', tags: { 'cordon:exempt': 'true' } });

    // Act
    const [abac] = await requestsOf(scope, 'S3', 'PutBucketPolicy', { Bucket: 'abac-bucket' });
    const [plain] = await requestsOf(scope, 'S3', 'PutBucketPolicy', { Bucket: 'plain-bucket' });

    // Assess
    expect(abac?.resources[0]?.context).toEqual({
      'aws:ResourceTag/cordon:exempt': 'true',
      's3:BucketTag/cordon:exempt': 'true',
    });
    expect(plain?.resources[0]?.context).toEqual({});
  });

  it('resolves a KMS alias to its key, with the key’s spec, origin and tags and the alias as kms:RequestAlias', async () => {
    // Prepare
    const { sandbox, scope } = setup();
    const keyId = sandbox.kms.addKey({ aliases: ['orders'], tags: { team: 'payments' } });

    // Act
    const [describe] = await requestsOf(scope, 'KMS', 'DescribeKey', { KeyId: 'alias/orders' });
    const [enable] = await requestsOf(scope, 'KMS', 'EnableKeyRotation', {
      KeyId: keyId,
      RotationPeriodInDays: 180,
    });

    // Assess
    expect(describe?.resources).toEqual([
      {
        arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
        type: 'key',
        context: {
          'aws:ResourceTag/team': 'payments',
          'kms:KeySpec': 'SYMMETRIC_DEFAULT',
          'kms:KeyOrigin': 'AWS_KMS',
          'kms:KeyUsage': 'ENCRYPT_DECRYPT',
          'kms:MultiRegion': 'false',
        },
      },
    ]);
    expect(describe?.context).toMatchObject({
      'kms:RequestAlias': 'alias/orders',
      'kms:CallerAccount': ACCOUNT,
    });
    expect(enable?.context['kms:RotationPeriodInDays']).toBe('180');
  });

  it('names a trail by ARN in the caller’s Region, with its tags', async () => {
    // Prepare
    const { sandbox, scope } = setup();
    sandbox.cloudTrail.addTrail({
      name: 'management',
      s3BucketName: 'trail-logs',
      tags: { owner: 'secops' },
    });

    // Act
    const [start] = await requestsOf(scope, 'CloudTrail', 'StartLogging', { Name: 'management' });
    const [describe] = await requestsOf(scope, 'CloudTrail', 'DescribeTrails', {});

    // Assess
    expect(start).toMatchObject({
      action: 'cloudtrail:StartLogging',
      resources: [
        {
          arn: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management`,
          type: 'trail',
          context: { 'aws:ResourceTag/owner': 'secops' },
        },
      ],
    });
    expect(describe?.resources).toEqual([{ arn: '*' }]);
  });

  it('gives RDS resources their tags under aws:ResourceTag and RDS’s own key for their type', async () => {
    // Prepare
    const { sandbox, scope } = setup();
    sandbox.rds
      .addInstance({ identifier: 'orders', tags: { owner: 'payments' } })
      .addSnapshot({ identifier: 'orders-snap', tags: { owner: 'payments' } })
      .addClusterSnapshot({ identifier: 'aurora-snap', tags: { owner: 'payments' } });

    // Act
    const [modify] = await requestsOf(scope, 'RDS', 'ModifyDBInstance', { DBInstanceIdentifier: 'orders' });
    const [snapshot] = await requestsOf(scope, 'RDS', 'ModifyDBSnapshotAttribute', {
      DBSnapshotIdentifier: 'orders-snap',
    });
    const [cluster] = await requestsOf(scope, 'RDS', 'ModifyDBClusterSnapshotAttribute', {
      DBClusterSnapshotIdentifier: 'aurora-snap',
    });
    const [all] = await requestsOf(scope, 'RDS', 'DescribeDBInstances', {});

    // Assess
    expect(modify?.resources[0]).toEqual({
      arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders`,
      type: 'db',
      context: { 'aws:ResourceTag/owner': 'payments', 'rds:db-tag/owner': 'payments' },
    });
    expect(snapshot?.resources[0]?.context).toEqual({
      'aws:ResourceTag/owner': 'payments',
      'rds:snapshot-tag/owner': 'payments',
    });
    expect(cluster?.resources[0]?.context).toEqual({
      'aws:ResourceTag/owner': 'payments',
      'rds:cluster-snapshot-tag/owner': 'payments',
    });
    expect(all?.resources).toEqual([{ arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:*`, type: 'db' }]);
  });

  it('gives ModifySnapshotAttribute what it adds and removes, so a policy can allow making a snapshot private only', async () => {
    // Prepare
    const { sandbox, scope } = setup();
    sandbox.ec2.addSnapshot({ snapshotId: 'snap-0aaaaaaaaaaaaaaa1', tags: { owner: 'web' } });
    const onlyPrivate = parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'MakePrivate',
            Effect: 'Allow',
            Action: 'ec2:ModifySnapshotAttribute',
            Resource: 'arn:aws:ec2:*::snapshot/*',
            Condition: { StringEquals: { 'ec2:Remove/group': 'all' } },
          },
        ],
      },
      'fix-posture',
    );

    // Act
    const [remove] = await requestsOf(scope, 'EC2', 'ModifySnapshotAttribute', {
      SnapshotId: 'snap-0aaaaaaaaaaaaaaa1',
      OperationType: 'remove',
      GroupNames: ['all'],
    });
    const [add] = await requestsOf(scope, 'EC2', 'ModifySnapshotAttribute', {
      SnapshotId: 'snap-0aaaaaaaaaaaaaaa1',
      CreateVolumePermission: { Add: [{ Group: 'all' }, { UserId: '444455556666' }] },
    });

    // Assess
    expect(remove?.resources[0]?.context).toEqual({
      'aws:ResourceTag/owner': 'web',
      'ec2:ResourceTag/owner': 'web',
      'ec2:Remove/group': 'all',
    });
    expect(add?.resources[0]?.context).toMatchObject({
      'ec2:Add/group': 'all',
      'ec2:Add/userId': '444455556666',
    });
    expect(remove && evaluate(onlyPrivate, remove).answer).toBe('allowed');
    expect(add && evaluate(onlyPrivate, add).answer).toBe('implicit-deny');
  });

  it('asks for the account settings (password policy, EBS encryption by default) on * only', async () => {
    // Prepare
    const { scope } = setup();

    // Act
    const requests = await Promise.all([
      requestsOf(scope, 'IAM', 'UpdateAccountPasswordPolicy', { MinimumPasswordLength: 14 }),
      requestsOf(scope, 'EC2', 'EnableEbsEncryptionByDefault', {}),
    ]);

    // Assess
    expect(requests.flat().map((request) => [request.action, request.resources])).toEqual([
      ['iam:UpdateAccountPasswordPolicy', [{ arn: '*' }]],
      ['ec2:EnableEbsEncryptionByDefault', [{ arn: '*' }]],
    ]);
  });
});
