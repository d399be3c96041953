/**
 * How Cordon recognises a CloudWatch alarm by its name. Teams name the same CIS alarm many ways
 * (`RootAccountUsage`, `CIS-1.7-RootAccountUsage`, `root_usage_alarm`), so an exact comparison maps most real
 * alarms to nothing; a loose one (substrings, globs) would let `Http5xxErrors` take the playbook of
 * `Http4xxErrors`. The rule is deliberate and small (docs/intake.md, "Alarm names"):
 *
 * 1. A name is read as **words**: split at `-`, `_`, `.`, spaces and other punctuation, at camelCase and at
 *    letter/digit boundaries, lower-cased. `CIS-3.1-UnauthorizedAPICalls` → `unauthorized api calls`.
 * 2. Decoration is dropped, and only decoration: a leading `cis` with the control number after it
 *    (`CIS-1.7-`, `cis_3_1_`), and `alarm` / `alert` at the start or the end. Every other word, digits
 *    included, counts.
 * 3. Two names stand for the same alarm when their words are equal, in order — or when both are names of the
 *    same Cordon detection: each detection lists the few other names its CIS alarm is commonly given
 *    (`root usage` for `RootAccountUsage`).
 *
 * A name whose words are all decoration (`CIS-3.1`, `alarm`) matches only itself, exactly.
 */
import type { IncidentCategory } from './incident.ts';

/** A CloudWatch alarm Cordon knows: one of its CIS detections. */
export interface KnownAlarm {
  /** The detection's alarm name (detections/alarms.ts), the key of `settings.alarmPlaybooks` by default. */
  readonly name: string;
  readonly category: IncidentCategory;
  /** The incident's score while the alarm is in ALARM. */
  readonly score: number;
  /** Other names teams give this CIS alarm (compared by words, like the name). */
  readonly aliases: readonly string[];
}

/**
 * The CIS alarms Cordon deploys (on CloudTrail metric filters) and what each means. The aliases are the CIS
 * recommendation's own words and their common short forms ("Ensure a log metric filter and alarm exist for
 * usage of the root account", "… for unauthorized API calls", "… for AWS Management Console authentication
 * failures", …) and Security Hub's example alarm names (`CIS-4.4-IAMPolicyChanges`,
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html); other alarm names are
 * `suspicious-activity`, and settings decide which playbook any name runs.
 */
export const KNOWN_ALARMS: readonly KnownAlarm[] = [
  {
    name: 'RootAccountUsage',
    category: 'root-activity',
    score: 9,
    aliases: ['RootUsage', 'RootAccountUse', 'UsageOfRootAccount', 'RootActivity', 'RootAccountActivity'],
  },
  {
    name: 'UnauthorizedAPICalls',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['UnauthorizedApiCall', 'UnauthorisedAPICalls', 'UnauthorisedApiCall'],
  },
  {
    name: 'FailedConsoleLogins',
    category: 'suspicious-activity',
    score: 5,
    aliases: [
      'FailedConsoleLogin',
      'ConsoleLoginFailures',
      'ConsoleSigninFailures',
      'ConsoleSignInFailures',
      'ConsoleAuthenticationFailures',
      // Security Hub's example name for CloudWatch.6 (CIS-4.6-ConsoleAuthenticationFailure).
      'ConsoleAuthenticationFailure',
    ],
  },
  // CloudWatch.3–14: configuration changes a responder should hear about; medium like the two above. Each
  // name is Security Hub's example alarm name without `CIS-<n>-`; the aliases are the CIS titles' words.
  {
    name: 'ConsoleSigninWithoutMFA',
    category: 'suspicious-activity',
    score: 5,
    aliases: [
      'ConsoleSignInWithoutMFA',
      'ConsoleLoginWithoutMFA',
      'NoMFAConsoleSignin',
      'NoMFAConsoleLogins',
    ],
  },
  {
    name: 'IAMPolicyChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['IAMPolicyChange'],
  },
  {
    name: 'CloudTrailChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['CloudTrailChange', 'CloudTrailConfigChanges', 'CloudTrailConfigurationChanges'],
  },
  {
    name: 'DisableOrDeleteCMK',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['DisableOrDeleteCMKs', 'DisableOrScheduleDeleteCMK', 'CMKDisableOrDelete'],
  },
  {
    name: 'S3BucketPolicyChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['S3BucketPolicyChange'],
  },
  {
    name: 'AWSConfigChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['AWSConfigChange', 'AWSConfigConfigurationChanges'],
  },
  {
    name: 'SecurityGroupChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['SecurityGroupChange'],
  },
  {
    name: 'NetworkACLChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['NetworkACLChange', 'NACLChanges'],
  },
  {
    name: 'NetworkGatewayChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['NetworkGatewayChange'],
  },
  {
    name: 'RouteTableChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['RouteTableChange'],
  },
  {
    name: 'VPCChanges',
    category: 'suspicious-activity',
    score: 5,
    aliases: ['VPCChange'],
  },
];

const DECORATION = new Set(['alarm', 'alert']);
/** CloudWatch alarm names are at most 255 characters (PutMetricAlarm `AlarmName`); anything longer is cut. */
const MAX_NAME_LENGTH = 255;

/**
 * The words of an alarm name, decoration dropped (see the module's rule).
 *
 * @example alarmNameWords('CIS-1.7-RootAccountUsage') // ['root', 'account', 'usage']
 * @example alarmNameWords('root_usage_alarm') // ['root', 'usage']
 * @example alarmNameWords('Http5xxErrors') // ['http', '5', 'xx', 'errors']
 */
export function alarmNameWords(name: string): string[] {
  const words = name
    .slice(0, MAX_NAME_LENGTH)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  let start = 0;
  if (words[0] === 'cis') {
    start = 1;
    while (start < words.length && /^\d+$/.test(words[start] ?? '')) start += 1;
  }
  let end = words.length;
  while (start < end && DECORATION.has(words[start] ?? '')) start += 1;
  while (end > start && DECORATION.has(words[end - 1] ?? '')) end -= 1;
  return words.slice(start, end);
}

/** Each detection by the words of its name and of each alias (a Map: `constructor` finds nothing). */
const KNOWN_BY_WORDS: ReadonlyMap<string, KnownAlarm> = new Map(
  KNOWN_ALARMS.flatMap((alarm) =>
    [alarm.name, ...alarm.aliases].map((name) => [alarmNameWords(name).join(' '), alarm] as const),
  ),
);

/** What a name stands for: a known detection, its words, or (all decoration) only itself. */
function identityOf(name: string): string {
  const words = alarmNameWords(name);
  if (words.length === 0) return `exact:${name}`;
  const joined = words.join(' ');
  const known = KNOWN_BY_WORDS.get(joined);
  return known === undefined ? `words:${joined}` : `known:${known.name}`;
}

/**
 * Whether two alarm names stand for the same alarm (equal words, or names of the same Cordon detection).
 *
 * @example sameAlarm('CIS-3.1-UnauthorizedAPICalls', 'UnauthorizedAPICalls') // true
 * @example sameAlarm('Http5xxErrors', 'Http4xxErrors') // false
 */
export function sameAlarm(a: string, b: string): boolean {
  return a === b || identityOf(a) === identityOf(b);
}

/**
 * The Cordon detection an alarm name stands for, if any.
 *
 * @example knownAlarmOf('root_usage_alarm')?.name // 'RootAccountUsage'
 * @example knownAlarmOf('ServerCpuTooHigh') // undefined
 */
export function knownAlarmOf(name: string): KnownAlarm | undefined {
  const identity = identityOf(name);
  return KNOWN_ALARMS.find((alarm) => `known:${alarm.name}` === identity);
}

/** The settings entry an alarm name maps to, and how it matched. */
export interface AlarmMapping<T> {
  readonly key: string;
  readonly value: T;
  /** `exact`: the key is the alarm's name; `by-name`: the two stand for the same alarm (the module's rule). */
  readonly match: 'exact' | 'by-name';
  /** Other keys that stand for the same alarm (the first in sort order won). */
  readonly others: readonly string[];
}

/**
 * The entry of `mappings` (e.g. `settings.alarmPlaybooks`) for an alarm: the key equal to its name, else the
 * keys that stand for the same alarm, the first in sort order (so the answer never depends on the order the
 * settings were written in). Own keys only: a key such as `constructor` or `__proto__` is an ordinary name.
 *
 * @example alarmMapping('CIS-1.7-RootAccountUsage', { RootAccountUsage: 'root-activity' })
 * // { key: 'RootAccountUsage', value: 'root-activity', match: 'by-name', others: [] }
 */
export function alarmMapping<T>(
  name: string,
  mappings: Readonly<Record<string, T>>,
): AlarmMapping<T> | undefined {
  if (Object.hasOwn(mappings, name)) {
    return { key: name, value: mappings[name] as T, match: 'exact', others: [] };
  }
  const identity = identityOf(name);
  const [first, ...others] = Object.keys(mappings)
    .filter((key) => identityOf(key) === identity)
    .sort();
  if (first === undefined || identity.startsWith('exact:')) return undefined;
  return { key: first, value: mappings[first] as T, match: 'by-name', others };
}
