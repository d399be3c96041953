import { describe, expect, it } from 'vitest';
import { lastRelease, recordedRestores } from '../../src/actions/release-records.ts';
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

describe('recordedRestores, each rule', () => {
  const protect = (at: string, instanceId = INSTANCE) =>
    entry(at, { step: 'protect-evidence', restore: { instanceId } });

  it("splits a contain-instance entry into its parts' records, ignoring a part that restores nothing", () => {
    // Prepare
    const contained = entry('2026-11-28T10:00:00.000Z', {
      step: 'contain-instance',
      restore: {
        instanceId: INSTANCE,
        parts: {
          'protect-evidence': { instanceId: INSTANCE },
          'detach-from-autoscaling': {
            instanceId: INSTANCE,
            autoScalingGroupName: 'web',
            lifecycleState: 'InService',
          },
          'isolate-instance': {
            instanceId: INSTANCE,
            networkInterfaces: [{ networkInterfaceId: 'eni-1', vpcId: 'vpc-1', groupIds: ['sg-web'] }],
          },
          'observe-instance': { anything: true },
        },
      },
    });

    // Act
    const restores = recordedRestores([contained], INSTANCE);

    // Assess
    expect(restores).toEqual({
      'protect-evidence': { instanceId: INSTANCE },
      'detach-from-autoscaling': {
        instanceId: INSTANCE,
        autoScalingGroupName: 'web',
        lifecycleState: 'InService',
      },
      'isolate-instance': {
        instanceId: INSTANCE,
        networkInterfaces: [{ networkInterfaceId: 'eni-1', vpcId: 'vpc-1', groupIds: ['sg-web'] }],
      },
    });
  });

  it('refuses, by name, a contain-instance record it cannot read', () => {
    const unreadable = entry('2026-11-28T10:00:00.000Z', {
      step: 'contain-instance',
      restore: { instanceId: INSTANCE, parts: 'none' },
    });
    expect(() => recordedRestores([unreadable], INSTANCE)).toThrow(
      expect.objectContaining({
        name: 'ActionFailedError',
        message: expect.stringMatching(
          /^The ledger's restore record of contain-instance \(2026-11-28T10:00:00\.000Z\) is not readable: parts: /,
        ),
      }),
    );
  });

  it('does not read a contain-instance entry that planned nothing, or recorded no restore', () => {
    const done = entry('2026-11-28T10:00:00.000Z', {
      step: 'contain-instance',
      outcome: 'done',
      restore: { instanceId: INSTANCE, parts: 'not read' },
    });
    const none = entry('2026-11-28T10:00:01.000Z', { step: 'contain-instance' });
    expect(recordedRestores([done, none], INSTANCE)).toEqual({});
  });

  it('refuses, by name, a step record it cannot read, naming the step, the time and the field', () => {
    const unreadable = entry('2026-11-28T10:00:00.000Z', {
      step: 'detach-from-autoscaling',
      restore: { instanceId: INSTANCE, autoScalingGroupName: 'web', lifecycleState: 'Standby' },
    });
    expect(() => recordedRestores([unreadable], INSTANCE)).toThrow(
      expect.objectContaining({
        name: 'ActionFailedError',
        message: expect.stringMatching(
          /^The ledger's restore record of detach-from-autoscaling \(2026-11-28T10:00:00\.000Z\) is not readable: lifecycleState: .+$/,
        ),
      }),
    );
  });

  it('reads only planned, real entries with a restore record, of this instance, of a step that restores', () => {
    const restores = recordedRestores(
      [
        entry('2026-11-28T10:00:00.000Z', {
          step: 'protect-evidence',
          outcome: 'done',
          restore: { instanceId: INSTANCE },
        }),
        entry('2026-11-28T10:00:01.000Z', {
          step: 'protect-evidence',
          dryRun: true,
          restore: { instanceId: INSTANCE },
        }),
        entry('2026-11-28T10:00:02.000Z', { step: 'protect-evidence' }),
        protect('2026-11-28T10:00:03.000Z', 'i-0other000000000000'),
        entry('2026-11-28T10:00:04.000Z', { step: 'notify', restore: { instanceId: INSTANCE } }),
      ],
      INSTANCE,
    );
    expect(restores).toEqual({});
  });

  it('keeps the earliest record of a step, and does not read the later ones (even one it could not read)', () => {
    const restores = recordedRestores(
      [
        protect('2026-11-28T10:00:00.000Z'),
        entry('2026-11-28T10:05:00.000Z', { step: 'protect-evidence', restore: { instanceId: 42 } }),
      ],
      INSTANCE,
    );
    expect(restores).toEqual({ 'protect-evidence': { instanceId: INSTANCE } });
  });

  it("takes a later record of this instance when the earlier one was another instance's", () => {
    const restores = recordedRestores(
      [protect('2026-11-28T10:00:00.000Z', 'i-0other000000000000'), protect('2026-11-28T10:05:00.000Z')],
      INSTANCE,
    );
    expect(restores).toEqual({ 'protect-evidence': { instanceId: INSTANCE } });
  });

  it('merges isolation records ENI by ENI, the earliest record of each ENI winning', () => {
    const first = entry('2026-11-28T10:00:00.000Z', {
      restore: {
        instanceId: INSTANCE,
        networkInterfaces: [{ networkInterfaceId: 'eni-1', vpcId: 'vpc-1', groupIds: ['sg-original'] }],
      },
    });
    const retry = entry('2026-11-28T10:05:00.000Z', {
      restore: {
        instanceId: INSTANCE,
        networkInterfaces: [
          { networkInterfaceId: 'eni-1', vpcId: 'vpc-1', groupIds: ['sg-isolation'] },
          { networkInterfaceId: 'eni-2', vpcId: 'vpc-1', groupIds: ['sg-second'] },
        ],
      },
    });
    const otherInstance = entry('2026-11-28T10:06:00.000Z', {
      restore: {
        instanceId: 'i-0other000000000000',
        networkInterfaces: [{ networkInterfaceId: 'eni-9', vpcId: 'vpc-1', groupIds: ['sg-x'] }],
      },
    });
    expect(recordedRestores([first, retry, otherInstance], INSTANCE)).toEqual({
      'isolate-instance': {
        instanceId: INSTANCE,
        networkInterfaces: [
          { networkInterfaceId: 'eni-1', vpcId: 'vpc-1', groupIds: ['sg-original'] },
          { networkInterfaceId: 'eni-2', vpcId: 'vpc-1', groupIds: ['sg-second'] },
        ],
      },
    });
  });

  it('counts a release that found everything released already', () => {
    const restores = recordedRestores(
      [
        protect('2026-11-28T10:00:00.000Z'),
        released('2026-11-28T11:00:00.000Z', { outcome: 'already-done' }),
      ],
      INSTANCE,
    );
    expect(restores).toEqual({});
  });
});

describe('lastRelease', () => {
  it('is the latest release that went through', () => {
    const first = released('2026-11-28T11:00:00.000Z');
    const second = released('2026-11-28T13:00:00.000Z', { outcome: 'already-done' });
    const entries = [first, second, released('2026-11-28T14:00:00.000Z', { dryRun: true })];
    expect(lastRelease(entries)).toBe(second);
    expect(lastRelease([isolation('2026-11-28T10:00:00.000Z', ['sg-1'])])).toBeUndefined();
    expect(
      lastRelease([entry('2026-11-28T10:00:00.000Z', { step: 'notify', outcome: 'done' })]),
    ).toBeUndefined();
  });
});

describe('recordedRestores, unreadable records', () => {
  it('names every problem of a record, each by its whole path', () => {
    const unreadable = entry('2026-11-28T10:00:00.000Z', {
      restore: {
        instanceId: 7,
        networkInterfaces: [{ networkInterfaceId: 'eni-1', vpcId: 'vpc-1', groupIds: 'sg-1' }],
      },
    });
    expect(() => recordedRestores([unreadable], INSTANCE)).toThrow(
      /is not readable: instanceId: .+; networkInterfaces\.0\.groupIds: .+$/,
    );
  });

  it('names every problem of a contain-instance record', () => {
    const unreadable = entry('2026-11-28T10:00:00.000Z', {
      step: 'contain-instance',
      restore: { parts: 'none' },
    });
    expect(() => recordedRestores([unreadable], INSTANCE)).toThrow(
      /is not readable: instanceId: .+; parts: .+$/,
    );
  });
});
