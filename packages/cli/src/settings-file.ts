import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.ts';

/**
 * The CLI's settings: a local JSON file holding any subset of the settings, standing in for what the team
 * keeps in SSM. The local deployment writes it to the stage's SSM parameters (the rest keep infra's defaults)
 * and every function reads it back through the settings loader, so a file whose values are not valid settings
 * fails closed (notify-only) with the reason, as SSM settings would. A file that cannot be read, is not JSON or
 * is not an object holds no settings at all: a usage error. `--include-samples` is the command-line form of
 * `includeSampleFindings: true`.
 *
 * @example await readSettingsFile('settings.json', true) // { mode: 'dry-run', includeSampleFindings: true }
 */
export async function readSettingsFile(
  path: string | undefined,
  includeSamples: boolean,
): Promise<Record<string, unknown>> {
  let settings: Record<string, unknown> = {};
  if (path !== undefined) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(
        `Cannot read the settings file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`The settings file ${path} is not valid JSON (${(error as Error).message}).`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`The settings file ${path} must hold a JSON object of settings.`);
    }
    settings = parsed as Record<string, unknown>;
  }
  return includeSamples ? { ...settings, includeSampleFindings: true } : settings;
}
