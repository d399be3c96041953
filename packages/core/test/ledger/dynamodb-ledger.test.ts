import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../../../local/src/sandbox/index.ts';
import { SANDBOX_RESOURCES, seedCordonResources } from '../../../local/src/seed.ts';
import { DynamoDbLedger } from '../../src/ledger/dynamodb-ledger.ts';
import type { LedgerEntry } from '../../src/ledger/ledger.ts';
import type { PlaybookId } from '../../src/playbooks/ids.ts';

const NOW = new Date('2026-11-28T10:00:00.000Z');

function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    incidentId: 'guardduty-123456789012-us-east-1-abc',
    step: 'isolate-instance',
    at: '2026-11-28T10:00:00.000Z',
    outcome: 'planned',
    dryRun: false,
    settingsVersion: '0123456789ab',
    input: { instanceId: 'i-0abc1234def567890', nested: { list: [1, 'two'] } },
    changes: [{ resource: 'eni-0123456789abcdef0', attribute: 'groups', before: ['sg-1'], after: ['sg-2'] }],
    restore: { instanceId: 'i-0abc1234def567890', networkInterfaces: [] },
    notes: ['a note'],
    ...overrides,
  };
}

function ledgerOnSandbox() {
  const sandbox = createSandbox();
  seedCordonResources(sandbox);
  const client = sandbox.account.attach(new DynamoDBClient({ region: 'us-east-1' }));
  return {
    sandbox,
    client,
    ledger: new DynamoDbLedger({ client, tableName: SANDBOX_RESOURCES.ledgerTable, retentionDays: 30 }),
  };
}

describe('DynamoDbLedger', () => {
  it('reads back every entry of an incident, oldest first, exactly as written', async () => {
    const { ledger } = ledgerOnSandbox();
    const first = entry();
    const second = entry({
      at: '2026-11-28T10:00:01.000Z',
      outcome: 'done',
      restore: undefined,
      error: undefined,
    });
    await ledger.append(second);
    await ledger.append(first);
    await ledger.append(entry({ incidentId: 'another-incident' }));

    const entries = await ledger.entries(first.incidentId);

    expect(entries).toEqual(
      [first, { ...second, restore: undefined, error: undefined }].map((item) =>
        JSON.parse(JSON.stringify(item)),
      ),
    );
  });

  it('claims an incident for one playbook once, whatever the playbook, and keeps the claim out of the entries', async () => {
    const { ledger } = ledgerOnSandbox();
    const claim = async (incidentId: string, playbook: PlaybookId) =>
      (await ledger.claims.claim({ incidentId, playbook, provisional: false, now: NOW })).outcome;
    expect(await claim('incident-1', 'notify-only')).toBe('claimed');
    expect(await claim('incident-1', 'ec2-compromise')).toBe('duplicate');
    expect(await claim('incident-2', 'ec2-compromise')).toBe('claimed');
    await ledger.append(entry({ incidentId: 'incident-1' }));
    expect((await ledger.entries('incident-1')).map((item) => item.step)).toEqual(['isolate-instance']);
  });

  it('lets the same playbook claim an incident again (a retried triage), saying so, never another', async () => {
    const { ledger } = ledgerOnSandbox();
    const claim = async (playbook: PlaybookId) =>
      (await ledger.claims.claim({ incidentId: 'incident-1', playbook, provisional: false, now: NOW }))
        .outcome;
    expect(await claim('ec2-compromise')).toBe('claimed');
    expect(await claim('ec2-compromise')).toBe('reclaimed');
    expect(await claim('notify-only')).toBe('duplicate');
  });

  it('leases a resource to one holder at a time, again to the same holder, to anyone once it ran out, and only its holder gives it back', async () => {
    const { ledger } = ledgerOnSandbox();
    const now = new Date('2026-11-28T10:00:00Z');
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

    expect(await ledger.acquireLease('instance#i-1', 'incident-a', later(120), now)).toEqual({
      acquired: true,
    });
    expect(await ledger.acquireLease('instance#i-1', 'incident-a', later(120), later(1))).toEqual({
      acquired: true,
    });
    expect(await ledger.acquireLease('instance#i-1', 'incident-b', later(130), later(10))).toEqual({
      acquired: false,
      holder: 'incident-a',
    });
    expect(await ledger.acquireLease('instance#i-2', 'incident-b', later(130), later(10))).toEqual({
      acquired: true,
    });
    await ledger.releaseLease('instance#i-1', 'incident-b'); // not the holder: nothing happens
    expect((await ledger.acquireLease('instance#i-1', 'incident-b', later(140), later(20))).acquired).toBe(
      false,
    );
    expect(await ledger.acquireLease('instance#i-1', 'incident-b', later(300), later(121))).toEqual({
      acquired: true,
    });
    await ledger.releaseLease('instance#i-1', 'incident-b');
    expect((await ledger.acquireLease('instance#i-1', 'incident-c', later(400), later(122))).acquired).toBe(
      true,
    );
    // Leases live in their own partitions: no incident's entries see them.
    expect(await ledger.entries('incident-a')).toEqual([]);
  });

  it('keeps two entries written in the same millisecond for the same step', async () => {
    const { ledger } = ledgerOnSandbox();
    await ledger.append(entry());
    await ledger.append(entry());
    expect(await ledger.entries(entry().incidentId)).toHaveLength(2);
  });

  it('keeps a restore record without expiry, so a long quarantine can still be released', async () => {
    const { sandbox, ledger } = ledgerOnSandbox();
    await ledger.append(entry());
    const put = sandbox.account.calls.find((call) => call.command === 'PutItem')
      ?.input as PutItemCommand['input'];
    expect(put.Item?.restore).toBeDefined();
    expect(put.Item?.expiresAt).toBeUndefined();
  });

  it('writes conditionally (never overwriting an entry) and sets the retention TTL', async () => {
    const { sandbox, ledger } = ledgerOnSandbox();
    await ledger.append(entry({ outcome: 'done', restore: undefined }));
    const put = sandbox.account.calls.find((call) => call.command === 'PutItem')
      ?.input as PutItemCommand['input'];
    expect(put.ConditionExpression).toBe('attribute_not_exists(sk)');
    const expected = Math.floor(Date.parse('2026-11-28T10:00:00.000Z') / 1000) + 30 * 86_400;
    expect(put.Item?.expiresAt).toEqual({ N: String(expected) });
  });
});

// Issue 18: what the sandbox cannot show — the exact items and keys sent, a paged query, and the failures
// DynamoDB answers that are not "the condition did not hold".
describe('DynamoDbLedger (items sent, failures answered)', () => {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
  });
  const dynamo = mockClient(client);
  const ledger = new DynamoDbLedger({ client, tableName: 'cordon-ledger', retentionDays: 30 });
  const throttled = Object.assign(new Error('Rate exceeded'), {
    name: 'ProvisionedThroughputExceededException',
  });
  const conditionFailed = (item?: Record<string, unknown>) =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      ...(item ? { Item: marshall(item) } : {}),
    });

  beforeEach(() => {
    dynamo.reset();
  });

  it('keys an entry by its time, step and a sequence number, in the incident partition', async () => {
    dynamo.on(PutItemCommand).resolves({});
    await ledger.append(entry());
    await ledger.append(entry());
    const keys = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.sk?.S);
    expect(keys[0]).toMatch(/^2026-11-28T10:00:00\.000Z#isolate-instance#000001#[a-z0-9]{1,6}$/);
    expect(keys[1]).toMatch(/^2026-11-28T10:00:00\.000Z#isolate-instance#000002#[a-z0-9]{1,6}$/);
    expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'cordon-ledger',
      Item: expect.objectContaining({ incidentId: { S: entry().incidentId } }),
    });
  });

  it('reads every page of an incident, consistently, leaving out the execution claim and the key fields', async () => {
    const stored = (at: string, outcome: string) => ({
      ...marshall(
        { ...entry({ at, outcome: outcome as LedgerEntry['outcome'], restore: undefined }) },
        { removeUndefinedValues: true },
      ),
      sk: { S: `${at}#isolate-instance#000001#abc` },
      expiresAt: { N: '1800000000' },
    });
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [stored('2026-11-28T10:00:00.000Z', 'planned')],
        LastEvaluatedKey: { incidentId: { S: 'x' }, sk: { S: 'y' } },
      })
      .resolvesOnce({
        Items: [
          stored('2026-11-28T10:00:01.000Z', 'done'),
          { incidentId: { S: 'x' }, sk: { S: '~execution' }, playbook: { S: 'ec2-compromise' } },
        ],
      });
    const entries = await ledger.entries(entry().incidentId);
    expect(entries.map((e) => e.outcome)).toEqual(['planned', 'done']);
    expect(entries[0]).not.toHaveProperty('sk');
    expect(entries[0]).not.toHaveProperty('expiresAt');
    const inputs = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toMatchObject({
      TableName: 'cordon-ledger',
      KeyConditionExpression: 'incidentId = :id',
      ExpressionAttributeValues: { ':id': { S: entry().incidentId } },
      ConsistentRead: true,
    });
    expect(inputs[0]?.ExclusiveStartKey).toBeUndefined();
    expect(inputs[1]?.ExclusiveStartKey).toEqual({ incidentId: { S: 'x' }, sk: { S: 'y' } });
  });

  it('writes a lease in its own partition, with its end and a TTL a day after it', async () => {
    dynamo.on(PutItemCommand).resolves({});
    const now = new Date('2026-11-28T10:00:00.000Z');
    const until = new Date('2026-11-28T10:02:00.000Z');
    expect(await ledger.acquireLease('instance#i-1', 'incident-a', until, now)).toEqual({ acquired: true });
    expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'cordon-ledger',
      Item: {
        incidentId: { S: 'lease#instance#i-1' },
        sk: { S: '~lease' },
        holder: { S: 'incident-a' },
        leaseUntil: { N: String(until.getTime()) },
        expiresAt: { N: String(until.getTime() / 1000 + 86_400) },
      },
      ConditionExpression: 'attribute_not_exists(sk) OR holder = :holder OR leaseUntil < :now',
      ExpressionAttributeValues: { ':holder': { S: 'incident-a' }, ':now': { N: String(now.getTime()) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('names the holder of a refused lease from the item DynamoDB returns, or says another incident', async () => {
    const now = new Date('2026-11-28T10:00:00.000Z');
    const refusedWith = async (item?: Record<string, unknown>) => {
      dynamo.on(PutItemCommand).rejects(conditionFailed(item));
      return ledger.acquireLease('instance#i-1', 'incident-a', now, now);
    };
    expect(await refusedWith({ holder: 'incident-z' })).toEqual({ acquired: false, holder: 'incident-z' });
    expect(await refusedWith()).toEqual({ acquired: false, holder: 'another incident' });
    expect(await refusedWith({ leaseUntil: 1 })).toEqual({ acquired: false, holder: 'another incident' });
  });

  it('stores an entry whose input holds a class instance, as a map of its fields', async () => {
    dynamo.on(PutItemCommand).resolves({});
    class Point {
      public readonly x = 1;
    }
    await ledger.append(entry({ input: { point: new Point() } }));
    const item = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    expect(item?.input).toEqual({ M: { point: { M: { x: { N: '1' } } } } });
  });

  it("lists triage's decisions, and only them, under their month in the decisions index", async () => {
    dynamo.on(PutItemCommand).resolves({});
    await ledger.append(entry({ step: 'triage', at: '2026-12-31T23:59:59.000Z' }));
    await ledger.append(entry({ step: 'isolate-instance' }));
    const items = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item);
    expect(items[0]?.decisionMonth).toEqual({ S: '2026-12' });
    expect(items[1]).not.toHaveProperty('decisionMonth');
  });

  it('closes the claim of an incident through the claim store, saying whether there was one open', async () => {
    dynamo.on(QueryCommand).resolves({});
    expect(await ledger.closeClaim('incident-1', NOW, 'release-instance')).toBe('not-open');
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('reads a page without items, and an item without a sort key, as what they are', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ LastEvaluatedKey: { incidentId: { S: 'x' }, sk: { S: 'y' } } })
      .resolvesOnce({ Items: [marshall({ incidentId: 'x', step: 'triage', outcome: 'decided' })] });
    expect(await ledger.entries('x')).toEqual([{ incidentId: 'x', step: 'triage', outcome: 'decided' }]);
  });

  it('passes on any other failure of a lease or a give-back (a throttle is not a refusal)', async () => {
    dynamo.on(PutItemCommand).rejects(throttled);
    dynamo.on(DeleteItemCommand).rejects(throttled);
    const now = new Date('2026-11-28T10:00:00.000Z');
    await expect(ledger.acquireLease('instance#i-1', 'incident-a', now, now)).rejects.toThrow(
      'Rate exceeded',
    );
    await expect(ledger.releaseLease('instance#i-1', 'incident-a')).rejects.toThrow('Rate exceeded');
  });

  it('gives a lease back only if the holder still has it, and is quiet when it does not', async () => {
    dynamo.on(DeleteItemCommand).rejects(conditionFailed());
    await expect(ledger.releaseLease('instance#i-1', 'incident-a')).resolves.toBeUndefined();
    expect(dynamo).toHaveReceivedCommandWith(DeleteItemCommand, {
      TableName: 'cordon-ledger',
      Key: { incidentId: { S: 'lease#instance#i-1' }, sk: { S: '~lease' } },
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': { S: 'incident-a' } },
    });
  });
});
