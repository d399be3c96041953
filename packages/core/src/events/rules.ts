/**
 * The EventBridge rules Cordon deploys, defined once: infra turns them into `aws.cloudwatch.EventRule`s and the
 * local engine routes replayed events with the same patterns, so what is tested locally is what runs in AWS.
 */
import { InvalidEventRuleOptionsError } from '../errors.ts';
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
