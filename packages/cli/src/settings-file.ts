import { readFile } from 'node:fs/promises';
import { parseSettings, parseSettingsJson, type SettingsResult } from '@cordon/core/policy/settings';
import { UsageError } from './errors.ts';

/**
 * The CLI's settings: a local JSON file holding any subset of the settings (the rest take their defaults),
 * standing in for SSM. Without `--settings`, the defaults. An unreadable path is a usage error; a file that
 * is not valid settings fails closed (notify-only) with the reason, as SSM settings would.
 */
export async function loadCliSettings(
  path: string | undefined,
  includeSamples: boolean,
): Promise<SettingsResult> {
  let result: SettingsResult;
  if (path === undefined) {
    result = parseSettings({});
  } else {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(
        `Cannot read the settings file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    result = parseSettingsJson(text);
  }
  if (!includeSamples) return result;
  // --include-samples is the command-line form of includeSampleFindings: true; failed-closed settings stay so.
  const settings = { ...result.settings, includeSampleFindings: true };
  return result.ok ? parseSettings(settings) : { ...result, settings };
}
