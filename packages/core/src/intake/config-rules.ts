/**
 * How severe a NON_COMPLIANT result of an AWS Config rule is. A rule is *declared* when Cordon knows how bad
 * its findings are: the table below gives the severity of a managed rule (keyed by the managed rule's source
 * identifier, with the rule's default name as the fallback until triage reads the identifier), and a rule
 * Cordon declares (playbooks/config-rules.ts: the rules its playbooks act on) has the severity declared there. A rule nobody declared
 * is **low**, and `decide` only records its results (a rule nobody mapped does not page; docs/intake.md).
 *
 * This is the hook issue 14 (posture) fills: one entry per managed rule, each with its source.
 */
import { configRule, ruleIdentifierFromName, SEVERITY_SCORES } from '../playbooks/config-rules.ts';

/** One managed rule whose results Cordon rates. */
export interface ConfigRuleSeverity {
  /** The managed rule's source identifier (`Source.SourceIdentifier`, e.g. `S3_BUCKET_PUBLIC_READ_PROHIBITED`). */
  readonly identifier: string;
  /** The managed rule's default name, what a rule deployed under that name (or a conformance pack's copy) carries. */
  readonly rule: string;
  /** GuardDuty's 0–10 scale, as every incident. */
  readonly score: number;
  /** Where the severity comes from. */
  readonly source: string;
}

const SECURITY_HUB_S3_CONTROLS = 'https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html';

/**
 * Managed rules with a declared severity: Security Hub's severity for the control that runs the rule
 * (Critical → 9, High → 7, Medium → 5, Low → 3, on the bands of docs/intake.md).
 *
 * @example CONFIG_RULE_SEVERITIES.find((entry) => entry.rule === 's3-bucket-public-read-prohibited')?.score // 9
 */
export const CONFIG_RULE_SEVERITIES: readonly ConfigRuleSeverity[] = [
  {
    // Identifier: https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html
    identifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
    rule: 's3-bucket-public-read-prohibited',
    score: 9,
    source: `Security Hub control S3.2, severity Critical (${SECURITY_HUB_S3_CONTROLS})`,
  },
  {
    // Identifier: https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-write-prohibited.html
    identifier: 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
    rule: 's3-bucket-public-write-prohibited',
    score: 9,
    source: `Security Hub control S3.3, severity Critical (${SECURITY_HUB_S3_CONTROLS})`,
  },
];

/** The score of a NON_COMPLIANT result of a rule nobody declared: low, recorded, never paged. */
export const UNDECLARED_RULE_SCORE = 3;

/** Where a rule's severity came from. */
export type ConfigRuleSeveritySource = 'severity-table' | 'playbook' | 'undeclared';

/**
 * The severity of a NON_COMPLIANT result of `rule` (a rule name without a conformance pack's suffix), and where
 * it came from. `identifier` (the managed rule's source identifier), when the caller knows it, wins over the
 * name: a managed rule deployed under another name is still recognised.
 *
 * @example configRuleSeverity({ rule: 's3-bucket-public-read-prohibited' }) // { score: 9, declaredBy: 'severity-table', … }
 * @example configRuleSeverity({ rule: 'my-team-rule' }) // { score: 3, declaredBy: 'undeclared', … }
 */
export function configRuleSeverity(input: { readonly rule: string; readonly identifier?: string }): {
  readonly score: number;
  readonly declaredBy: ConfigRuleSeveritySource;
  readonly reason: string;
} {
  const entry =
    (input.identifier === undefined
      ? undefined
      : CONFIG_RULE_SEVERITIES.find((candidate) => candidate.identifier === input.identifier)) ??
    CONFIG_RULE_SEVERITIES.find((candidate) => candidate.rule === input.rule);
  if (entry !== undefined) {
    return { score: entry.score, declaredBy: 'severity-table', reason: entry.source };
  }
  // A rule Cordon declares (playbooks/config-rules.ts, issue 14) carries its own default severity.
  const identifier = input.identifier ?? ruleIdentifierFromName(input.rule);
  const declared = identifier === undefined ? undefined : configRule(identifier);
  if (declared !== undefined) {
    return {
      score: SEVERITY_SCORES[declared.severity],
      declaredBy: 'playbook',
      reason: `${identifier} is declared ${declared.severity} (packages/core/src/playbooks/config-rules.ts) and a playbook acts on it`,
    };
  }
  return {
    score: UNDECLARED_RULE_SCORE,
    declaredBy: 'undeclared',
    reason: `no severity is declared for ${input.rule}, so its results are low`,
  };
}
