import { readFile } from 'node:fs/promises';
import { DETECTION_ALARM_NAMES } from '@cordon/core/detections/alarms';
import { describe, expect, it } from 'vitest';
import { operationsDayStart, STAGE, writeOnce } from '../scripts/operations-day.ts';
import { detectionsFileProblems, verdicts } from '../src/commands/detections.ts';
import { PUSHED_BY_TAG } from '../src/commands/parameters.ts';

const PATH = '/cordon/local/detections/';

/** The local deployment holds the thresholds with their defaults, as infra creates them; the day sets its own. */
async function dayWithThresholds() {
  const day = await operationsDayStart();
  for (const alarm of DETECTION_ALARM_NAMES) {
    day.sandbox.ssm.putParameter({ name: `${PATH}${alarm}/threshold`, value: '1' });
    day.sandbox.ssm.putParameter({ name: `${PATH}${alarm}/evaluation-periods`, value: '1' });
    day.sandbox.ssm.putParameter({ name: `${PATH}${alarm}/period-seconds`, value: '300' });
  }
  return day;
}

describe('the thresholds file, as threshold-sync checks it', () => {
  it('names an unknown alarm, an unknown value, a wrong type and threshold-sync’s own refusals', () => {
    expect(
      detectionsFileProblems({
        RootUsage: {},
        RootAccountUsage: { threshold: '2' },
        UnauthorizedAPICalls: { thresold: 1 },
        FailedConsoleLogins: { periodSeconds: 90, evaluationPeriods: 0 },
      }),
    ).toEqual([
      `RootUsage: unknown alarm (Cordon's detections: ${DETECTION_ALARM_NAMES.join(', ')})`,
      'RootAccountUsage.threshold: must be a number, got string',
      'UnauthorizedAPICalls.thresold: unknown value (threshold, evaluationPeriods, periodSeconds)',
      'FailedConsoleLogins/evaluation-periods: must be at least 1',
      'FailedConsoleLogins/period-seconds: 90 is not a multiple of 60 seconds (60, 120, 300…)',
    ]);
  });

  it('refuses periods over a day in total, and a negative threshold', () => {
    expect(
      detectionsFileProblems({
        RootAccountUsage: { periodSeconds: 3600, evaluationPeriods: 25, threshold: -1 },
      }),
    ).toEqual([
      'RootAccountUsage/threshold: "-1" is not a number ≥ 0',
      'RootAccountUsage: period-seconds × evaluation-periods is 90000 s, more than one day (86400 s)',
    ]);
  });

  it('reads SSM as threshold-sync does: missing values are the defaults, an unknown parameter rejects the alarm', () => {
    const { alarms, strays } = verdicts({
      'RootAccountUsage/threshold': '3',
      'FailedConsoleLogins/treshold': '2',
      stray: 'x',
    });

    expect(alarms.slice(0, 3)).toEqual([
      {
        alarm: 'RootAccountUsage',
        ok: true,
        values: { threshold: 3, evaluationPeriods: 1, periodSeconds: 300 },
      },
      {
        alarm: 'UnauthorizedAPICalls',
        ok: true,
        values: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
      },
      {
        alarm: 'FailedConsoleLogins',
        ok: false,
        problems: [
          'FailedConsoleLogins/treshold: unknown parameter (expected threshold, evaluation-periods, period-seconds)',
        ],
      },
    ]);
    // Every other detection, with no parameter at all, takes its defaults.
    expect(alarms.slice(3)).toEqual(
      DETECTION_ALARM_NAMES.slice(3).map((alarm) => ({
        alarm,
        ok: true,
        values: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
      })),
    );
    expect(strays).toEqual(['stray']);
  });
});

describe('cordon detections', () => {
  it('check: valid (exit 0), invalid with each problem (exit 1)', async () => {
    const day = await operationsDayStart();

    const valid = await day.run('cordon-operator', [
      'detections',
      'check',
      writeOnce('t.json', { RootAccountUsage: { threshold: 2 } }),
    ]);
    const invalid = await day.run('cordon-operator', [
      'detections',
      'check',
      writeOnce('u.json', { RootAccountUsage: { periodSeconds: 30 } }),
    ]);

    expect(valid).toMatchObject({
      code: 0,
      out: [expect.stringMatching(/valid alarm thresholds \(RootAccountUsage\)/)],
    });
    expect(invalid.code).toBe(1);
    expect(invalid.out).toContain(
      '  - RootAccountUsage/period-seconds: 30 is not a multiple of 60 seconds (60, 120, 300…)',
    );
  });

  it('pull: each alarm’s values and whether threshold-sync applies them; --out writes a file push takes back unchanged', async () => {
    const day = await dayWithThresholds();
    day.sandbox.ssm.putParameter({ name: `${PATH}FailedConsoleLogins/period-seconds`, value: '90' });
    const out = writeOnce('thresholds.json', {});

    const pulled = await day.run('cordon-operator', ['detections', 'pull', '--stage', STAGE]);
    const refusedOut = await day.run('cordon-operator', [
      'detections',
      'pull',
      '--stage',
      STAGE,
      '--out',
      out,
    ]);
    day.sandbox.ssm.putParameter({ name: `${PATH}FailedConsoleLogins/period-seconds`, value: '60' });
    await day.run('cordon-operator', ['detections', 'pull', '--stage', STAGE, '--out', out]);
    const again = await day.run('cordon-settings-admin', [
      'detections',
      'push',
      '--stage',
      STAGE,
      out,
      '--yes',
    ]);

    expect(pulled.out.join('\n')).toMatch(
      /RootAccountUsage\s+1\s+1\s+300\s+valid: threshold-sync applies it/,
    );
    expect(pulled.out.join('\n')).toMatch(
      /FailedConsoleLogins\s+-\s+-\s+-\s+REJECTED: FailedConsoleLogins\/period-seconds: 90 is not a multiple/,
    );
    expect(refusedOut.code).toBe(1);
    expect(JSON.parse(await readFile(out, 'utf8')).FailedConsoleLogins).toEqual({
      threshold: 1,
      evaluationPeriods: 1,
      periodSeconds: 60,
    });
    expect(again.out).toEqual([expect.stringMatching(/^Nothing to push/)]);
  });

  it('push: writes only what changes, tagged with who pushed; an invalid result is refused with nothing written', async () => {
    const day = await dayWithThresholds();
    const before = day.sandbox.ssm.snapshot();

    const refused = await day.run('cordon-settings-admin', [
      'detections',
      'push',
      '--stage',
      STAGE,
      writeOnce('bad.json', { RootAccountUsage: { periodSeconds: 3600, evaluationPeriods: 48 } }),
      '--yes',
    ]);
    const unchanged = day.sandbox.ssm.snapshot();
    const pushed = await day.run('cordon-settings-admin', [
      'detections',
      'push',
      '--stage',
      STAGE,
      writeOnce('good.json', { RootAccountUsage: { threshold: 2, periodSeconds: 300 } }),
      '--yes',
    ]);

    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      '  - RootAccountUsage: period-seconds × evaluation-periods is 172800 s, more than one day (86400 s)',
    );
    expect(unchanged).toEqual(before);
    expect(pushed.code, pushed.err.join('\n')).toBe(0);
    expect(pushed.out).toContain('  ~ RootAccountUsage/threshold: "1" → "2"');
    const after = day.sandbox.ssm.snapshot().parameters;
    expect(after[`${PATH}RootAccountUsage/threshold`]).toMatchObject({
      value: '2',
      tags: { [PUSHED_BY_TAG]: expect.stringContaining('cordon-settings-admin') },
    });
    expect(after[`${PATH}RootAccountUsage/period-seconds`]).toEqual(
      before.parameters[`${PATH}RootAccountUsage/period-seconds`],
    );
  });

  it('names a stage with no thresholds (StageNotFoundError)', async () => {
    const day = await operationsDayStart();
    // A stage deployed before the thresholds existed: its detection parameters are not there.
    const names = Object.keys(day.sandbox.ssm.snapshot().parameters).filter((name) => name.startsWith(PATH));
    for (let index = 0; index < names.length; index += 10)
      await day.sandbox.account.dispatch('SSM', 'DeleteParameters', {
        Names: names.slice(index, index + 10),
      });

    const result = await day.run('cordon-operator', ['detections', 'pull', '--stage', STAGE]);

    expect(names.length).toBeGreaterThan(0);
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/StageNotFoundError: .*no parameter under \/cordon\/local\/detections\//);
  });

  it('a local deployment holds every threshold with its default, as infra creates them', async () => {
    const day = await operationsDayStart();

    const result = await day.run('cordon-operator', ['detections', 'pull', '--stage', STAGE, '--json']);

    expect(result.code).toBe(0);
    const pulled = JSON.parse(result.out.join('\n')) as {
      alarms: { alarm: string; ok: boolean; values: unknown }[];
    };
    expect(pulled.alarms.map((verdict) => verdict.alarm).sort()).toEqual([...DETECTION_ALARM_NAMES].sort());
    expect(pulled.alarms.find((verdict) => verdict.alarm === 'RootAccountUsage')).toMatchObject({
      ok: true,
      values: { threshold: 1, evaluationPeriods: 1, periodSeconds: 300 },
    });
  });
});
