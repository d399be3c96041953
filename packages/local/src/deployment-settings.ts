import { SETTINGS_PARAMETERS, type SettingsParameter } from '@cordon/core/policy/settings';
import { LocalSettingsInvalidError } from './errors.ts';

/**
 * Standard-tier parameter values hold 1 to 4,096 characters: PutParameter's `Value` has a minimum length of 1
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html) and a longer standard
 * value is refused with a ValidationException that points at
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html.
 */
const MAX_VALUE_LENGTH = 4096;

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The SSM text of a value of a parameter, in the format the settings loader reads back. */
function parameterText(parameter: SettingsParameter, value: unknown): string {
  switch (parameter.type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'number':
    case 'boolean':
      // A value of the wrong type stays recognisably wrong (`"8"` quoted), so the loader refuses it by name
      // as the settings schema would, instead of reading "8" as 8.
      return typeof value === parameter.type ? String(value) : JSON.stringify(value);
    case 'string-list':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? value.join(',')
        : JSON.stringify(value);
    case 'json':
      return JSON.stringify(value);
  }
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * The parameters under `/cordon/<stage>/settings/` (names relative to that path) that hold the given settings:
 * every parameter infra creates, with its default (infra/settings.ts), then each setting given written over
 * its parameter in the layout (`SETTINGS_PARAMETERS`), as a security team edits them in SSM. The settings
 * object is the same subset a `--settings` file holds. A setting the layout has no parameter for is written
 * under its kebab-case path, so that the loader refuses it by name and fails closed, as it would in AWS;
 * values of the wrong type likewise reach the loader and fail closed there.
 *
 * @throws LocalSettingsInvalidError when the settings are not an object, or a value is empty or too long for SSM.
 * @example settingsParameterValues({ mode: 'dry-run' }).mode // 'dry-run'
 */
export function settingsParameterValues(settings: unknown): Record<string, string> {
  if (!isObject(settings)) {
    throw new LocalSettingsInvalidError(
      `settings must be a JSON object of settings (any subset), got ${Array.isArray(settings) ? 'an array' : typeof settings}`,
    );
  }
  const values: Record<string, string> = {};
  for (const parameter of SETTINGS_PARAMETERS) {
    if (parameter.default !== undefined) values[parameter.name] = parameterText(parameter, parameter.default);
  }
  const write = (value: unknown, path: readonly string[]): void => {
    // `undefined` (a setting left out) keeps what is there; SSM has no null.
    if (value === undefined) return;
    const parameter = SETTINGS_PARAMETERS.find(
      (candidate) =>
        candidate.path.length === path.length && candidate.path.every((key, index) => key === path[index]),
    );
    if (parameter !== undefined) {
      values[parameter.name] = parameterText(parameter, value);
      return;
    }
    const nested = SETTINGS_PARAMETERS.some((candidate) =>
      path.every((key, index) => candidate.path[index] === key),
    );
    if (nested && isObject(value)) {
      for (const [key, inner] of Object.entries(value)) write(inner, [...path, key]);
      return;
    }
    values[path.map(kebab).join('/')] = JSON.stringify(value);
  };
  for (const [key, value] of Object.entries(settings)) write(value, [key]);
  for (const [name, text] of Object.entries(values)) {
    if (text.length === 0 || text.length > MAX_VALUE_LENGTH) {
      throw new LocalSettingsInvalidError(
        `settings: ${name} cannot be stored in SSM Parameter Store (a value holds 1 to ${MAX_VALUE_LENGTH} characters, this one ${text.length}); leave an optional setting out instead of setting it empty`,
      );
    }
  }
  return values;
}
