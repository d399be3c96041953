import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CURSOR_WINDOW, nextCursor, updatedAtOf, windowStart } from '../../src/poller/cursor.ts';
import { cursorKey, DynamoDbCursorStore } from '../../src/poller/dynamodb-cursor-store.ts';

const NOW = new Date('2026-11-28T10:00:00Z');
const MINUTE = 60_000;

describe('windowStart', () => {
  it('looks back the initial window on the first run', () => {
    expect(windowStart({ cursor: undefined, now: NOW, ...DEFAULT_CURSOR_WINDOW })).toBe(
      NOW.getTime() - 15 * MINUTE,
    );
  });

  it('starts an overlap before the cursor', () => {
    const cursor = { updatedAt: NOW.getTime() - 5 * MINUTE };

    expect(windowStart({ cursor, now: NOW, ...DEFAULT_CURSOR_WINDOW })).toBe(NOW.getTime() - 10 * MINUTE);
  });

  it('never looks back more than the maximum', () => {
    const cursor = { updatedAt: NOW.getTime() - 7 * 24 * 60 * MINUTE };

    expect(windowStart({ cursor, now: NOW, ...DEFAULT_CURSOR_WINDOW })).toBe(
      NOW.getTime() - 24 * 60 * MINUTE,
    );
  });
});

describe('nextCursor', () => {
  it('moves to the newest update handed over', () => {
    const findings = [{ UpdatedAt: '2026-11-28T09:58:00.000Z' }, { UpdatedAt: '2026-11-28T09:59:00.000Z' }];

    expect(nextCursor({ updatedAt: 0 }, findings, NOW)).toEqual({
      updatedAt: Date.parse('2026-11-28T09:59:00Z'),
    });
  });

  it('never moves back, nor past now', () => {
    expect(nextCursor({ updatedAt: 5 }, [{ UpdatedAt: '1970-01-01T00:00:00.001Z' }], NOW)).toEqual({
      updatedAt: 5,
    });
    expect(nextCursor(undefined, [{ UpdatedAt: '2030-01-01T00:00:00Z' }], NOW)).toEqual({
      updatedAt: NOW.getTime(),
    });
  });

  it('stays unset when nothing was found', () => {
    expect(nextCursor(undefined, [], NOW)).toBeUndefined();
  });

  it('reads camelCase and Date timestamps, and ignores unreadable ones', () => {
    expect(updatedAtOf({ updatedAt: '2026-11-28T09:00:00Z' })).toBe(Date.parse('2026-11-28T09:00:00Z'));
    expect(updatedAtOf({ UpdatedAt: new Date(42) })).toBe(42);
    expect(updatedAtOf({ UpdatedAt: 'yesterday' })).toBeUndefined();
    expect(updatedAtOf(null)).toBeUndefined();
  });
});

describe('DynamoDbCursorStore', () => {
  it('reads the cursor item of the detector from the ledger table', async () => {
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb.on(GetItemCommand).resolves({ Item: { ...cursorKey('d1'), updatedAt: { N: '1234' } } });
    const store = new DynamoDbCursorStore({ client: new DynamoDBClient({}), tableName: 'ledger' });

    const cursor = await store.read('d1');

    expect(cursor).toEqual({ updatedAt: 1234 });
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'ledger',
      Key: { incidentId: { S: 'poller#guardduty#d1' }, sk: { S: 'cursor' } },
      ConsistentRead: true,
    });
  });

  it('treats a missing or damaged cursor as none', async () => {
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb
      .on(GetItemCommand)
      .resolvesOnce({})
      .resolvesOnce({ Item: { updatedAt: { N: 'x' } } });
    const store = new DynamoDbCursorStore({ client: new DynamoDBClient({}), tableName: 'ledger' });

    expect(await store.read('d1')).toBeUndefined();
    expect(await store.read('d1')).toBeUndefined();
  });

  it('writes only forward, and accepts that a later cursor is already there', async () => {
    const dynamodb = mockClient(DynamoDBClient);
    const conflict = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
    });
    dynamodb.on(PutItemCommand).rejects(conflict);
    const store = new DynamoDbCursorStore({ client: new DynamoDBClient({}), tableName: 'ledger' });

    await expect(store.write('d1', { updatedAt: 1000 })).resolves.toBeUndefined();
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      ConditionExpression: 'attribute_not_exists(updatedAt) OR updatedAt <= :updatedAt',
      ExpressionAttributeValues: { ':updatedAt': { N: '1000' } },
    });
  });

  it('lets other write errors through', async () => {
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb
      .on(PutItemCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const store = new DynamoDbCursorStore({ client: new DynamoDBClient({}), tableName: 'ledger' });

    await expect(store.write('d1', { updatedAt: 1 })).rejects.toThrow('slow down');
  });
});
