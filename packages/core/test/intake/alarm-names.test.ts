import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DETECTION_ALARM_NAMES } from '../../src/detections/alarms.ts';
import {
  alarmMapping,
  alarmNameWords,
  KNOWN_ALARMS,
  knownAlarmOf,
  sameAlarm,
} from '../../src/intake/alarm-names.ts';

describe('alarmNameWords', () => {
  it.each([
    ['RootAccountUsage', ['root', 'account', 'usage']],
    ['CIS-1.7-RootAccountUsage', ['root', 'account', 'usage']],
    ['CIS1.7RootAccountUsage', ['root', 'account', 'usage']],
    ['cis_3_1_unauthorized_api_calls_alarm', ['unauthorized', 'api', 'calls']],
    ['UnauthorizedAPICalls', ['unauthorized', 'api', 'calls']],
    ['root_usage_alarm', ['root', 'usage']],
    ['Alarm-RootUsage', ['root', 'usage']],
    ['Http5xxErrors', ['http', '5', 'xx', 'errors']],
    ['prod-3-api-alarm', ['prod', '3', 'api']],
    ['CIS-3.1', []],
    ['alarm', []],
  ])('reads %s as %j', (name, words) => {
    expect(alarmNameWords(name)).toEqual(words);
  });

  it('drops control numbers only after a leading cis, and alarm/alert only at the ends', () => {
    expect(alarmNameWords('api-3-1-calls')).toEqual(['api', '3', '1', 'calls']);
    expect(alarmNameWords('alarm-alert-count-alarm')).toEqual(['count']);
    expect(alarmNameWords('false-alarm-rate')).toEqual(['false', 'alarm', 'rate']);
  });

  it('never throws and reads at most the 255 characters CloudWatch allows', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (name) => {
        const words = alarmNameWords(name);
        expect(words.every((word) => /^[a-z0-9]+$/.test(word))).toBe(true);
      }),
    );
    expect(alarmNameWords(`${'a'.repeat(255)}Extra`)).toEqual(['a'.repeat(255)]);
  });
});

describe('known alarms', () => {
  it("are Cordon's detections, each by its own name", () => {
    expect(KNOWN_ALARMS.map((alarm) => alarm.name).sort()).toEqual([...DETECTION_ALARM_NAMES].sort());
    for (const alarm of KNOWN_ALARMS) expect(knownAlarmOf(alarm.name)?.name).toBe(alarm.name);
  });

  it('give each alias to one detection only (no name stands for two)', () => {
    const seen = new Map<string, string>();
    for (const alarm of KNOWN_ALARMS) {
      for (const name of [alarm.name, ...alarm.aliases]) {
        const words = alarmNameWords(name).join(' ');
        expect(seen.get(words) ?? alarm.name, name).toBe(alarm.name);
        seen.set(words, alarm.name);
      }
    }
  });

  it.each([
    ['root_usage_alarm', 'RootAccountUsage'],
    ['CIS-3.3-RootActivity', 'RootAccountUsage'],
    ['cis-3.6-console-signin-failures', 'FailedConsoleLogins'],
    ['ConsoleSignInFailuresAlarm', 'FailedConsoleLogins'],
    ['Unauthorised-API-Calls', 'UnauthorizedAPICalls'],
  ])('reads %s as %s', (name, known) => {
    expect(knownAlarmOf(name)?.name).toBe(known);
  });

  it.each(['RootVolumeUsage', 'RootAccountUsageCount', 'ServerCpuTooHigh', 'constructor', '__proto__', ''])(
    'reads %j as no detection',
    (name) => {
      expect(knownAlarmOf(name)).toBeUndefined();
    },
  );
});

describe('sameAlarm', () => {
  it('is reflexive and symmetric', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        expect(sameAlarm(a, a)).toBe(true);
        expect(sameAlarm(a, b)).toBe(sameAlarm(b, a));
      }),
    );
  });

  it('never joins names whose meaningful words differ', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{2,8}$/), { minLength: 1, maxLength: 4 }),
        fc.stringMatching(/^[a-z]{2,8}$/),
        (words, extra) => {
          const name = words.join('-');
          const other = [...words, extra].join('-');
          // Unless the extra word is decoration at the end.
          fc.pre(extra !== 'alarm' && extra !== 'alert');
          // Two different names of one detection are the only exception.
          fc.pre(knownAlarmOf(name) === undefined || knownAlarmOf(name) !== knownAlarmOf(other));
          expect(sameAlarm(name, other)).toBe(false);
        },
      ),
    );
  });
});

describe('alarmMapping', () => {
  it('returns the exact key first', () => {
    expect(alarmMapping('RootAccountUsage', { RootAccountUsage: 'a', 'root-account-usage': 'b' })).toEqual({
      key: 'RootAccountUsage',
      value: 'a',
      match: 'exact',
      others: [],
    });
  });

  it('otherwise the first key in sort order that stands for the same alarm, whatever the order written', () => {
    const one = alarmMapping('CIS-1.7-RootAccountUsage', { root_usage: 'b', RootAccountUsage: 'a' });
    const two = alarmMapping('CIS-1.7-RootAccountUsage', { RootAccountUsage: 'a', root_usage: 'b' });
    expect(one).toEqual({ key: 'RootAccountUsage', value: 'a', match: 'by-name', others: ['root_usage'] });
    expect(two).toEqual(one);
  });

  it('finds nothing for an alarm no key stands for, and reads own keys only', () => {
    expect(alarmMapping('ServerCpuTooHigh', { RootAccountUsage: 'a' })).toBeUndefined();
    expect(alarmMapping('toString', {})).toBeUndefined();
    expect(alarmMapping('constructor', { constructor: 'x' })).toMatchObject({ value: 'x', match: 'exact' });
  });

  it('matches an all-decoration name only exactly', () => {
    expect(alarmMapping('CIS-3.1', { 'cis-3.1': 'a', alarm: 'b' })).toBeUndefined();
    expect(alarmMapping('CIS-3.1', { 'CIS-3.1': 'a' })).toMatchObject({ value: 'a', match: 'exact' });
  });
});

describe('sameAlarm joins what the rule joins', () => {
  it('names with equal words, and two names of one detection', () => {
    // Act / Assess
    expect(sameAlarm('CIS-3.1-UnauthorizedAPICalls', 'unauthorized_api_calls')).toBe(true);
    expect(sameAlarm('root_usage_alarm', 'CIS-1.7-RootAccountUsage')).toBe(true);
    expect(sameAlarm('Http5xxErrors', 'http-5xx-errors-alarm')).toBe(true);
  });

  it('drops a CIS control number of two digits (CIS 4.10, Security Hub CloudWatch.10)', () => {
    // Act / Assess
    expect(alarmNameWords('CIS-4.10-SecurityGroupChanges')).toEqual(['security', 'group', 'changes']);
    expect(knownAlarmOf('CIS-4.10-SecurityGroupChanges')?.name).toBe('SecurityGroupChanges');
  });
});
