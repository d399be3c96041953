import { DynamoDBClient, type PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
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
