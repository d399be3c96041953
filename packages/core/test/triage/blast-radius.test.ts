import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../../local/src/sandbox/index.ts';
import { SANDBOX_RESOURCES, seedCordonResources } from '../../../local/src/seed.ts';
import { type BlastRadius, DynamoDbBlastRadius, MemoryBlastRadius } from '../../src/triage/blast-radius.ts';

const ACCOUNT = '111111111111';
const NOW = new Date('2026-11-28T10:15:00Z');

/** The ledger table of a sandbox account, where the deployed triage counts containments. */
function dynamoDbStore() {
  const sandbox = createSandbox();
  seedCordonResources(sandbox);
  const client = sandbox.account.attach(new DynamoDBClient({ region: 'us-east-1' }));
  return {
    store: new DynamoDbBlastRadius(client, SANDBOX_RESOURCES.ledgerTable) as BlastRadius,
    calls: () => sandbox.account.calls.filter((call) => call.service === 'DynamoDB'),
    items: () => sandbox.dynamodb.items(SANDBOX_RESOURCES.ledgerTable),
  };
}

const STORES = [
  ['DynamoDbBlastRadius (the sandbox’s DynamoDB)', dynamoDbStore],
  [
    'MemoryBlastRadius',
    () => ({ store: new MemoryBlastRadius() as BlastRadius, calls: () => [], items: () => [] }),
  ],
] as const;

describe.each(STORES)('blast radius in %s (DOMAIN.md item 31)', (_name, make) => {
  it('lets no automatic containment through with a limit of 0 ("always ask"), however many are asked', async () => {
    const { store } = make();
    const answers = [];
    for (let attempt = 0; attempt < 3; attempt += 1) answers.push(await store.tryConsume(ACCOUNT, NOW, 0));
    expect(answers).toEqual([false, false, false]);
  });

  it('takes exactly `limit` slots per account and hour, then refuses', async () => {
    const { store } = make();
    const answers = [];
    for (let attempt = 0; attempt < 3; attempt += 1) answers.push(await store.tryConsume(ACCOUNT, NOW, 2));
    expect(answers).toEqual([true, true, false]);
    // Another account, and the next hour, count on their own.
    expect(await store.tryConsume('222222222222', NOW, 2)).toBe(true);
    expect(await store.tryConsume(ACCOUNT, new Date('2026-11-28T11:00:00Z'), 2)).toBe(true);
  });

  it('gives a slot back for the next incident of the hour', async () => {
    const { store } = make();
    expect(await store.tryConsume(ACCOUNT, NOW, 1)).toBe(true);
    await store.release(ACCOUNT, NOW);
    expect(await store.tryConsume(ACCOUNT, NOW, 1)).toBe(true);
    expect(await store.tryConsume(ACCOUNT, NOW, 1)).toBe(false);
  });

  it('refuses a limit that is not a number rather than acting', async () => {
    const { store } = make();
    expect(await store.tryConsume(ACCOUNT, NOW, Number.NaN)).toBe(false);
    expect(await store.tryConsume(ACCOUNT, NOW, -1)).toBe(false);
  });
});

describe('DynamoDbBlastRadius', () => {
  it('asks DynamoDB nothing and writes no count at limit 0 (its condition `attribute_not_exists(containments)` would let the first one in)', async () => {
    const { store, calls, items } = dynamoDbStore();
    expect(await store.tryConsume(ACCOUNT, NOW, 0)).toBe(false);
    expect(calls()).toEqual([]);
    expect(items()).toEqual([]);
  });

  it('counts in one item per account and hour of the ledger table, with a conditional update', async () => {
    const { store, calls, items } = dynamoDbStore();
    await store.tryConsume(ACCOUNT, NOW, 5);
    await store.tryConsume(ACCOUNT, NOW, 5);
    expect(calls().map((call) => call.command)).toEqual(['UpdateItem', 'UpdateItem']);
    expect(items()).toEqual([
      expect.objectContaining({
        incidentId: { S: `blast-radius#${ACCOUNT}` },
        sk: { S: '2026-11-28T10' },
        containments: { N: '2' },
      }),
    ]);
  });
});
