/**
 * Every settings parameter under `/cordon/<stage>/settings/`, created with its default. The team edits them in SSM;
 * `ignoreChanges: ['value']` keeps their edits across deploys. Optional settings without a default (an
 * escalation topic, Slack channels, a quarantine profile, the external id) are not created: SSM refuses empty
 * values, and an absent parameter means "not set".
 */
import { SETTINGS_PARAMETERS, type SettingsParameter } from '@cordon/core/policy/settings';
import type { DeployConfig } from './config.ts';
import { pascal } from './lambda.ts';

/** The SSM value of a default, in the format the settings loader reads back. */
export function parameterValue(parameter: SettingsParameter): string | undefined {
  const value = parameter.default;
  if (value === undefined) return undefined;
  switch (parameter.type) {
    case 'json':
      return JSON.stringify(value);
    case 'string-list':
      return (value as readonly string[]).join(','); // the layout declares string-list values as arrays
    default:
      return String(value);
  }
}

/** The parameters infra creates, by name relative to the settings path, with their initial values. */
export function settingsDefaults(config: DeployConfig): Record<string, string> {
  const values: Record<string, string> = {};
  for (const parameter of SETTINGS_PARAMETERS) {
    const value =
      parameter.name === 'responder/role-name' ? config.responderRoleName : parameterValue(parameter);
    if (value !== undefined) values[parameter.name] = value;
  }
  return values;
}

export function createSettings(config: DeployConfig): Record<string, aws.ssm.Parameter> {
  const descriptions = new Map(
    SETTINGS_PARAMETERS.map((parameter) => [parameter.name, parameter.description]),
  );
  return Object.fromEntries(
    Object.entries(settingsDefaults(config)).map(([name, value]) => [
      name,
      new aws.ssm.Parameter(
        `Setting${pascal(name.replaceAll('/', '-'))}`,
        {
          name: `${config.settingsPath}${name}`,
          type: 'String',
          value,
          // SSM descriptions stop at 1024 characters.
          description: (descriptions.get(name) ?? '').slice(0, 1024),
        },
        { ignoreChanges: ['value'] },
      ),
    ]),
  );
}
