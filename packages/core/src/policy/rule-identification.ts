/**
 * Which managed AWS Config rule a result comes from, whatever name the rule was deployed under: a conformance
 * pack deploys `restricted-ssh` as `restricted-ssh-conformance-pack-<suffix>`, Security Hub as
 * `securityhub-restricted-ssh-<suffix>`, Control Tower under an `AWSControlTower_…` name, and a team under any
 * name it likes. The rule's **source identifier** (`Source.SourceIdentifier` of `config:DescribeConfigRules`,
 * https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigRules.html) says which managed rule
 * it is; triage reads it in the incident's account and region through a port (the observer role in a member
 * account), cached per account, region and rule name. When the rule cannot be read, the name identifies it
 * (playbooks/config-rules.ts `ruleIdentifierFromName`), and the incident says so.
 *
 * Pure: the lookup and the clock are given.
 */
import type { Permission } from '../actions/types.ts';
import { ConfigRuleParametersInvalidError } from '../errors.ts';
import { configRuleSeverity, UNDECLARED_RULE_SCORE } from '../intake/config-rules.ts';
import { type ConfigFacts, type Incident, severityOf } from '../intake/incident.ts';
import { configRuleRoute } from '../playbooks/catalog.ts';

/** A Config rule as DescribeConfigRules describes it. */
export interface DescribedConfigRule {
  readonly name: string;
  /** `Source.Owner`: `AWS` for a managed rule, `CUSTOM_LAMBDA` or `CUSTOM_POLICY` for a custom one. */
  readonly owner: string;
  /** `Source.SourceIdentifier`: the managed rule's identifier (a custom Lambda rule's function ARN). */
  readonly sourceIdentifier?: string;
  /** `InputParameters`, parsed: parameter name → value (values as strings, as Config keeps them). */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface ConfigRuleRequest {
  readonly account: string;
  readonly region: string;
  readonly ruleName: string;
}

/**
 * Reads one rule in an account and region; `undefined` when Config answers that there is no such rule
 * (`NoSuchConfigRuleException`). Any other failure throws.
 */
export type DescribeConfigRule = (request: ConfigRuleRequest) => Promise<DescribedConfigRule | undefined>;

/** A rule input parameter value that is not a string (a number or a boolean in the JSON) is kept as its text. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * A rule's `InputParameters` (a JSON object in a string) as parameter name → value.
 *
 * @throws ConfigRuleParametersInvalidError when the text is not a JSON object.
 * @example parseRuleParameters('{"blockedPort1":"20","blockedPort2":21}') // { blockedPort1: '20', blockedPort2: '21' }
 */
export function parseRuleParameters(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigRuleParametersInvalidError(
      `The rule's InputParameters are not JSON: ${(error as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigRuleParametersInvalidError("The rule's InputParameters are not a JSON object.");
  }
  const parameters: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const text = asText(value);
    if (text !== undefined) parameters[key] = text;
  }
  return parameters;
}

/**
 * The settings key of a Config result's rule: its source identifier when it is known, else its name without a
 * conformance pack's suffix (a custom rule, or a rule nothing identified).
 *
 * @example settingsKeyOf({ baseRuleName: 'restricted-ssh', rule: { identifier: 'INCOMING_SSH_DISABLED', by: 'source-identifier' } }) // 'INCOMING_SSH_DISABLED'
 */
export function settingsKeyOf(facts: Pick<ConfigFacts, 'baseRuleName' | 'rule'>): string {
  return facts.rule?.identifier ?? facts.baseRuleName;
}

/**
 * The incident as the described rule makes it: the rule's identifier (none for a custom rule) and parameters,
 * the category its route gives, and its declared severity (low for a rule no declaration knows).
 */
function described(incident: Incident, facts: ConfigFacts, rule: DescribedConfigRule): Incident {
  const managed = rule.owner === 'AWS' && rule.sourceIdentifier !== undefined;
  const identifier = managed ? rule.sourceIdentifier : undefined;
  // Intake's severity hook (intake/config-rules.ts), now with the identifier. A custom rule is no playbook's
  // declaration whatever its name; only the hook's severity table still rates it by name, as intake did.
  const byName = configRuleSeverity({ rule: facts.baseRuleName });
  const rated =
    identifier !== undefined
      ? configRuleSeverity({ rule: facts.baseRuleName, identifier })
      : byName.declaredBy === 'severity-table'
        ? byName
        : {
            score: UNDECLARED_RULE_SCORE,
            declaredBy: 'undeclared' as const,
            reason: `${facts.configRuleName} is a custom rule, so no severity is declared for it`,
          };
  const noncompliant = facts.complianceType === 'NON_COMPLIANT';
  const severity = !noncompliant ? incident.severity : severityOf(rated.score);
  const category =
    (identifier === undefined ? undefined : configRuleRoute(identifier)?.route.category) ??
    'noncompliant-resource';
  const how = managed
    ? `the managed rule ${identifier}`
    : `a custom rule (${rule.owner}), mapped by its name ${facts.baseRuleName}`;
  return {
    ...incident,
    category,
    severity,
    facts: {
      ...facts,
      severityDeclaredBy: rated.declaredBy,
      rule: {
        ...(identifier === undefined ? {} : { identifier }),
        by: 'source-identifier',
        owner: rule.owner,
        parameters: rule.parameters,
      },
    },
    notes: [
      ...incident.notes,
      `Config rule ${facts.configRuleName} is ${how} (DescribeConfigRules).`,
      ...(noncompliant ? [`Severity ${rated.score}: ${rated.reason}.`] : []),
    ],
  };
}

/**
 * Identifies the rule of a Config result by its source identifier: reads the rule with `describe` (in the
 * incident's account and region) and gives the incident the rule's identifier, parameters, category and
 * declared severity. Any other incident comes back unchanged. When the rule cannot be read (AccessDenied,
 * throttling, no such rule), the name intake identified stays, its parameters stay unknown, and a note and
 * `warn` say why — triage never fails because a rule could not be read.
 *
 * @example const incident = await identifyConfigRule(received.incident, describeConfigRule, { warn })
 */
export async function identifyConfigRule(
  incident: Incident,
  describe: DescribeConfigRule,
  options: { readonly warn?: (message: string, extra: Record<string, unknown>) => void } = {},
): Promise<Incident> {
  const facts = incident.facts;
  if (facts.source !== 'config') return incident;
  let rule: DescribedConfigRule | undefined;
  let failure: string | undefined;
  try {
    rule = await describe({
      account: incident.account,
      region: incident.region,
      ruleName: facts.configRuleName,
    });
    if (rule === undefined) failure = 'Config has no rule of that name in the account and region';
  } catch (error) {
    failure = `DescribeConfigRules failed: ${error instanceof Error ? error.name : String(error)}`;
  }
  if (rule !== undefined) return described(incident, facts, rule);
  options.warn?.('Could not read the Config rule; it is identified by its name', {
    incidentId: incident.id,
    rule: facts.configRuleName,
    failure,
  });
  const byName = facts.rule?.identifier;
  return {
    ...incident,
    notes: [
      ...incident.notes,
      byName === undefined
        ? `Config rule ${facts.configRuleName} could not be read (${failure}) and its name names no managed rule Cordon knows.`
        : `Config rule ${facts.configRuleName} could not be read (${failure}): identified as ${byName} by its name; its parameters are unknown.`,
    ],
  };
}

/**
 * What reading a rule needs: triage holds it for its home account, and the read-only observer role holds it in
 * member accounts (infra/permissions.ts, infra/member-account/template.ts).
 */
export const RULE_LOOKUP_PERMISSIONS: readonly Permission[] = [
  {
    actions: ['config:DescribeConfigRules'],
    resources: ['*'],
    why: "Identify a Config result's rule by its source identifier and read its parameters, whatever name it was deployed under (config:DescribeConfigRules has no resource-level permissions).",
  },
];

/** How long a described rule is trusted: rules change rarely, and a changed one is read again after this. */
export const CONFIG_RULE_CACHE_SECONDS = 900;

/**
 * A DescribeConfigRule that remembers each answer (a rule, or "no such rule") for `ttlSeconds` per account,
 * region and rule name, and sends one request for concurrent asks of the same rule. Failures are not kept: the
 * next ask reads again.
 *
 * @example const describe = cachedConfigRules(describeWithSdk, { ttlSeconds: 900, now: () => Date.now() });
 */
export function cachedConfigRules(
  describe: DescribeConfigRule,
  options: { readonly ttlSeconds?: number; readonly now?: () => number } = {},
): DescribeConfigRule {
  const ttl = (options.ttlSeconds ?? CONFIG_RULE_CACHE_SECONDS) * 1000;
  const now = options.now ?? (() => Date.now());
  const cache = new Map<string, { until: number; answer: Promise<DescribedConfigRule | undefined> }>();
  return (request) => {
    const key = `${request.account}|${request.region}|${request.ruleName}`;
    const cached = cache.get(key);
    if (cached !== undefined && cached.until > now()) return cached.answer;
    const answer = describe(request);
    cache.set(key, { until: now() + ttl, answer });
    // A failed read is forgotten, so that the next triage asks again.
    answer.catch(() => {
      if (cache.get(key)?.answer === answer) cache.delete(key);
    });
    return answer;
  };
}
