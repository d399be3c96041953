import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SettingsStageInvalidError } from '../../src/errors.ts';
import { SEVERITY_LABELS } from '../../src/intake/incident.ts';
import { PLAYBOOK_IDS } from '../../src/playbooks/ids.ts';
import {
  DEFAULT_SETTINGS,
  FAIL_CLOSED_MODE,
  failClosedSettings,
  parseSettings,
  parseSettingsJson,
  SETTINGS_MODES,
  SETTINGS_PARAMETERS,
  type SettingsParameter,
  SettingsSchema,
  settingSchemaAt,
  settingsFromParameters,
  settingsPath,
  settingsVersion,
} from '../../src/policy/settings.ts';
import * as z from '../../src/zod.ts';

const FAIL_CLOSED_SETTINGS = { ...structuredClone(DEFAULT_SETTINGS), mode: 'notify-only' };

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

describe('DEFAULT_SETTINGS', () => {
  it('are what an empty object parses to, as documented', () => {
    // Act
    const result = parseSettings({});

    // Assess
    expect(result).toEqual({
      ok: true,
      settings: DEFAULT_SETTINGS,
      version: settingsVersion(DEFAULT_SETTINGS),
    });
    expect(DEFAULT_SETTINGS).toEqual({
      mode: 'enforce',
      severity: { autoRemediateAt: 7, approvalAt: 4, ignoreBelow: 0 },
      includeSampleFindings: false,
      exemptionTag: { key: 'cordon:exempt', value: 'true' },
      breakGlassPrincipals: [],
      ownPrincipals: ['cordon-*', 'CordonResponder*'],
      blastRadius: { maxContainmentsPerAccountPerHour: 5 },
      approval: {
        timeoutSeconds: 3600,
        timeoutDefault: { low: 'reject', medium: 'reject', high: 'approve', critical: 'approve' },
        approvers: { slackUserIds: [], slackUserGroupIds: [], identities: [] },
      },
      alarmPlaybooks: {
        RootAccountUsage: 'root-activity',
        UnauthorizedAPICalls: 'notify-only',
        FailedConsoleLogins: 'notify-only',
      },
      configRulePlaybooks: {
        'access-keys-rotated': { playbook: 'stale-credentials', approval: 'required' },
        'iam-user-unused-credentials-check': { playbook: 'stale-credentials', approval: 'required' },
      },
      instanceProfileQuarantine: 'disassociate',
      responder: { roleName: 'CordonResponder' },
      ledgerRetentionDays: 365,
    });
  });

  it('are frozen, and a parse result can be changed without changing the next one', () => {
    // Prepare
    const first = parseSettings({});

    // Act
    first.settings.breakGlassPrincipals.push('alice');
    first.settings.alarmPlaybooks.Extra = 'notify-only';
    const second = parseSettings({});

    // Assess
    expect(Object.isFrozen(DEFAULT_SETTINGS.severity)).toBe(true);
    expect(second.settings.breakGlassPrincipals).toEqual([]);
    expect(second.settings.alarmPlaybooks).not.toHaveProperty('Extra');
  });

  it('fill in the fields a partial object leaves out, keeping the ones it gives', () => {
    // Act
    const result = parseSettings({
      mode: 'dry-run',
      severity: { approvalAt: 5 },
      approval: { approvers: {} },
    });

    // Assess
    expect(result.ok).toBe(true);
    expect(result.settings.mode).toBe('dry-run');
    expect(result.settings.severity).toEqual({ autoRemediateAt: 7, approvalAt: 5, ignoreBelow: 0 });
    expect(result.settings.approval).toEqual(DEFAULT_SETTINGS.approval);
  });

  it('replace a list or a map as a whole rather than merging it with the default', () => {
    // Act
    const result = parseSettings({ alarmPlaybooks: { MyAlarm: 'root-activity' }, ownPrincipals: ['ops-*'] });

    // Assess
    expect(result.settings.alarmPlaybooks).toEqual({ MyAlarm: 'root-activity' });
    expect(result.settings.ownPrincipals).toEqual(['ops-*']);
  });
});

describe('parseSettings', () => {
  it('accepts every mode', () => {
    for (const mode of SETTINGS_MODES) {
      expect(parseSettings({ mode })).toMatchObject({ ok: true, settings: { mode } });
    }
  });

  it('accepts a fully specified, valid settings object', () => {
    // Prepare
    const input = {
      mode: 'dry-run',
      severity: { autoRemediateAt: 8.5, approvalAt: 5, ignoreBelow: 1 },
      includeSampleFindings: true,
      exemptionTag: { key: 'security:exempt', value: '' },
      breakGlassPrincipals: ['break-glass', 'arn:aws:iam::123456789012:role/BreakGlass'],
      ownPrincipals: ['cordon-*'],
      blastRadius: { maxContainmentsPerAccountPerHour: 0 },
      approval: {
        timeoutSeconds: 60,
        timeoutDefault: { low: 'reject', medium: 'approve', high: 'approve', critical: 'approve' },
        approvers: { slackUserIds: ['U123'], slackUserGroupIds: ['S456'], identities: ['alice@example.com'] },
        escalationSnsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:cordon-escalation',
        slackChannel: 'C0123',
        escalationSlackChannel: '#security-escalations',
      },
      alarmPlaybooks: { RootAccountUsage: 'root-activity' },
      configRulePlaybooks: { 'access-keys-rotated': { playbook: 'stale-credentials', approval: 'auto' } },
      instanceProfileQuarantine: 'replace',
      quarantineInstanceProfileName: 'cordon-quarantine',
      responder: { roleName: 'CordonResponder', externalId: 'org-7f3a:cordon' },
      ledgerRetentionDays: 730,
    };

    // Act
    const result = parseSettings(input);

    // Assess
    expect(result).toEqual({ ok: true, settings: input, version: settingsVersion(result.settings) });
  });

  // One row per field at least: out of range, wrong type, unknown key. The reason must name the field.
  it.each([
    ['an unknown top-level key (a typo)', { modes: 'dry-run' }, 'modes: unknown setting'],
    [
      'a mode that does not exist',
      { mode: 'enforcing' },
      "mode: must be one of 'enforce', 'dry-run', 'notify-only'",
    ],
    ['a mode of the wrong type', { mode: 1 }, 'mode: must be one of'],
    [
      'an automatic threshold above 10',
      { severity: { autoRemediateAt: 11 } },
      'severity.autoRemediateAt: must be between 0 and 10',
    ],
    [
      'an approval threshold below 0',
      { severity: { approvalAt: -1, ignoreBelow: -2 } },
      'severity.approvalAt: must be between 0 and 10',
    ],
    [
      'a severity threshold given as a string',
      { severity: { ignoreBelow: '1' } },
      'severity.ignoreBelow: must be of type number, got string',
    ],
    [
      'an unknown severity key',
      { severity: { autoRemediate: 8 } },
      'severity.autoRemediate: unknown setting',
    ],
    [
      'severity thresholds out of order',
      { severity: { autoRemediateAt: 5, approvalAt: 6 } },
      'severity: must satisfy ignoreBelow ≤ approvalAt ≤ autoRemediateAt (got 0 ≤ 6 ≤ 5)',
    ],
    [
      'an ignore threshold above the approval threshold',
      { severity: { ignoreBelow: 5 } },
      'severity: must satisfy ignoreBelow ≤ approvalAt ≤ autoRemediateAt',
    ],
    [
      'includeSampleFindings given as a string',
      { includeSampleFindings: 'true' },
      'includeSampleFindings: must be of type boolean, got string',
    ],
    [
      'an empty exemption tag key',
      { exemptionTag: { key: '' } },
      'exemptionTag.key: must be 1–128 characters',
    ],
    [
      'an exemption tag value longer than a tag allows',
      { exemptionTag: { value: 'x'.repeat(257) } },
      'exemptionTag.value: must be at most 256 characters',
    ],
    ['an unknown exemption tag key', { exemptionTag: { name: 'x' } }, 'exemptionTag.name: unknown setting'],
    [
      'break-glass principals given as a string',
      { breakGlassPrincipals: 'alice' },
      'breakGlassPrincipals: must be of type array, got string',
    ],
    [
      'a break-glass principal with a space',
      { breakGlassPrincipals: ['ok', 'not ok'] },
      'breakGlassPrincipals[1]: must be a non-empty name without spaces',
    ],
    [
      'an empty own-principal glob',
      { ownPrincipals: [''] },
      'ownPrincipals[0]: must be a non-empty name without spaces',
    ],
    [
      'a negative blast radius',
      { blastRadius: { maxContainmentsPerAccountPerHour: -1 } },
      'blastRadius.maxContainmentsPerAccountPerHour: must be 0 or more',
    ],
    [
      'a fractional blast radius',
      { blastRadius: { maxContainmentsPerAccountPerHour: 2.5 } },
      'blastRadius.maxContainmentsPerAccountPerHour: must be a whole number',
    ],
    ['an unknown blast radius key', { blastRadius: { perHour: 3 } }, 'blastRadius.perHour: unknown setting'],
    [
      'an approval timeout under a minute',
      { approval: { timeoutSeconds: 30 } },
      'approval.timeoutSeconds: must be between 60 and 86400 seconds',
    ],
    [
      'an approval timeout over a day',
      { approval: { timeoutSeconds: 86_401 } },
      'approval.timeoutSeconds: must be between 60 and 86400 seconds',
    ],
    [
      'a timeout default that is neither approve nor reject',
      { approval: { timeoutDefault: { low: 'maybe' } } },
      "approval.timeoutDefault.low: must be one of 'approve', 'reject'",
    ],
    [
      'a timeout default for a severity label that does not exist',
      { approval: { timeoutDefault: { urgent: 'approve' } } },
      'approval.timeoutDefault.urgent: unknown setting',
    ],
    [
      'approvers given as a string',
      { approval: { approvers: { slackUserIds: 'U123' } } },
      'approval.approvers.slackUserIds: must be of type array, got string',
    ],
    [
      'an unknown approvers key',
      { approval: { approvers: { emails: [] } } },
      'approval.approvers.emails: unknown setting',
    ],
    [
      'an escalation topic that is not an SNS topic ARN',
      { approval: { escalationSnsTopicArn: 'cordon-escalation' } },
      'approval.escalationSnsTopicArn: must be an SNS topic ARN',
    ],
    [
      'an empty Slack channel',
      { approval: { slackChannel: '' } },
      'approval.slackChannel: must not be empty',
    ],
    [
      'an empty escalation Slack channel',
      { approval: { escalationSlackChannel: '' } },
      'approval.escalationSlackChannel: must not be empty',
    ],
    ['an unknown approval key', { approval: { timeout: 60 } }, 'approval.timeout: unknown setting'],
    [
      'an alarm mapped to a playbook that does not exist',
      { alarmPlaybooks: { RootAccountUsage: 'lockdown' } },
      "alarmPlaybooks.RootAccountUsage: must be one of 'ec2-compromise'",
    ],
    [
      'an alarm with an empty name',
      { alarmPlaybooks: { '': 'notify-only' } },
      'alarmPlaybooks[""]: invalid key',
    ],
    [
      'alarm playbooks given as a list',
      { alarmPlaybooks: ['root-activity'] },
      'alarmPlaybooks: must be of type record, got array',
    ],
    [
      'a Config rule without its approval rule',
      { configRulePlaybooks: { 'access-keys-rotated': { playbook: 'stale-credentials' } } },
      'configRulePlaybooks.access-keys-rotated.approval: must be one of',
    ],
    [
      'a Config rule with an unknown key',
      {
        configRulePlaybooks: {
          'access-keys-rotated': { playbook: 'stale-credentials', approval: 'auto', priority: 1 },
        },
      },
      'configRulePlaybooks.access-keys-rotated.priority: unknown setting',
    ],
    [
      'an instance profile quarantine that does not exist',
      { instanceProfileQuarantine: 'delete' },
      "instanceProfileQuarantine: must be one of 'disassociate', 'replace', 'keep'",
    ],
    [
      'replacing the instance profile without naming the quarantine profile',
      { instanceProfileQuarantine: 'replace' },
      "quarantineInstanceProfileName: is required when instanceProfileQuarantine is 'replace'",
    ],
    [
      'a quarantine instance profile name with a space',
      { quarantineInstanceProfileName: 'cordon quarantine' },
      'quarantineInstanceProfileName: must be an instance profile name',
    ],
    [
      'a responder role name with a slash',
      { responder: { roleName: 'path/CordonResponder' } },
      'responder.roleName: must be an IAM role name',
    ],
    [
      'a responder role prefix too long for the longest action role (prefix + -deregister-from-load-balancers)',
      { responder: { roleName: 'R'.repeat(34) } },
      'responder.roleName: must be at most 33 characters',
    ],
    [
      'an external id shorter than STS accepts',
      { responder: { externalId: 'x' } },
      'responder.externalId: must be 2–1224 characters',
    ],
    ['an unknown responder key', { responder: { role: 'x' } }, 'responder.role: unknown setting'],
    ['a ledger retention of zero days', { ledgerRetentionDays: 0 }, 'ledgerRetentionDays: must be 1 or more'],
    [
      'a fractional ledger retention',
      { ledgerRetentionDays: 1.5 },
      'ledgerRetentionDays: must be a whole number of days',
    ],
    [
      'a ledger retention given as a string',
      { ledgerRetentionDays: '365' },
      'ledgerRetentionDays: must be of type number, got string',
    ],
    ['settings that are not an object', ['mode'], 'settings: must be of type object, got array'],
    ['null settings', null, 'settings: must be of type object, got null'],
  ])('rejects %s, naming the field', (_case, input, expected) => {
    // Act
    const result = parseSettings(input);

    // Assess
    expect(result.ok).toBe(false);
    expect(reasonOf(input)).toContain(expected);
  });

  it('accepts replacing the instance profile when the quarantine profile is named', () => {
    // Act
    const result = parseSettings({
      instanceProfileQuarantine: 'replace',
      quarantineInstanceProfileName: 'cordon-quarantine',
    });

    // Assess
    expect(result.ok).toBe(true);
  });

  it('fails closed on invalid input: the defaults in notify-only mode, and a reason naming every invalid field', () => {
    // Act
    const result = parseSettings({
      mode: 'enforce',
      severity: { autoRemediateAt: 12 },
      approval: { timeoutSeconds: 5 },
      modee: 'dry-run',
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.settings).toEqual(FAIL_CLOSED_SETTINGS);
    expect(result.settings.mode).toBe(FAIL_CLOSED_MODE);
    expect(result.version).toBe(settingsVersion(result.settings));
    expect(result).toHaveProperty(
      'reason',
      'severity.autoRemediateAt: must be between 0 and 10; approval.timeoutSeconds: must be between 60 and 86400 seconds; modee: unknown setting',
    );
  });

  it('never echoes a rejected value in the reason, since settings may hold an external id', () => {
    // Act
    const reason = reasonOf({ responder: { externalId: 's3cr3t value' } });

    // Assess
    expect(reason).toContain('responder.externalId');
    expect(reason).not.toContain('s3cr3t');
  });

  it('never throws and always returns settings that pass the schema, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = parseSettings(input);
        expect(SettingsSchema.safeParse(result.settings).success).toBe(true);
        expect(result.version).toMatch(/^[0-9a-f]{12}$/);
        if (!result.ok) {
          expect(result.settings.mode).toBe('notify-only');
          expect(result.reason).not.toBe('');
        }
      }),
    );
  });

  it('never throws on settings-shaped input, and keeps a valid mode only when the whole input is valid', () => {
    // Settings-shaped values reach the nested schemas, which arbitrary JSON rarely does.
    const number = fc.oneof(fc.double(), fc.integer({ min: -5, max: 100_000 }), fc.string());
    const input = fc.record(
      {
        mode: fc.oneof(fc.constantFrom(...SETTINGS_MODES), fc.string()),
        severity: fc.record(
          { autoRemediateAt: number, approvalAt: number, ignoreBelow: number },
          { requiredKeys: [] },
        ),
        blastRadius: fc.record({ maxContainmentsPerAccountPerHour: number }, { requiredKeys: [] }),
        approval: fc.record(
          {
            timeoutSeconds: number,
            timeoutDefault: fc.dictionary(fc.constantFrom(...SEVERITY_LABELS, 'x'), fc.string()),
          },
          { requiredKeys: [] },
        ),
        alarmPlaybooks: fc.dictionary(fc.string(), fc.constantFrom(...PLAYBOOK_IDS, 'nope')),
        instanceProfileQuarantine: fc.constantFrom('disassociate', 'replace', 'keep', 'x'),
        ledgerRetentionDays: number,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (value) => {
        const result = parseSettings(value);
        expect(SettingsSchema.safeParse(result.settings).success).toBe(true);
        expect(result.settings.mode).toBe(result.ok ? (value.mode ?? 'enforce') : 'notify-only');
      }),
    );
  });
});

describe('parseSettingsJson', () => {
  it('reads a local file holding a subset of the settings; the rest take their defaults', () => {
    // Act
    const result = parseSettingsJson('{"mode":"dry-run","severity":{"autoRemediateAt":8}}');

    // Assess
    expect(result.ok).toBe(true);
    expect(result.settings).toEqual({
      ...DEFAULT_SETTINGS,
      mode: 'dry-run',
      severity: { ...DEFAULT_SETTINGS.severity, autoRemediateAt: 8 },
    });
  });

  it('fails closed on a file that is not JSON, saying so', () => {
    // Act
    const result = parseSettingsJson('{ mode: dry-run }');

    // Assess
    expect(result.ok).toBe(false);
    expect(result.settings).toEqual(FAIL_CLOSED_SETTINGS);
    expect(result).toHaveProperty('reason', expect.stringMatching(/^settings file is not valid JSON: /));
  });

  it('fails closed on a file with an unknown key', () => {
    // Act
    const result = parseSettingsJson('{"dryRun":true}');

    // Assess
    expect(result).toMatchObject({ ok: false, reason: 'dryRun: unknown setting' });
  });

  it('never throws, whatever text it is given', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(SettingsSchema.safeParse(parseSettingsJson(text).settings).success).toBe(true);
      }),
    );
  });
});

describe('settingsVersion', () => {
  it('is the first 12 hex digits of a SHA-256, the same under any key order', () => {
    // Prepare
    const a = parseSettings({ mode: 'dry-run', severity: { approvalAt: 5, autoRemediateAt: 8 } });
    const b = parseSettings({ severity: { autoRemediateAt: 8, approvalAt: 5 }, mode: 'dry-run' });

    // Assess
    expect(a.version).toMatch(/^[0-9a-f]{12}$/);
    expect(a.version).toBe(b.version);
  });

  it('changes when any value changes', () => {
    // Prepare
    const base = parseSettings({}).version;

    // Act
    const versions = [
      parseSettings({ mode: 'dry-run' }).version,
      parseSettings({ severity: { autoRemediateAt: 7.5 } }).version,
      parseSettings({ breakGlassPrincipals: ['alice'] }).version,
      parseSettings({ responder: { externalId: 'abc' } }).version,
    ];

    // Assess
    expect(new Set([base, ...versions]).size).toBe(versions.length + 1);
  });

  it('is the same for every fail-closed result, whatever the reason', () => {
    expect(failClosedSettings('a').version).toBe(failClosedSettings('b').version);
    expect(failClosedSettings('a').version).not.toBe(parseSettings({}).version);
  });
});

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
