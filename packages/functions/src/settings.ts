/**
 * Loads Cordon's settings from SSM Parameter Store (the adapter half of settings; the schema, the
 * parameter layout and the fail-closed rules live in @cordon/core).
 *
 * One batched, recursive, decrypted GetParametersByPath read per TTL (Powertools Parameters' SSM provider,
 * cached by the loader on its clock): SSM allows about 40 reads per second per account, and a burst of
 * findings must not exhaust it.
 * Every failure — SSM unreachable, nothing configured, `mode` missing, a value invalid — fails closed:
 * the result carries the defaults in `notify-only` mode and the reason, so the caller alerts instead of acting.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import {
  DEFAULT_SETTINGS_MAX_AGE_SECONDS,
  failClosedSettings,
  parseSettings,
  type SettingsResult,
  settingsFromParameters,
  settingsPath,
} from '@cordon/core/policy/settings';

export interface SettingsLoaderOptions {
  /** Deployment stage; settings live under `/cordon/<stage>/settings/`. */
  readonly stage: string;
  /** How long parameters read from SSM are reused before being read again (default 60 s). */
  readonly maxAgeSeconds?: number;
  /** Provider to read with; one is created when omitted. Pass one to share its client or its cache. */
  readonly ssmProvider?: SSMProvider;
  /**
   * The SSM client of the provider created when `ssmProvider` is omitted (default: one from the environment).
   * The local deployment gives a client of its sandbox, made as the function's role.
   */
  readonly ssmClient?: SSMClient;
  /**
   * The clock the time to live runs on (default: the wall clock). The local deployment gives its own, so that
   * a settings change is seen once its clock has moved past the TTL, as in AWS.
   */
  readonly now?: () => Date;
}

export type LoadedSettings = SettingsResult & { readonly source: 'ssm' };

export interface SettingsLoader {
  /** The current settings. Never throws: failures come back as `ok: false` with a reason. */
  load(): Promise<LoadedSettings>;
  /** Forgets the cached parameters: the next `load` reads SSM (as when the cache's time to live has passed). */
  clearCache(): void;
}

/** The parameter whose absence means "not configured", rather than "configured with defaults". */
const REQUIRED_PARAMETER = 'mode';

function fromSsm(result: SettingsResult): LoadedSettings {
  return { ...result, source: 'ssm' };
}

// Powertools wraps SDK errors in GetParameterError; the innermost cause carries the AWS error name
// (AccessDeniedException, ThrottlingException…), which is what an on-call engineer needs to see.
function describeError(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (current instanceof Error) return `${current.name}: ${current.message}`;
  return String(current);
}

function definedValues(values: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) defined[name] = value;
  return defined;
}

/**
 * Creates the loader the Lambda handlers share (create it once, outside the handler, so the cache lives
 * across invocations).
 *
 * @example
 * const settings = createSettingsLoader({ stage: 'prod' });
 * export const handler = async () => {
 *   const { settings: current, ok, version } = await settings.load();
 * };
 */
export function createSettingsLoader(options: SettingsLoaderOptions): SettingsLoader {
  const maxAge = options.maxAgeSeconds ?? DEFAULT_SETTINGS_MAX_AGE_SECONDS;
  const provider =
    options.ssmProvider ??
    new SSMProvider(options.ssmClient === undefined ? {} : { awsSdkV3Client: options.ssmClient });
  let path: string | undefined;
  let configurationProblem: string | undefined;
  try {
    path = settingsPath(options.stage);
  } catch (error) {
    configurationProblem = `settings unavailable: ${describeError(error)}`;
  }
  // A NaN or negative TTL would make Powertools keep the first value forever or never cache at all.
  if (!Number.isFinite(maxAge) || maxAge < 0) {
    configurationProblem = `settings unavailable: maxAgeSeconds must be a number of seconds ≥ 0, got ${maxAge}`;
  }

  // The loader keeps the cache itself, on its clock; Powertools' own cache runs on `Date.now()` and is
  // bypassed (`forceFetch`). A failed read is never cached: the next load reads again.
  const now = options.now ?? (() => new Date());
  let cached: { values: Readonly<Record<string, string | undefined>> | undefined; until: number } | undefined;
  const read = async (settingsPath: string) => {
    const at = now().getTime();
    if (cached !== undefined && at < cached.until) return cached.values;
    const values = await provider.getMultiple(settingsPath, {
      recursive: true,
      decrypt: true,
      forceFetch: true,
    });
    cached = { values, until: at + maxAge * 1000 };
    return values;
  };

  async function load(): Promise<LoadedSettings> {
    if (configurationProblem !== undefined || path === undefined) {
      return fromSsm(failClosedSettings(configurationProblem ?? 'settings unavailable: no settings path'));
    }
    let values: Readonly<Record<string, string | undefined>> | undefined;
    try {
      values = await read(path);
    } catch (error) {
      return fromSsm(
        failClosedSettings(`settings unavailable: reading ${path} from SSM failed (${describeError(error)})`),
      );
    }
    if (values === undefined || Object.keys(values).length === 0) {
      return fromSsm(failClosedSettings(`settings missing: no parameters under ${path}`));
    }

    const problems: string[] = [];
    if (!Object.hasOwn(values, REQUIRED_PARAMETER)) {
      problems.push(`${REQUIRED_PARAMETER}: required parameter ${path}${REQUIRED_PARAMETER} is missing`);
    }
    const { raw, errors } = settingsFromParameters(definedValues(values));
    problems.push(...errors);
    const parsed = parseSettings(raw);
    if (!parsed.ok) problems.push(parsed.reason);
    if (problems.length > 0) {
      return fromSsm(failClosedSettings(`settings invalid under ${path}: ${problems.join('; ')}`));
    }
    return fromSsm(parsed);
  }

  return {
    load,
    clearCache: () => {
      cached = undefined;
      provider.clearCache();
    },
  };
}
