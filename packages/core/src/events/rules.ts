/**
 * The EventBridge rules Cordon deploys, defined once: infra turns them into `aws.cloudwatch.EventRule`s and the
 * local deployment (packages/local) routes every event it is given through the same patterns, so what is tested
 * locally is what runs in AWS. The options of the deployed rules are derived here too ({@link deployedRuleOptions}),
 * for infra and the local deployment alike.
 */
import { DETECTION_ALARM_NAMES } from '../detections/alarms.ts';
import { InvalidEventRuleOptionsError } from '../errors.ts';
import { DEFAULT_SETTINGS } from '../policy/settings.ts';
import { type EventPattern, matchesPattern, validatePattern } from './pattern.ts';

/** One EventBridge rule: `id` becomes the rule's name suffix, `description` its description. */
export interface EventRule {
  readonly id: string;
  readonly description: string;
  readonly pattern: EventPattern;
}

export interface EventRuleOptions {
  /** GuardDuty findings below this score (0–10, GuardDuty's scale) never reach Cordon. */
  readonly guardDutyMinSeverity: number;
  /**
   * The CloudWatch alarms Cordon answers (the CIS alarms on CloudTrail metric filters); state changes of any
   * other alarm in the account are left alone.
   */
  readonly alarmNames: readonly string[];
}

/** The ids of {@link buildEventRules}' rules, in the order they are returned. */
export const EVENT_RULE_IDS = ['guardduty-findings', 'cloudwatch-alarms', 'config-compliance'] as const;
export type EventRuleId = (typeof EVENT_RULE_IDS)[number];

/**
 * Builds Cordon's three rules: GuardDuty findings at or above a severity floor, state changes into ALARM of the
 * named CloudWatch alarms, and AWS Config evaluations that turned NON_COMPLIANT. Each pattern goes through
 * {@link validatePattern}, so a rule EventBridge would refuse fails here, at build time.
 *
 * @throws InvalidEventRuleOptionsError when the floor is not a number in 0–10, or an alarm name is empty or
 *   missing (an empty list would deploy a rule that EventBridge refuses: `"alarmName": []`).
 *
 * @example
 * const rules = buildEventRules({ guardDutyMinSeverity: 7, alarmNames: ['cis-root-account-usage'] });
 * rules.map((rule) => rule.id); // ['guardduty-findings', 'cloudwatch-alarms', 'config-compliance']
 */
export function buildEventRules(options: EventRuleOptions): readonly EventRule[] {
  const { guardDutyMinSeverity, alarmNames } = validateOptions(options);
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
      description: `Cordon's CloudWatch alarms entering ALARM (${alarmNames.join(', ')})`,
      // "Alarm State Change" only: configuration changes carry a state too, and OK/INSUFFICIENT_DATA transitions
      // are not incidents.
      pattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: alarmNames, state: { value: ['ALARM'] } },
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
 * const rules = buildEventRules({ guardDutyMinSeverity: 4, alarmNames: ['cis-root-account-usage'] });
 * matchingRules(rules, { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: { severity: 5 } })
 *   .map((rule) => rule.id); // ['guardduty-findings']
 */
export function matchingRules(rules: readonly EventRule[], event: unknown): EventRule[] {
  return rules.filter((rule) => matchesPattern(rule.pattern, event));
}

/** What a deployment adds to the rules' options: the deploy configuration's extra alarm names. */
export interface DeployedRuleInputs {
  /**
   * CloudWatch alarms, besides Cordon's detections and the default settings' alarm playbooks, whose ALARM state
   * triage answers (`CORDON_EXTRA_ALARMS` when `sst deploy` runs, infra/config.ts).
   */
  readonly extraAlarmNames?: readonly string[];
}

/**
 * The options Cordon's rules are deployed with. The severity floor is the default settings' `ignoreBelow` and
 * the alarm names are the default settings' alarm playbooks, the detections and the extra names: the rules are
 * fixed at deploy time, so a floor or an alarm mapping changed later in SSM does not change what EventBridge
 * delivers (docs/event-rules.md).
 *
 * @example
 * deployedRuleOptions({ extraAlarmNames: ['ServerCpuTooHigh'] }).alarmNames
 * // ['RootAccountUsage', 'UnauthorizedAPICalls', 'FailedConsoleLogins', 'ServerCpuTooHigh']
 */
export function deployedRuleOptions(inputs: DeployedRuleInputs = {}): EventRuleOptions {
  return {
    guardDutyMinSeverity: DEFAULT_SETTINGS.severity.ignoreBelow,
    alarmNames: [
      ...new Set([
        ...Object.keys(DEFAULT_SETTINGS.alarmPlaybooks),
        ...DETECTION_ALARM_NAMES,
        ...(inputs.extraAlarmNames ?? []),
      ]),
    ],
  };
}

/**
 * The rules as deployed: {@link buildEventRules} with {@link deployedRuleOptions}.
 *
 * @example deployedRules().map((rule) => rule.id) // ['guardduty-findings', 'cloudwatch-alarms', 'config-compliance']
 */
export function deployedRules(inputs: DeployedRuleInputs = {}): readonly EventRule[] {
  return buildEventRules(deployedRuleOptions(inputs));
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
  readonly alarmNames: readonly [string, ...string[]];
}

function validateOptions(options: EventRuleOptions): ValidOptions {
  const { guardDutyMinSeverity, alarmNames } = options;
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
  // Options come from settings at run time: check what the type promises instead of trusting it.
  const names: readonly unknown[] = Array.isArray(alarmNames) ? alarmNames : [];
  for (const [index, name] of names.entries()) {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidEventRuleOptionsError(`alarmNames[${index}] must be a non-empty alarm name`);
    }
  }
  // Duplicates would not change what matches; dropping them keeps the deployed pattern readable.
  const [first, ...rest] = [...new Set(names.filter((name): name is string => typeof name === 'string'))];
  if (first === undefined) {
    throw new InvalidEventRuleOptionsError(
      'alarmNames must name at least one CloudWatch alarm: EventBridge refuses an empty list',
    );
  }
  return { guardDutyMinSeverity, alarmNames: [first, ...rest] };
}
