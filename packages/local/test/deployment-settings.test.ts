import { SETTINGS_PARAMETERS, settingsFromParameters } from '@cordon/core/policy/settings';
import { describe, expect, it } from 'vitest';
import { settingsParameterValues } from '../src/deployment-settings.ts';
import { LocalSettingsInvalidError } from '../src/errors.ts';

describe('settingsParameterValues', () => {
  it('writes every parameter infra creates with its default, and the given settings over them', () => {
    const values = settingsParameterValues({ mode: 'dry-run', severity: { autoRemediateAt: 9 } });

    const created = SETTINGS_PARAMETERS.filter((parameter) => parameter.default !== undefined);
    expect(Object.keys(values).sort()).toEqual(created.map((parameter) => parameter.name).sort());
    expect(values.mode).toBe('dry-run');
    expect(values['severity/auto-remediate-at']).toBe('9');
    expect(values['severity/approval-at']).toBe(
      String(created.find((p) => p.name === 'severity/approval-at')?.default),
    );
  });

  it('is read back by the settings layout into the same settings', () => {
    const settings = {
      includeSampleFindings: true,
      alarmPlaybooks: { ServerCpuTooHigh: 'notify-only' },
      approval: { slackChannel: 'C0123', approvers: { slackUserIds: ['U1'] } },
      blastRadius: { maxContainmentsPerAccountPerHour: 0 },
    };

    const { raw, errors } = settingsFromParameters(settingsParameterValues(settings));

    expect(errors).toEqual([]);
    expect(raw).toMatchObject(settings);
  });

  it('keeps a value of the wrong type recognisably wrong, so that the loader refuses it by name', () => {
    const values = settingsParameterValues({
      severity: { autoRemediateAt: '8' },
      includeSampleFindings: 'yes',
    });

    expect(values['severity/auto-remediate-at']).toBe('"8"');
    expect(settingsFromParameters(values).errors).toEqual([
      'include-sample-findings: "\\"yes\\"" is not \'true\' or \'false\'',
      'severity/auto-remediate-at: "\\"8\\"" is not a number',
    ]);
  });

  it('writes a setting the layout does not know under its own name, for the loader to refuse', () => {
    const values = settingsParameterValues({ dryRunEverything: true });

    expect(values['dry-run-everything']).toBe('true');
    expect(settingsFromParameters(values).errors).toEqual(['dry-run-everything: unknown settings parameter']);
  });

  it.each([
    ['an array', []],
    ['a string', 'dry-run'],
    ['null', null],
  ])('refuses settings that are %s, by name', (_label, settings) => {
    expect(() => settingsParameterValues(settings)).toThrow(LocalSettingsInvalidError);
  });

  it('refuses a value SSM cannot hold (empty, or over 4,096 characters), naming the parameter', () => {
    expect(() => settingsParameterValues({ approval: { slackChannel: '' } })).toThrow(
      /approval\/slack-channel/,
    );
    expect(() => settingsParameterValues({ breakGlassPrincipals: ['x'.repeat(5000)] })).toThrow(
      /break-glass-principals.*4096/,
    );
  });
});
