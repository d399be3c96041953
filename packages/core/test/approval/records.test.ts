import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../../local/src/sandbox/index.ts';
import {
  type ApprovalDecision,
  type ApprovalStore,
  DynamoDbApprovalStore,
  MemoryApprovalStore,
} from '../../src/approval/records.ts';
import { APPROVAL_ID, EXPIRES_AT, NOW, pendingRecord } from './fixtures.ts';

const TABLE = 'cordon-approvals';

function decision(overrides: Partial<ApprovalDecision> = {}): ApprovalDecision {
  return {
    decision: 'approve',
    decidedBy: { kind: 'slack', id: 'U0APPROVER', name: 'alice' },
    decidedAt: '2026-11-28T10:05:00.000Z',
    comment: 'go',
    ...overrides,
  };
}

function sandboxStore() {
  const sandbox = createSandbox({ accountId: '123456789012', now: () => NOW });
  sandbox.dynamodb.createTable({ tableName: TABLE, partitionKey: 'approvalId' });
  const client = sandbox.account.attach(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
    }),
  );
  return { sandbox, store: new DynamoDbApprovalStore({ client, tableName: TABLE }) };
}

const STORES: Array<[string, () => ApprovalStore]> = [
  ['MemoryApprovalStore', () => new MemoryApprovalStore()],
  ['DynamoDbApprovalStore (sandbox account)', () => sandboxStore().store],
];

describe.each(STORES)('%s', (_name, makeStore) => {
  it('keeps a record as created, the task token included', async () => {
    // Prepare
    const store = makeStore();

    // Act
    await store.create(pendingRecord());

    // Assess
    expect(await store.get(APPROVAL_ID)).toEqual(pendingRecord());
  });

  it('refuses to overwrite an existing approval id', async () => {
    // Prepare
    const store = makeStore();
    await store.create(pendingRecord());

    // Act / Assess
    await expect(store.create(pendingRecord({ taskToken: 'another' }))).rejects.toThrow();
    expect((await store.get(APPROVAL_ID))?.taskToken).toBe(pendingRecord().taskToken);
  });

  it('decides once: the second decision is already-decided and changes nothing', async () => {
    // Prepare
    const store = makeStore();
    await store.create(pendingRecord());

    // Act
    const first = await store.decide(APPROVAL_ID, decision(), 'pending');
    const second = await store.decide(
      APPROVAL_ID,
      decision({ decision: 'reject', comment: 'no' }),
      'pending',
    );

    // Assess
    expect([first, second]).toEqual(['decided', 'already-decided']);
    expect(await store.get(APPROVAL_ID)).toMatchObject({ status: 'approved', decision: decision() });
  });

  it('of concurrent decisions, exactly one wins', async () => {
    // Prepare
    const store = makeStore();
    await store.create(pendingRecord());

    // Act
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store.decide(APPROVAL_ID, decision({ decision: index % 2 === 0 ? 'approve' : 'reject' }), 'pending'),
      ),
    );

    // Assess
    expect(results.filter((result) => result === 'decided')).toHaveLength(1);
  });

  it('refuses a decision at or after the expiry', async () => {
    // Prepare
    const store = makeStore();
    await store.create(pendingRecord());

    // Act
    const result = await store.decide(
      APPROVAL_ID,
      decision({ decidedAt: EXPIRES_AT.toISOString() }),
      'pending',
    );

    // Assess
    expect(result).toBe('expired');
    expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
  });

  it('answers not-found for an unknown id, and creates nothing', async () => {
    // Prepare
    const store = makeStore();

    // Act
    const result = await store.decide(APPROVAL_ID, decision(), 'pending');
    await store.recordCallback(APPROVAL_ID, { status: 'sent', at: NOW.toISOString() });

    // Assess
    expect(result).toBe('not-found');
    expect(await store.get(APPROVAL_ID)).toBeUndefined();
  });

  it('records the callback result and where the Slack message is', async () => {
    // Prepare
    const store = makeStore();
    await store.create(pendingRecord());

    // Act
    await store.recordCallback(APPROVAL_ID, {
      status: 'failed',
      at: NOW.toISOString(),
      error: 'TaskTimedOut',
    });
    await store.recordSlackMessage(APPROVAL_ID, { channel: 'C0SEC', ts: '1795860000.000100' });

    // Assess
    expect(await store.get(APPROVAL_ID)).toMatchObject({
      callback: { status: 'failed', error: 'TaskTimedOut' },
      slackMessage: { channel: 'C0SEC', ts: '1795860000.000100' },
    });
  });
});

describe('DynamoDbApprovalStore', () => {
  it('writes the TTL attribute expiresAtEpoch: the link expiry plus the retention', async () => {
    // Prepare
    const { sandbox, store } = sandboxStore();

    // Act
    await store.create(pendingRecord());

    // Assess
    const item = sandbox.dynamodb.snapshot().tables[TABLE]?.items[0];
    expect(item?.expiresAtEpoch).toEqual({ N: String(EXPIRES_AT.getTime() / 1000 + 30 * 86_400) });
  });

  it('decides with a conditional write on pending status and expiry', async () => {
    // Prepare
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb.on(UpdateItemCommand).resolves({});
    const store = new DynamoDbApprovalStore({ client: new DynamoDBClient({}), tableName: TABLE });

    // Act
    const result = await store.decide(APPROVAL_ID, decision(), 'pending');

    // Assess
    expect(result).toBe('decided');
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { approvalId: { S: APPROVAL_ID } },
      ConditionExpression: 'attribute_exists(approvalId) AND #status = :expected AND expiresAt > :at',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    dynamodb.restore();
  });
});
