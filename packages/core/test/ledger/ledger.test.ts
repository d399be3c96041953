import { describe, expect, it } from 'vitest';
import { type LedgerEntry, MemoryLedger } from '../../src/ledger/ledger.ts';

function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    incidentId: 'incident-1',
    step: 'isolate-instance',
    at: '2026-11-28T10:00:00.000Z',
    outcome: 'planned',
    dryRun: false,
    settingsVersion: '0123456789ab',
    input: { instanceId: 'i-0abc1234def567890' },
    changes: [{ resource: 'eni-1', attribute: 'groups', before: ['sg-1'], after: ['sg-2'] }],
    notes: ['a note'],
    ...overrides,
  };
}

describe('MemoryLedger', () => {
  it("returns an incident's entries oldest first, and no other incident's", async () => {
    const ledger = new MemoryLedger();
    await ledger.append(entry({ notes: ['first'] }));
    await ledger.append(entry({ incidentId: 'incident-2' }));
    await ledger.append(entry({ notes: ['second'] }));
    expect((await ledger.entries('incident-1')).map((e) => e.notes[0])).toEqual(['first', 'second']);
    expect(await ledger.entries('incident-3')).toEqual([]);
    expect(ledger.all().map((e) => e.incidentId)).toEqual(['incident-1', 'incident-2', 'incident-1']);
  });

  it('keeps what was written: neither the writer nor a reader can change a stored entry afterwards', async () => {
    const ledger = new MemoryLedger();
    const written = entry();
    await ledger.append(written);
    (written.notes as string[]).push('changed by the writer');
    const read = await ledger.entries('incident-1');
    const [readEntry] = read;
    const [listedEntry] = ledger.all();
    if (!readEntry || !listedEntry) throw new Error('the entry was not stored');
    (readEntry.notes as string[]).push('changed by a reader');
    (listedEntry.notes as string[]).push('changed through all()');
    expect((await ledger.entries('incident-1'))[0]?.notes).toEqual(['a note']);
    expect(ledger.all()[0]?.notes).toEqual(['a note']);
  });

  it('leases to one holder at a time, to the same holder again, and to anyone once the lease has run out', async () => {
    const ledger = new MemoryLedger();
    const at = (seconds: number) => new Date(Date.parse('2026-11-28T10:00:00Z') + seconds * 1000);
    expect(await ledger.acquireLease('instance#i-1', 'a', at(120), at(0))).toEqual({ acquired: true });
    expect(await ledger.acquireLease('instance#i-1', 'a', at(130), at(5))).toEqual({ acquired: true });
    expect(await ledger.acquireLease('instance#i-1', 'b', at(200), at(10))).toEqual({
      acquired: false,
      holder: 'a',
    });
    // Still held at the very instant it ends; granted just after.
    expect(await ledger.acquireLease('instance#i-1', 'b', at(200), at(130))).toEqual({
      acquired: false,
      holder: 'a',
    });
    expect(await ledger.acquireLease('instance#i-2', 'b', at(200), at(10))).toEqual({ acquired: true });
    expect(await ledger.acquireLease('instance#i-1', 'b', at(200), new Date(at(130).getTime() + 1))).toEqual({
      acquired: true,
    });
    expect(await ledger.acquireLease('instance#i-1', 'a', at(300), at(140))).toEqual({
      acquired: false,
      holder: 'b',
    });
  });

  it('gives a lease back only for its holder', async () => {
    const ledger = new MemoryLedger();
    const now = new Date('2026-11-28T10:00:00Z');
    const until = new Date('2026-11-28T10:02:00Z');
    await ledger.acquireLease('instance#i-1', 'a', until, now);
    await ledger.releaseLease('instance#i-1', 'b');
    expect(await ledger.acquireLease('instance#i-1', 'b', until, now)).toEqual({
      acquired: false,
      holder: 'a',
    });
    await ledger.releaseLease('instance#i-1', 'a');
    expect(await ledger.acquireLease('instance#i-1', 'b', until, now)).toEqual({ acquired: true });
    await expect(ledger.releaseLease('instance#never-leased', 'a')).resolves.toBeUndefined();
  });
});
