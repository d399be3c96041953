import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../../../test/support/events.ts';
import { normalizeAlarmStateChange } from '../../src/intake/cloudwatch.ts';
import { makeIncidentId, severityOf } from '../../src/intake/incident.ts';
import type { IntakeResult } from '../../src/intake/result.ts';

// The unit tests of cloudwatch.ts (issue 18), on the real EventBridge "CloudWatch Alarm State Change" event of
// the AWS documentation (shared/events, bundled in packages/cli/events).

type Json = Record<string, unknown>;
const EVENT = 'cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json';
const ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh';
const STATE_TIME = '2019-10-02T17:04:40.989+0000';

function event(change: (event: Json, detail: Json, state: Json) => void = () => undefined): Json {
  const loaded = loadEvent(EVENT);
  const detail = loaded.detail as Json;
  change(loaded, detail, detail.state as Json);
  return loaded;
}

function reasonOf(result: IntakeResult): string {
  if (result.accepted) throw new Error('expected the event to be rejected');
  return result.reason;
}

describe('normalizeAlarmStateChange', () => {
  it('makes one incident of one transition: id from the alarm ARN and state time, the alarm related, the account affected', () => {
    const result = normalizeAlarmStateChange(event());
    expect(result.recognised).toBe('cloudwatch-alarm-state-change');
    if (!result.accepted) throw new Error(result.reason);
    const state = (event().detail as Json).state as Json;
    expect(result.incident).toEqual({
      id: makeIncidentId('cloudwatch', '123456789012', 'us-east-1', `${ARN}@${STATE_TIME}`),
      source: 'cloudwatch',
      account: '123456789012',
      region: 'us-east-1',
      type: 'CloudWatchAlarm/ALARM',
      title: 'Alarm ServerCpuTooHigh is ALARM (was OK)',
      description: state.reason,
      severity: severityOf(5),
      category: 'suspicious-activity',
      resources: [
        { kind: 'cloudwatch-alarm', role: 'related', alarmName: 'ServerCpuTooHigh', alarmArn: ARN },
        { kind: 'account', role: 'affected', accountId: '123456789012' },
      ],
      observedAt: '2019-10-02T17:04:40.989Z',
      sample: false,
      nativeId: `${ARN}@${STATE_TIME}`,
      count: 1,
      updatedAt: '2019-10-02T17:04:40.989Z',
      facts: {
        source: 'cloudwatch',
        alarmName: 'ServerCpuTooHigh',
        state: 'ALARM',
        previousState: 'OK',
        reason: state.reason,
      },
      notes: [],
    });
  });

  it('scores a known CIS alarm by its meaning, and a recovered alarm low', () => {
    const root = normalizeAlarmStateChange(
      event((_, detail) => {
        detail.alarmName = 'RootAccountUsage';
      }),
    );
    expect(root).toMatchObject({
      accepted: true,
      incident: { category: 'root-activity', severity: severityOf(9) },
    });
    const ok = normalizeAlarmStateChange(
      event((_, __, state) => {
        state.value = 'OK';
      }),
    );
    expect(ok).toMatchObject({
      accepted: true,
      incident: { severity: severityOf(1), type: 'CloudWatchAlarm/OK' },
    });
  });

  it('builds the alarm ARN when the event lists none (or no ARN), and leaves "was" out without a previous state', () => {
    const bare = normalizeAlarmStateChange(
      event((loaded, detail) => {
        loaded.resources = ['not-an-arn'];
        delete detail.previousState;
      }),
    );
    expect(bare).toMatchObject({
      accepted: true,
      incident: {
        title: 'Alarm ServerCpuTooHigh is ALARM',
        resources: [{ alarmArn: ARN }, { kind: 'account' }],
        facts: { previousState: undefined },
      },
    });
    const none = normalizeAlarmStateChange(event((loaded) => void delete loaded.resources));
    expect(none).toMatchObject({
      accepted: true,
      incident: { resources: [{ alarmArn: ARN }, { kind: 'account' }] },
    });
    const other = normalizeAlarmStateChange(
      event((loaded) => {
        loaded.resources = ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Renamed'];
      }),
    );
    expect(other).toMatchObject({
      incident: { resources: [{ alarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Renamed' }, {}] },
    });
  });

  it('names every missing field, by its path, when it rejects an event', () => {
    const result = normalizeAlarmStateChange(
      event((loaded, detail) => {
        delete loaded.account;
        delete (detail.state as Json).timestamp;
      }),
    );
    expect(result).toMatchObject({ accepted: false, recognised: 'cloudwatch-alarm-state-change' });
    expect(reasonOf(result)).toMatch(
      /^The CloudWatch Alarm State Change event is missing required fields: account: [^;]+; detail\.state\.timestamp: [^;]+\.$/,
    );
  });

  it('rejects a state time that is not a time, quoting it', () => {
    const result = normalizeAlarmStateChange(
      event((_, __, state) => {
        state.timestamp = 'yesterday';
      }),
    );
    expect(result).toEqual({
      accepted: false,
      recognised: 'cloudwatch-alarm-state-change',
      reason: 'The alarm state timestamp "yesterday" is not a time.',
    });
  });

  it('rejects an account that is not an account id, naming the field', () => {
    // Act
    const result = normalizeAlarmStateChange(
      event((loaded) => {
        loaded.account = 'me';
      }),
    );

    // Assess
    expect(result).toEqual({
      accepted: false,
      recognised: 'cloudwatch-alarm-state-change',
      reason: 'account "me" is not an AWS account id: account ids are exactly 12 digits.',
    });
  });

  it('notes a known alarm read by another of its names, and not one under its own name', () => {
    // Act
    const own = normalizeAlarmStateChange(
      event((_, detail) => {
        detail.alarmName = 'RootAccountUsage';
      }),
    );
    const other = normalizeAlarmStateChange(
      event((_, detail) => {
        detail.alarmName = 'CIS-1.7-RootUsage';
      }),
    );

    // Assess
    expect(own).toMatchObject({ accepted: true, incident: { notes: [] } });
    expect(other).toMatchObject({
      accepted: true,
      incident: {
        notes: [
          'Alarm CIS-1.7-RootUsage is read as Cordon\'s RootAccountUsage detection by its name (docs/intake.md, "Alarm names").',
        ],
      },
    });
  });
});
