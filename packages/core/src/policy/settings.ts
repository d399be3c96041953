/**
 * Cordon's settings: one typed object, validated here, loaded elsewhere (SSM in the Lambda adapter, a local
 * JSON file in the CLI). Invalid or missing settings fail closed: the result still carries usable settings,
 * but in `notify-only` mode, so nothing destructive happens while the security team is alerted
 * (DOMAIN.md item 33).
 *
 * This module is the entry: parsing, the fail-closed rule and the reasons it gives. The schema is in
 * settings-schema.ts and the SSM layout in settings-ssm.ts; both are exported from here too, so that callers
 * import settings from one place. Pure: no environment reads, no AWS SDK.
 */
import { createHash } from 'node:crypto';
import type * as z from '../zod.ts';
import { type Settings, type SettingsMode, SettingsSchema } from './settings-schema.ts';

export * from './settings-schema.ts';
export * from './settings-ssm.ts';

/** How long the adapter keeps settings read from SSM before reading them again (seconds). */
export const DEFAULT_SETTINGS_MAX_AGE_SECONDS = 60;

/** The mode a failed settings load falls back to: nothing is changed, people are told. */
export const FAIL_CLOSED_MODE: SettingsMode = 'notify-only';

/** Outcome of reading settings. A failure still carries settings: the defaults, in `notify-only` mode. */
export type SettingsResult =
  | { readonly ok: true; readonly settings: Settings; readonly version: string }
  | { readonly ok: false; readonly settings: Settings; readonly version: string; readonly reason: string };

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

/**
 * A short, stable fingerprint of effective settings: the first 12 hex digits of the SHA-256 of their
 * canonical JSON (keys sorted). Ledger entries record it so a decision can be traced to its settings.
 *
 * @example settingsVersion(DEFAULT_SETTINGS) // e.g. '3f1c0a9b27de'
 */
export function settingsVersion(settings: Settings): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 12);
}

/**
 * The fail-closed result: defaults in `notify-only` mode, with the reason. Adapters use it when settings
 * cannot even be read (SSM unreachable, file missing).
 *
 * @example failClosedSettings('settings missing: no parameters under /cordon/prod/').settings.mode // 'notify-only'
 */
export function failClosedSettings(reason: string): SettingsResult {
  const settings: Settings = { ...SettingsSchema.parse({}), mode: FAIL_CLOSED_MODE };
  return { ok: false, settings, version: settingsVersion(settings), reason };
}

const PLAIN_KEY = /^[A-Za-z_$][\w$:-]*$/;

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    // Record keys are user data (alarm and rule names): quote those that would not read as a plain key.
    else if (typeof key === 'symbol' || !PLAIN_KEY.test(key)) text += `[${JSON.stringify(String(key))}]`;
    else text += text === '' ? key : `.${key}`;
  }
  return text === '' ? 'settings' : text;
}

function typeOfInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  // JSON's 1e400 parses as Infinity: zod calls it an invalid number, and "got number" would read as nonsense.
  if (typeof input === 'number' && !Number.isFinite(input)) return 'a number out of range';
  return typeof input;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown setting`);
    case 'invalid_type':
      // A number that fails `.int()` is reported as an invalid type; its schema message says it better.
      if (issue.expected === 'int' && typeof issue.input === 'number') return [`${where}: ${issue.message}`];
      // Only the type of the input is named, never the value: settings may hold an external id.
      return [
        issue.input === undefined
          ? `${where}: is required`
          : `${where}: must be ${issue.expected === 'int' ? 'a whole number' : `of type ${issue.expected}`}, got ${typeOfInput(issue.input)}`,
      ];
    case 'invalid_value':
      return [`${where}: must be one of ${issue.values.map((value) => `'${String(value)}'`).join(', ')}`];
    case 'invalid_key':
      return [`${where}: invalid key (${issue.issues.map((inner) => inner.message).join('; ')})`];
    default:
      return [`${where}: ${issue.message}`];
  }
}

/**
 * Validates settings (camelCase object, any subset; missing fields take their defaults).
 * Never throws. Invalid input fails closed: the defaults in `notify-only` mode, and a reason naming every
 * invalid field and why.
 *
 * @example
 * parseSettings({ mode: 'dry-run' }) // { ok: true, settings: { mode: 'dry-run', … }, version: '…' }
 * parseSettings({ severity: { autoRemediateAt: 11 } })
 * // { ok: false, settings: { mode: 'notify-only', … }, reason: 'severity.autoRemediateAt: must be between 0 and 10', … }
 */
export function parseSettings(input: unknown): SettingsResult {
  const parsed = SettingsSchema.safeParse(input, { reportInput: true });
  if (parsed.success) {
    return { ok: true, settings: parsed.data, version: settingsVersion(parsed.data) };
  }
  return failClosedSettings(parsed.error.issues.flatMap(describeIssue).join('; '));
}

/**
 * Validates the text of a local settings file: a JSON object holding any subset of the settings
 * (e.g. `{"mode":"dry-run"}`). Invalid JSON fails closed like invalid settings.
 *
 * @example parseSettingsJson('{"mode":"dry-run"}').settings.mode // 'dry-run'
 */
export function parseSettingsJson(text: string): SettingsResult {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return failClosedSettings(`settings file is not valid JSON: ${(error as Error).message}`);
  }
  return parseSettings(input);
}
