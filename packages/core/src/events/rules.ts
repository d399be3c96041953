/**
 * The EventBridge rules Cordon deploys, defined once: infra turns them into `aws.cloudwatch.EventRule`s and the
 * local deployment (packages/local) routes every event it is given through the same patterns, so what is tested
 * locally is what runs in AWS. The options of the deployed rules are derived here too ({@link deployedRuleOptions}),
 * for infra and the local deployment alike.
 */
import { InvalidEventRuleOptionsError } from '../errors.ts';
import { DEFAULT_SETTINGS } from '../policy/settings.ts';
import { type EventPattern, matchesPattern } from './pattern.ts';
import { validatePattern } from './pattern-validate.ts';

/** One EventBridge rule: `id` becomes the rule's name suffix, `description` its description. */
export interface EventRule {
  readonly id: string;
  readonly description: string;
  readonly pattern: EventPattern;
}

export interface EventRuleOptions {
  /** GuardDuty findings below this score (0–10, GuardDuty's scale) never reach Cordon. */
  readonly guardDutyMinSeverity: number;
}

/** The ids of {@link buildEventRules}' rules, in the order they are returned. */
export const EVENT_RULE_IDS = ['guardduty-findings', 'cloudwatch-alarms', 'config-compliance'] as const;
export type EventRuleId = (typeof EVENT_RULE_IDS)[number];

/**
 * Builds Cordon's three rules: GuardDuty findings at or above a severity floor, every CloudWatch alarm of the
 * account entering ALARM, and AWS Config evaluations that turned NON_COMPLIANT. Each pattern goes through
 * {@link validatePattern}, so a rule EventBridge would refuse fails here, at build time.
 *
 * The alarm rule names no alarm on purpose: which alarms Cordon answers is `settings.alarmPlaybooks`, which the
 * security team changes in SSM at any time, and a rule fixed at deploy time would drop an alarm mapped later
 * before triage could read the mapping. Triage records and ignores an alarm no mapping names
 * (docs/event-rules.md says what that costs).
 *
 * @throws InvalidEventRuleOptionsError when the floor is not a number in 0–10.
 *
 * @example
 * const rules = buildEventRules({ guardDutyMinSeverity: 7 });
 * rules.map((rule) => rule.id); // ['guardduty-findings', 'cloudwatch-alarms', 'config-compliance']
 */
export function buildEventRules(options: EventRuleOptions): readonly EventRule[] {
  const { guardDutyMinSeverity } = validateOptions(options);
  const rules: readonly EventRule[] = [
    {
      id: 'guardduty-findings',
      description: `GuardDuty findings with severity ${guardDutyMinSeverity} or more`,
      // EventBridge delivers GuardDuty findings in camelCase (`detail.severity`), the GetFindings JSON shape.
      pattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', guardDutyMinSeverity] }] },
      },
    },
    {
      id: 'cloudwatch-alarms',
      description:
        'CloudWatch alarms entering ALARM (settings.alarmPlaybooks decides which ones Cordon answers)',
      // "Alarm State Change" only: configuration changes carry a state too, and OK/INSUFFICIENT_DATA transitions
      // are not incidents. Every alarm of the account, whatever its name: the settings map names, not the rule.
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
      pattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { state: { value: ['ALARM'] } },
      },
    },
    {
      id: 'config-compliance',
      description: 'AWS Config rule evaluations that became NON_COMPLIANT',
      pattern: {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: {
          messageType: ['ComplianceChangeNotification'],
          newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
        },
      },
    },
  ] satisfies ReadonlyArray<EventRule & { readonly id: EventRuleId }>;
  return rules.map((rule) => ({ ...rule, pattern: validatePattern(rule.pattern) }));
}

/**
 * The rules whose pattern matches the event, in the rules' order; empty when none does (a Lambda alarm-action
 * payload, an SNS notification, a configuration change of an alarm).
 *
 * @example
 * const rules = buildEventRules({ guardDutyMinSeverity: 4 });
 * matchingRules(rules, { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: { severity: 5 } })
 *   .map((rule) => rule.id); // ['guardduty-findings']
 */
export function matchingRules(rules: readonly EventRule[], event: unknown): EventRule[] {
  return rules.filter((rule) => matchesPattern(rule.pattern, event));
}

/**
 * The options Cordon's rules are deployed with: the severity floor is the default settings' `ignoreBelow`. The
 * rules are fixed at deploy time, so a floor raised later in SSM is applied by triage (the finding is delivered,
 * then ignored) — which is why the floor deployed is the lowest one, and why the alarm rule names no alarm
 * (docs/event-rules.md).
 *
 * @example deployedRuleOptions() // { guardDutyMinSeverity: 0 }
 */
export function deployedRuleOptions(): EventRuleOptions {
  return { guardDutyMinSeverity: DEFAULT_SETTINGS.severity.ignoreBelow };
}

/**
 * The rules as deployed: {@link buildEventRules} with {@link deployedRuleOptions}, for infra and the local
 * deployment alike.
 *
 * @example deployedRules().map((rule) => rule.id) // ['guardduty-findings', 'cloudwatch-alarms', 'config-compliance']
 */
export function deployedRules(): readonly EventRule[] {
  return buildEventRules(deployedRuleOptions());
}

/**
 * Why no rule matches an event, in words: the rule that takes the event's source and detail-type and the first
 * field of its pattern the event fails, or that no rule takes that source and detail-type at all. EventBridge
 * discards such an event without a trace (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-logs-execution-steps.html),
 * so the local deployment reports it with this reason instead.
 *
 * @example
 * explainNoMatch(deployedRules(), { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: { Severity: 8 } })
 * // 'rule guardduty-findings: detail.severity does not match [{"numeric":[">=",0]}] (the event has none)'
 */
export function explainNoMatch(rules: readonly EventRule[], event: unknown): string {
  if (!isRecord(event)) return 'the event is not a JSON object: no rule matches anything else';
  const source = event.source;
  const detailType = event['detail-type'];
  if (typeof source !== 'string' || typeof detailType !== 'string') {
    const missing = [
      ...(typeof source === 'string' ? [] : ['`source`']),
      ...(typeof detailType === 'string' ? [] : ['`detail-type`']),
    ].join(' and ');
    return `the event has no ${missing}: it is not an EventBridge event, and every rule names both`;
  }
  const envelope = { source, 'detail-type': detailType };
  const candidates = rules.filter((rule) => {
    const { source: sources, 'detail-type': detailTypes } = rule.pattern;
    const head: Record<string, EventPattern[string]> = {};
    if (sources !== undefined) head.source = sources;
    if (detailTypes !== undefined) head['detail-type'] = detailTypes;
    return matchesPattern(head, envelope);
  });
  if (candidates.length === 0) {
    return `no rule takes source ${JSON.stringify(source)} with detail-type ${JSON.stringify(detailType)}`;
  }
  return candidates
    .map((rule) => {
      const mismatch = firstMismatch(rule.pattern, event, []);
      if (mismatch === undefined) return `rule ${rule.id}: does not match`;
      const shown =
        mismatch.actual === undefined
          ? 'the event has none'
          : `the event has ${JSON.stringify(mismatch.actual)}`;
      return `rule ${rule.id}: ${mismatch.path} does not match ${JSON.stringify(mismatch.expected)} (${shown})`;
    })
    .join('; ');
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The deepest field of `pattern` that `event` fails, found by matching one field of the pattern at a time. */
function firstMismatch(
  pattern: EventPattern,
  event: Readonly<Record<string, unknown>>,
  path: readonly string[],
): { path: string; expected: unknown; actual: unknown } | undefined {
  for (const [key, expected] of Object.entries(pattern)) {
    // Each field alone, as a pattern of its own: matching stays the matcher's, only the search is here.
    if (matchesPattern({ [key]: expected } as EventPattern, event)) continue;
    const actual = key === '$or' ? event : event[key];
    if (key !== '$or' && !Array.isArray(expected) && isRecord(actual)) {
      const deeper = firstMismatch(expected as EventPattern, actual, [...path, key]);
      if (deeper !== undefined) return deeper;
    }
    return { path: [...path, key].join('.'), expected, actual };
  }
  return undefined;
}

interface ValidOptions {
  readonly guardDutyMinSeverity: number;
}

function validateOptions(options: EventRuleOptions): ValidOptions {
  const { guardDutyMinSeverity } = options;
  if (
    typeof guardDutyMinSeverity !== 'number' ||
    !Number.isFinite(guardDutyMinSeverity) ||
    guardDutyMinSeverity < 0 ||
    guardDutyMinSeverity > 10
  ) {
    throw new InvalidEventRuleOptionsError(
      `guardDutyMinSeverity must be a number from 0 to 10 (GuardDuty's scale), got ${String(guardDutyMinSeverity)}`,
    );
  }
  return { guardDutyMinSeverity };
}
