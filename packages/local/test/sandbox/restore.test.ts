/**
 * A saved local deployment is put back model by model: for each sandbox model, a snapshot written as JSON and
 * restored into a new sandbox snapshots the same (its dates Dates again), and the whole sandbox too.
 */
import { describe, expect, it } from 'vitest';
import {
  createSandbox,
  restoreSandbox,
  type Sandbox,
  SandboxStateInvalidError,
} from '../../src/sandbox/index.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const T0 = new Date('2026-11-20T09:00:00.000Z');

/** A sandbox with something in every model, dates included (keys, sessions, published messages, parameters). */
async function seeded(): Promise<Sandbox> {
  const sandbox = createSandbox({ accountId: ACCOUNT, region: REGION, now: () => T0 });
  const groupId = sandbox.ec2.addVpc({ vpcId: 'vpc-0123456789abcdef0' });
  sandbox.ec2.addInstance({
    instanceId: 'i-0123456789abcdef0',
    vpcId: 'vpc-0123456789abcdef0',
    subnetId: 'subnet-0123456789abcdef0',
    networkInterfaces: [{ networkInterfaceId: 'eni-0123456789abcdef0', groupIds: [groupId] }],
    volumes: [{ volumeId: 'vol-0123456789abcdef0', deviceName: '/dev/xvda', deleteOnTermination: true }],
    tags: { Name: 'web-1' },
  });
  sandbox.autoScaling.addGroup({ name: 'web', instances: [{ instanceId: 'i-0123456789abcdef0' }] });
  sandbox.elbv2.addTargetGroup({
    name: 'web',
    vpcId: 'vpc-0123456789abcdef0',
    targets: [{ id: 'i-0123456789abcdef0' }],
  });
  sandbox.elb.addLoadBalancer({
    name: 'classic',
    vpcId: 'vpc-0123456789abcdef0',
    instanceIds: ['i-0123456789abcdef0'],
  });
  sandbox.iam.addUser({
    userName: 'alice',
    accessKeys: [
      {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        createDate: new Date('2025-01-02T03:04:05.000Z'),
        lastUsed: { date: new Date('2026-11-19T00:00:00.000Z'), serviceName: 's3', region: REGION },
      },
    ],
    loginProfile: true,
    inlinePolicies: { keep: '{"Version":"2012-10-17","Statement":[]}' },
  });
  sandbox.iam.addRole({ roleName: 'responder', externalId: 'x-1' });
  sandbox.iam.addInstanceProfile({ name: 'web', roleName: 'responder' });
  await sandbox.account.dispatch('STS', 'AssumeRole', {
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/responder`,
    RoleSessionName: 'cordon',
    ExternalId: 'x-1',
  });
  const topicArn = sandbox.sns.addTopic('cordon-notifications');
  await sandbox.account.dispatch('SNS', 'Publish', { TopicArn: topicArn, Message: 'contained' });
  sandbox.ssm.putParameter({ name: '/cordon/local/settings/mode', value: 'enforce' });
  sandbox.dynamodb.createTable({ tableName: 'ledger', partitionKey: 'incidentId', sortKey: 'sk' });
  sandbox.dynamodb.putItem('ledger', { incidentId: { S: 'i-1' }, sk: { S: 'a' }, n: { N: '1' } });
  sandbox.config.addRule({ name: 'restricted-ssh', sourceIdentifier: 'INCOMING_SSH_DISABLED' });
  sandbox.s3.addBucket({ name: 'evidence-bucket', tags: { team: 'sec' } });
  sandbox.s3Control.setPublicAccessBlock({ blockPublicPolicy: true });
  sandbox.cloudTrail.addTrail({ name: 'org', s3BucketName: 'trail-bucket', isMultiRegionTrail: true });
  sandbox.kms.addKey({ description: 'evidence', aliases: ['alias/evidence'] });
  sandbox.rds.addInstance({ identifier: 'db-1', tags: { env: 'prod' } });
  sandbox.rds.addSnapshot({ identifier: 'db-1-snap', sourceIdentifier: 'db-1' });
  return sandbox;
}

/** What a state file holds: the snapshot as JSON, read back (dates become text). */
function throughJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

const MODELS = [
  'ec2',
  'autoScaling',
  'elbv2',
  'elb',
  'iam',
  'sts',
  'sns',
  'ssm',
  'dynamodb',
  'config',
  's3',
  's3Control',
  'cloudTrail',
  'kms',
  'rds',
] as const satisfies readonly Exclude<keyof Sandbox, 'account'>[];

describe('restore() beside every model’s snapshot()', () => {
  it.each(MODELS)('%s: snapshot → JSON → restore → snapshot is equal, dates are Dates', async (name) => {
    const source = await seeded();
    const target = createSandbox({ accountId: ACCOUNT, region: REGION, now: () => T0 });
    const before = source[name].snapshot();
    // Something to hold: a model left empty by the seeding would prove nothing.
    expect(JSON.stringify(before).length).toBeGreaterThan(40);

    // biome-ignore lint/suspicious/noExplicitAny: each model restores its own snapshot's type.
    (target[name] as { restore(state: any): void }).restore(throughJson(before));

    expect(target[name].snapshot()).toEqual(before);
  });

  it('restore replaces what the model held (nothing of it is left)', async () => {
    const target = await seeded();
    const empty = createSandbox({ accountId: ACCOUNT, region: REGION, now: () => T0 });

    restoreSandbox(target, throughJson(empty.account.snapshot()));

    expect(target.account.snapshot()).toEqual(empty.account.snapshot());
  });

  it('a restored model answers as the saved one: IAM dates as Dates through its API, DynamoDB items by key', async () => {
    const source = await seeded();
    const target = createSandbox({ accountId: ACCOUNT, region: REGION, now: () => T0 });

    restoreSandbox(target, throughJson(source.account.snapshot()));

    const keys = (await target.account.dispatch('IAM', 'ListAccessKeys', { UserName: 'alice' })) as {
      AccessKeyMetadata: { CreateDate: Date }[];
    };
    expect(keys.AccessKeyMetadata[0]?.CreateDate).toEqual(new Date('2025-01-02T03:04:05.000Z'));
    expect(target.dynamodb.getItem('ledger', { incidentId: { S: 'i-1' }, sk: { S: 'a' } })).toEqual({
      incidentId: { S: 'i-1' },
      sk: { S: 'a' },
      n: { N: '1' },
    });
  });
});

describe('restoreSandbox', () => {
  it('the whole sandbox: snapshot → JSON → restore → the same JSON, byte for byte', async () => {
    const source = await seeded();
    const text = JSON.stringify(source.account.snapshot());
    const target = createSandbox({ accountId: ACCOUNT, region: REGION, now: () => T0 });

    restoreSandbox(target, JSON.parse(text));

    expect(JSON.stringify(target.account.snapshot())).toBe(text);
  });

  it('a state without a model’s part is refused by name, before any model changes', async () => {
    const source = await seeded();
    const { KMS: _kms, RDS: _rds, ...partial } = throughJson(source.account.snapshot());
    const target = await seeded();
    const before = JSON.stringify(target.account.snapshot());

    expect(() => restoreSandbox(target, partial)).toThrow(SandboxStateInvalidError);
    expect(() => restoreSandbox(target, partial)).toThrow('the saved sandbox has no state for KMS, RDS');
    expect(JSON.stringify(target.account.snapshot())).toBe(before);
  });
});

describe('the id counter', () => {
  it('goes on from the saved count: an id made after the restore never repeats a saved one', async () => {
    const source = await seeded();
    const issued = source.account.idsIssued();
    const saved = source.account.context.nextId('x');
    const target = createSandbox({ accountId: ACCOUNT, region: REGION, now: () => T0 });

    target.account.restoreIds(issued + 1);

    expect(issued).toBeGreaterThan(0);
    expect(target.account.context.nextId('x')).not.toBe(saved);
    expect(target.account.idsIssued()).toBe(issued + 2);
  });

  it('never goes back, and refuses a count that is not one', () => {
    const sandbox = createSandbox();
    sandbox.account.context.nextId('x');
    sandbox.account.context.nextId('x');

    sandbox.account.restoreIds(1);

    expect(sandbox.account.idsIssued()).toBe(2);
    expect(() => sandbox.account.restoreIds(-1)).toThrow(RangeError);
    expect(() => sandbox.account.restoreIds(1.5)).toThrow(RangeError);
  });
});
