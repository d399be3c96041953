/**
 * A settings file as the operator commands read it — the JSON object `--settings` takes (any subset, keys as
 * in docs/settings.md) — checked with the settings schema and, value by value, through the text SSM would hold
 * and the settings loader would read back, so that a file `check` accepts is one the functions will read as
 * written.
 */
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import {
  parseSettings,
  SETTINGS_PARAMETERS,
  type Settings,
  settingsFromParameters,
  settingsVersion,
} from '@cordon/core/policy/settings';
import { valueAt } from '@cordon/core/policy/settings-ssm';
import { createSettingsLoader, type LoadedSettings } from '@cordon/functions/settings';
import { settingsParameterValues } from '@cordon/local/deployment-settings';
import { LocalSettingsInvalidError } from '@cordon/local/errors';

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** The settings a file holds, with the parameters it names as SSM would hold them. */
export interface SettingsFile {
  /** The file as given. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The parameters the file names (relative to the settings path) → the text written to SSM. */
  readonly texts: Readonly<Record<string, string>>;
}

/**
 * Every problem of a settings file, named: an unknown key, a wrong type, a value out of range (the schema's
 * messages, as the loader gives them); then, value by value, a value SSM cannot hold (empty, over 4,096
 * characters) or whose text the loader would read back as something else. An empty list: the file is valid.
 *
 * @example settingsFileProblems({ mode: 'dry-run', severity: { autoRemediateAt: 11 } })
 * // ['severity.autoRemediateAt: must be between 0 and 10']
 */
export function settingsFileProblems(file: Readonly<Record<string, unknown>>): string[] {
  const parsed = parseSettings(file);
  if (!parsed.ok) return parsed.reason.split('; ');
  let texts: Record<string, string>;
  try {
    texts = settingsFile(file).texts;
  } catch (error) {
    if (error instanceof LocalSettingsInvalidError) return [error.message.replace(/^settings: /, '')];
    throw error;
  }
  const problems: string[] = [];
  const { raw, errors } = settingsFromParameters(texts);
  problems.push(...errors);
  for (const parameter of SETTINGS_PARAMETERS) {
    if (!Object.hasOwn(texts, parameter.name)) continue;
    const intended = valueAt(parsed.settings, parameter.path);
    const readBack = valueAt(raw, parameter.path);
    if (canonical(intended) !== canonical(readBack)) {
      problems.push(
        `${parameter.path.join('.')}: would be stored in SSM as ${JSON.stringify(texts[parameter.name])}, which the settings loader reads back as ${JSON.stringify(readBack)}; write it another way`,
      );
    }
  }
  return problems;
}

/**
 * The parameters a settings file names and the text of each, as the local deployment writes `--settings`
 * (one encoding: `settingsParameterValues`).
 *
 * @throws LocalSettingsInvalidError when a value cannot be held by SSM.
 */
export function settingsFile(file: Readonly<Record<string, unknown>>): SettingsFile {
  const all = settingsParameterValues(file);
  const texts: Record<string, string> = {};
  for (const parameter of SETTINGS_PARAMETERS) {
    if (valueAt(file, parameter.path) !== undefined) texts[parameter.name] = all[parameter.name] ?? '';
  }
  return { raw: file, texts };
}

/**
 * What the settings loader makes of parameter values — the functions' own loader (`createSettingsLoader`), fed
 * these values instead of SSM's: the same checks, the same fail-closed result, the same version the ledger
 * records.
 *
 * @example await loaderVerdict('prod', { mode: 'enforce' }) // { ok: true, version: '…', … }
 */
export async function loaderVerdict(
  stage: string,
  values: Readonly<Record<string, string>>,
): Promise<LoadedSettings> {
  // The loader reads through its provider's getMultiple only; this one answers with the values given.
  const provider = {
    getMultiple: async () => ({ ...values }),
    clearCache: () => undefined,
  } as unknown as SSMProvider;
  return createSettingsLoader({ stage, maxAgeSeconds: 0, ssmProvider: provider }).load();
}

/** The version of settings, as the ledger records it (core's `settingsVersion`). */
export function versionOf(settings: Settings): string {
  return settingsVersion(settings);
}
