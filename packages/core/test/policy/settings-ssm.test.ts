import { describe, expect, it } from 'vitest';
import { SettingsStageInvalidError } from '../../src/errors.ts';
import { SEVERITY_LABELS } from '../../src/intake/incident.ts';
import {
  DEFAULT_SETTINGS,
  parseSettings,
  SETTINGS_PARAMETERS,
  type SettingsParameter,
  settingSchemaAt,
  settingsFromParameters,
  settingsPath,
  stagePath,
  valueAt,
} from '../../src/policy/settings.ts';
import * as z from '../../src/zod.ts';

function reasonOf(input: unknown): string {
  const result = parseSettings(input);
  return result.ok ? '' : result.reason;
}

/** The SSM string a parameter would hold for `value`, the way an operator would write it. */
function ssmValue(parameter: SettingsParameter, value: unknown): string {
  if (parameter.type === 'json') return JSON.stringify(value);
  if (parameter.type === 'string-list' && Array.isArray(value)) return value.join(',');
  return String(value);
}

describe('SETTINGS_PARAMETERS', () => {
  it('names each parameter once, in kebab-case nested with slashes', () => {
    // Prepare
    const names = SETTINGS_PARAMETERS.map((parameter) => parameter.name);

    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*(\/[a-z0-9]+(-[a-z0-9]+)*)*$/);
  });

  it('covers every setting of the schema exactly once, each with a description', () => {
    // Prepare
    const parameterPaths = new Set(SETTINGS_PARAMETERS.map((parameter) => parameter.path.join('.')));
    const uncovered: string[] = [];
    function walk(path: string[]): void {
      if (parameterPaths.has(path.join('.'))) return;
      const schema = settingSchemaAt(path);
      let inner = schema;
      while (
        inner instanceof z.ZodMiniDefault ||
        inner instanceof z.ZodMiniPrefault ||
        inner instanceof z.ZodMiniOptional
      ) {
        inner = inner.def.innerType;
      }
      if (!(inner instanceof z.ZodMiniObject)) {
        uncovered.push(path.join('.'));
        return;
      }
      for (const key of Object.keys(inner.shape)) walk([...path, key]);
    }

    // Act
    walk([]);

    // Assess
    expect(uncovered).toEqual([]);
    for (const parameter of SETTINGS_PARAMETERS) {
      expect(settingSchemaAt(parameter.path), parameter.name).toBeDefined();
      expect(parameter.description, parameter.name).not.toBe('');
    }
  });

  it('documents the defaults of DEFAULT_SETTINGS', () => {
    expect(SETTINGS_PARAMETERS.find((parameter) => parameter.name === 'severity/auto-remediate-at')).toEqual({
      name: 'severity/auto-remediate-at',
      path: ['severity', 'autoRemediateAt'],
      type: 'number',
      default: 7,
      description: expect.stringContaining('automatically'),
    });
    expect(SETTINGS_PARAMETERS.find((parameter) => parameter.name === 'responder/external-id')?.default).toBe(
      undefined,
    );
  });

  it('keys the approval timeout defaults by the severity labels of intake', () => {
    expect(Object.keys(DEFAULT_SETTINGS.approval.timeoutDefault).sort()).toEqual([...SEVERITY_LABELS].sort());
  });
});

describe('settingsFromParameters', () => {
  it('turns parameter values into the nested settings object, parsing numbers, booleans and JSON', () => {
    // Act
    const result = settingsFromParameters({
      mode: 'dry-run',
      'severity/auto-remediate-at': '8.5',
      'severity/approval-at': '5',
      'include-sample-findings': 'true',
      'break-glass-principals': '["alice","arn:aws:iam::123456789012:role/BreakGlass"]',
      'approval/approvers/slack-user-ids': '["U123"]',
      'responder/external-id': 'org-7f3a',
    });

    // Assess
    expect(result).toEqual({
      raw: {
        mode: 'dry-run',
        severity: { autoRemediateAt: 8.5, approvalAt: 5 },
        includeSampleFindings: true,
        breakGlassPrincipals: ['alice', 'arn:aws:iam::123456789012:role/BreakGlass'],
        approval: { approvers: { slackUserIds: ['U123'] } },
        responder: { externalId: 'org-7f3a' },
      },
      errors: [],
    });
  });

  it('gives back DEFAULT_SETTINGS when every parameter holds its documented default', () => {
    // Prepare
    const values: Record<string, string> = {};
    for (const parameter of SETTINGS_PARAMETERS) {
      if (parameter.default !== undefined) values[parameter.name] = ssmValue(parameter, parameter.default);
    }

    // Act
    const { raw, errors } = settingsFromParameters(values);

    // Assess
    expect(errors).toEqual([]);
    expect(parseSettings(raw)).toEqual({
      ok: true,
      settings: DEFAULT_SETTINGS,
      version: parseSettings({}).version,
    });
  });

  it.each([
    [
      'a number parameter holding a word',
      { 'severity/auto-remediate-at': 'abc' },
      'severity/auto-remediate-at: "abc" is not a number',
    ],
    [
      'a number parameter with spaces',
      { 'ledger-retention-days': ' 30' },
      'ledger-retention-days: " 30" is not a number',
    ],
    [
      'a number parameter in exponent notation',
      { 'approval/timeout-seconds': '1e3' },
      'approval/timeout-seconds: "1e3" is not a number',
    ],
    [
      'a boolean parameter holding yes',
      { 'include-sample-findings': 'yes' },
      `include-sample-findings: "yes" is not 'true' or 'false'`,
    ],
    [
      'a boolean parameter in capitals',
      { 'include-sample-findings': 'TRUE' },
      `include-sample-findings: "TRUE" is not 'true' or 'false'`,
    ],
    [
      'a JSON parameter that is not JSON',
      { 'alarm-playbooks': '{RootAccountUsage: root-activity}' },
      'alarm-playbooks: not valid JSON',
    ],
    [
      'a parameter Cordon does not know',
      { 'severity/auto-remediate': '8' },
      'severity/auto-remediate: unknown settings parameter',
    ],
  ])('reports %s, naming the parameter', (_case, values, expected) => {
    // Act
    const { errors } = settingsFromParameters(values);

    // Assess
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
  });

  it('reports every bad parameter and keeps the good ones', () => {
    // Act
    const result = settingsFromParameters({ mode: 'enforce', 'ledger-retention-days': 'x', typo: '1' });

    // Assess
    expect(result.raw).toEqual({ mode: 'enforce' });
    expect(result.errors).toEqual([
      'ledger-retention-days: "x" is not a number',
      'typo: unknown settings parameter',
    ]);
  });

  it('leaves the schema to judge a readable but invalid value', () => {
    // Act
    const { raw, errors } = settingsFromParameters({ 'severity/auto-remediate-at': '42' });

    // Assess
    expect(errors).toEqual([]);
    expect(reasonOf(raw)).toBe('severity.autoRemediateAt: must be between 0 and 10');
  });
});

describe('settingsPath', () => {
  it('puts a stage under /cordon/<stage>/settings/', () => {
    expect(settingsPath('prod')).toBe('/cordon/prod/settings/');
    expect(settingsPath('pr-42_eu')).toBe('/cordon/pr-42_eu/settings/');
  });

  it.each([[''], ['prod/x'], ['../prod'], ['prod '], ['prød']])(
    'rejects the stage %j with a named error',
    (stage) => {
      expect(() => settingsPath(stage)).toThrow(SettingsStageInvalidError);
    },
  );
});

describe('settingsFromParameters, each rule', () => {
  it.each([
    ['-3', -3],
    ['0', 0],
    ['10.25', 10.25],
  ])('reads the number %j as %j', (text, value) => {
    expect(settingsFromParameters({ 'severity/approval-at': text })).toEqual({
      raw: { severity: { approvalAt: value } },
      errors: [],
    });
  });

  it.each(['', '1.', '.5', 'x1', '1x', '+1', '1 ', '1.5.2'])(
    'refuses the number %j, naming the parameter',
    (text) => {
      expect(settingsFromParameters({ 'severity/approval-at': text }).errors).toEqual([
        `severity/approval-at: ${JSON.stringify(text)} is not a number`,
      ]);
    },
  );

  it('reads false as false, and a string as it is', () => {
    expect(
      settingsFromParameters({ 'include-sample-findings': 'false', 'responder/role-name': ' Ir ' }).raw,
    ).toEqual({
      includeSampleFindings: false,
      responder: { roleName: ' Ir ' },
    });
  });

  it('names a JSON parameter that is not JSON with the parser’s reason', () => {
    expect(settingsFromParameters({ 'own-principals': '[' }).errors).toEqual([
      expect.stringMatching(/^own-principals: not valid JSON \(.+\)$/),
    ]);
  });

  it('reports the parameters in name order, whatever order they came in', () => {
    expect(settingsFromParameters({ typo: '1', 'ledger-retention-days': 'x', 'a-typo': '2' }).errors).toEqual(
      [
        'a-typo: unknown settings parameter',
        'ledger-retention-days: "x" is not a number',
        'typo: unknown settings parameter',
      ],
    );
  });

  it('skips a parameter that has no value', () => {
    expect(
      settingsFromParameters({ mode: undefined as unknown as string, 'severity/approval-at': '5' }),
    ).toEqual({
      raw: { severity: { approvalAt: 5 } },
      errors: [],
    });
  });

  it('nests parameters that share a parent in one object, three levels deep', () => {
    expect(
      settingsFromParameters({
        'approval/approvers/slack-user-ids': '["U1"]',
        'approval/approvers/identities': '["a@example.com"]',
        'approval/timeout-seconds': '60',
      }).raw,
    ).toEqual({
      approval: { timeoutSeconds: 60, approvers: { slackUserIds: ['U1'], identities: ['a@example.com'] } },
    });
  });
});

describe('valueAt', () => {
  it('reads own keys along a path, and nothing through a non-object or a prototype', () => {
    expect(valueAt({ severity: { approvalAt: 4 } }, ['severity', 'approvalAt'])).toBe(4);
    expect(valueAt({ severity: { approvalAt: 4 } }, [])).toEqual({ severity: { approvalAt: 4 } });
    expect(valueAt({ severity: 4 }, ['severity', 'approvalAt'])).toBeUndefined();
    expect(valueAt({ severity: null }, ['severity', 'approvalAt'])).toBeUndefined();
    expect(valueAt(null, ['severity'])).toBeUndefined();
    expect(valueAt({}, ['__proto__'])).toBeUndefined();
    expect(valueAt({}, ['toString'])).toBeUndefined();
  });
});

describe('stagePath', () => {
  it('is /cordon/<stage>/, for a stage of letters, digits, - and _', () => {
    expect(stagePath('Prod_2-eu')).toBe('/cordon/Prod_2-eu/');
  });

  it('names the stage it refuses and what a stage may hold', () => {
    expect(() => stagePath('prod/x')).toThrow(
      expect.objectContaining({
        name: 'SettingsStageInvalidError',
        message: `stage "prod/x" is not a valid settings stage: use letters, digits, '-' and '_'`,
      }),
    );
    expect(() => stagePath('/prod')).toThrow(SettingsStageInvalidError);
  });
});
