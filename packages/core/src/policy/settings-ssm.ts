/**
 * Where Cordon's settings live in SSM Parameter Store, and how a parameter's text becomes a setting: one
 * parameter per leaf scalar, JSON for lists and maps, under `/cordon/<stage>/settings/`. The adapter, the
 * infrastructure and the generated docs/settings.md share this one list.
 */
import { SettingsStageInvalidError } from '../errors.ts';
import { DEFAULT_SETTINGS, deepFreeze, settingDescription, settingSchemaAt } from './settings-schema.ts';

/** How a parameter's string value is read. `string-list` is SSM's StringList: comma-separated. */
export type SettingsParameterType = 'string' | 'number' | 'boolean' | 'string-list' | 'json';

export interface SettingsParameter {
  /** Name relative to the settings path, kebab-case, nested with `/` (e.g. `severity/auto-remediate-at`). */
  readonly name: string;
  /** Where the value goes in the settings object. */
  readonly path: readonly string[];
  readonly type: SettingsParameterType;
  /** The default value (undefined for optional settings with no default). */
  readonly default: unknown;
  /** What the setting does (the schema's description). */
  readonly description: string;
}

const PARAMETER_LAYOUT: ReadonlyArray<Pick<SettingsParameter, 'name' | 'path' | 'type'>> = [
  { name: 'mode', path: ['mode'], type: 'string' },
  { name: 'severity/auto-remediate-at', path: ['severity', 'autoRemediateAt'], type: 'number' },
  { name: 'severity/approval-at', path: ['severity', 'approvalAt'], type: 'number' },
  { name: 'severity/ignore-below', path: ['severity', 'ignoreBelow'], type: 'number' },
  { name: 'include-sample-findings', path: ['includeSampleFindings'], type: 'boolean' },
  { name: 'exemption-tag/key', path: ['exemptionTag', 'key'], type: 'string' },
  { name: 'exemption-tag/value', path: ['exemptionTag', 'value'], type: 'string' },
  { name: 'break-glass-principals', path: ['breakGlassPrincipals'], type: 'json' },
  { name: 'own-principals', path: ['ownPrincipals'], type: 'json' },
  {
    name: 'blast-radius/max-containments-per-account-per-hour',
    path: ['blastRadius', 'maxContainmentsPerAccountPerHour'],
    type: 'number',
  },
  { name: 'approval/timeout-seconds', path: ['approval', 'timeoutSeconds'], type: 'number' },
  { name: 'approval/timeout-default', path: ['approval', 'timeoutDefault'], type: 'json' },
  { name: 'approval/group-window-seconds', path: ['approval', 'groupWindowSeconds'], type: 'number' },
  {
    name: 'approval/approvers/slack-user-ids',
    path: ['approval', 'approvers', 'slackUserIds'],
    type: 'json',
  },
  {
    name: 'approval/approvers/slack-user-group-ids',
    path: ['approval', 'approvers', 'slackUserGroupIds'],
    type: 'json',
  },
  { name: 'approval/approvers/identities', path: ['approval', 'approvers', 'identities'], type: 'json' },
  {
    name: 'approval/escalation-sns-topic-arn',
    path: ['approval', 'escalationSnsTopicArn'],
    type: 'string',
  },
  { name: 'approval/slack-channel', path: ['approval', 'slackChannel'], type: 'string' },
  {
    name: 'approval/escalation-slack-channel',
    path: ['approval', 'escalationSlackChannel'],
    type: 'string',
  },
  { name: 'alarm-playbooks', path: ['alarmPlaybooks'], type: 'json' },
  { name: 'config-rule-playbooks', path: ['configRulePlaybooks'], type: 'json' },
  { name: 'instance-profile-quarantine', path: ['instanceProfileQuarantine'], type: 'string' },
  { name: 'quarantine-instance-profile-name', path: ['quarantineInstanceProfileName'], type: 'string' },
  { name: 'responder/role-name', path: ['responder', 'roleName'], type: 'string' },
  { name: 'responder/external-id', path: ['responder', 'externalId'], type: 'string' },
  { name: 'ledger-retention-days', path: ['ledgerRetentionDays'], type: 'number' },
  { name: 'password-policy', path: ['passwordPolicy'], type: 'json' },
];

/**
 * The value at a path of own keys (never a prototype's: `__proto__` reads nothing), or undefined.
 *
 * @example valueAt({ severity: { approvalAt: 4 } }, ['severity', 'approvalAt']) // 4
 */
export function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every SSM parameter Cordon reads, relative to {@link settingsPath}; defaults and descriptions from the schema. */
export const SETTINGS_PARAMETERS: readonly SettingsParameter[] = deepFreeze(
  PARAMETER_LAYOUT.map((layout) => ({
    ...layout,
    default: structuredClone(valueAt(DEFAULT_SETTINGS, layout.path)),
    description: settingDescription(settingSchemaAt(layout.path)) ?? '',
  })),
);

const PARAMETERS_BY_NAME: ReadonlyMap<string, SettingsParameter> = new Map(
  SETTINGS_PARAMETERS.map((parameter) => [parameter.name, parameter]),
);

const STAGE = /^[A-Za-z0-9_-]+$/;

/**
 * The SSM path of everything a stage keeps in Parameter Store: `settings/`, `secrets/`, `detections/`.
 *
 * @throws SettingsStageInvalidError when the stage is not `[A-Za-z0-9-_]+` (it would change the path).
 * @example stagePath('prod') // '/cordon/prod/'
 */
export function stagePath(stage: string): string {
  if (!STAGE.test(stage)) {
    throw new SettingsStageInvalidError(
      `stage ${JSON.stringify(stage)} is not a valid settings stage: use letters, digits, '-' and '_'`,
    );
  }
  return `/cordon/${stage}/`;
}

/**
 * The SSM path that holds a stage's settings. Settings have a folder of their own: the loader reads it
 * recursively, so secrets and detection thresholds live beside it, never in it.
 *
 * @example settingsPath('prod') // '/cordon/prod/settings/'
 */
export function settingsPath(stage: string): string {
  return `${stagePath(stage)}settings/`;
}

// Strict on purpose: Number('') is 0 and Number(' 7 ') is 7; a settings typo must not become a number.
const NUMBER = /^-?\d+(\.\d+)?$/;

type ParsedValue = { ok: true; value: unknown } | { ok: false; error: string };

function parseParameterValue(parameter: SettingsParameter, text: string): ParsedValue {
  switch (parameter.type) {
    case 'string':
      return { ok: true, value: text };
    case 'number':
      return NUMBER.test(text)
        ? { ok: true, value: Number(text) }
        : { ok: false, error: `${parameter.name}: ${JSON.stringify(text)} is not a number` };
    case 'boolean':
      if (text === 'true') return { ok: true, value: true };
      if (text === 'false') return { ok: true, value: false };
      return { ok: false, error: `${parameter.name}: ${JSON.stringify(text)} is not 'true' or 'false'` };
    case 'string-list': {
      const items = text.split(',').map((item) => item.trim());
      return items.some((item) => item === '')
        ? { ok: false, error: `${parameter.name}: the comma-separated list has an empty item` }
        : { ok: true, value: items };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch (error) {
        return { ok: false, error: `${parameter.name}: not valid JSON (${(error as Error).message})` };
      }
  }
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  path.forEach((key, index) => {
    if (index === path.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (typeof next === 'object' && next !== null) {
      current = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    }
  });
}

/**
 * Turns SSM parameter values (keyed by name relative to the settings path) into the raw settings object
 * for {@link parseSettings}. Values are read strictly; a value that cannot be read, or a parameter Cordon
 * does not know, is an error naming the parameter (the value is left out of `raw`).
 *
 * @example
 * settingsFromParameters({ mode: 'dry-run', 'severity/auto-remediate-at': '8' })
 * // { raw: { mode: 'dry-run', severity: { autoRemediateAt: 8 } }, errors: [] }
 */
export function settingsFromParameters(values: Readonly<Record<string, string>>): {
  raw: unknown;
  errors: string[];
} {
  const raw: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const name of Object.keys(values).sort()) {
    const text = values[name];
    const parameter = PARAMETERS_BY_NAME.get(name);
    if (parameter === undefined) {
      errors.push(`${name}: unknown settings parameter`);
      continue;
    }
    if (text === undefined) continue;
    const parsed = parseParameterValue(parameter, text);
    if (parsed.ok) setAt(raw, parameter.path, parsed.value);
    else errors.push(parsed.error);
  }
  return { raw, errors };
}
