import { describe, expect, it } from 'vitest';
import { recordedRestores } from '../../src/actions/release-records.ts';
import type { LedgerEntry } from '../../src/ledger/ledger.ts';

const INSTANCE = 'i-0abc1234def567890';

function entry(at: string, fields: Partial<LedgerEntry>): LedgerEntry {
  return {
    incidentId: 'incident-1',
    step: 'isolate-instance',
    at,
    outcome: 'planned',
    dryRun: false,
    settingsVersion: 'v1',
    input: {},
    changes: [],
    notes: [],
    ...fields,
  };
}

function isolation(at: string, groupIds: string[]): LedgerEntry {
  return entry(at, {
    restore: {
      instanceId: INSTANCE,
      networkInterfaces: [{ networkInterfaceId: 'eni-1', vpcId: 'vpc-1', groupIds }],
    },
  });
}

const released = (at: string, fields: Partial<LedgerEntry> = {}) =>
  entry(at, { step: 'release-instance', outcome: 'done', ...fields });

describe('recordedRestores', () => {
  it("reads a containment after a release from its own records, not the first generation's", () => {
    const restores = recordedRestores(
      [
        isolation('2026-11-28T10:00:00.000Z', ['sg-before-first']),
        released('2026-11-28T12:00:00.000Z'),
        isolation('2026-11-28T18:00:00.000Z', ['sg-before-second']),
      ],
      INSTANCE,
    );
    expect(restores['isolate-instance']?.networkInterfaces[0]?.groupIds).toEqual(['sg-before-second']);
  });

  it('keeps the earliest record of a generation, and ignores releases that were dry runs or failed', () => {
    const restores = recordedRestores(
      [
        isolation('2026-11-28T10:00:00.000Z', ['sg-original']),
        released('2026-11-28T11:00:00.000Z', { dryRun: true }),
        released('2026-11-28T11:30:00.000Z', { outcome: 'failed' }),
        isolation('2026-11-28T12:00:00.000Z', ['sg-isolation']),
      ],
      INSTANCE,
    );
    expect(restores['isolate-instance']?.networkInterfaces[0]?.groupIds).toEqual(['sg-original']);
  });

  it('has nothing to restore once everything was released', () => {
    const restores = recordedRestores(
      [isolation('2026-11-28T10:00:00.000Z', ['sg-original']), released('2026-11-28T12:00:00.000Z')],
      INSTANCE,
    );
    expect(restores).toEqual({});
  });
});
