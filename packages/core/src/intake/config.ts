import { configRuleRoute } from '../playbooks/catalog.ts';
import { ruleIdentifierFromName } from '../playbooks/config-rules.ts';
import * as z from '../zod.ts';
import { accountIdProblem } from './account-id.ts';
import { configRuleSeverity } from './config-rules.ts';
import {
  type ConfigFacts,
  type Incident,
  type IncidentCategory,
  makeIncidentId,
  type Resource,
  severityOf,
} from './incident.ts';
import { accepted, type IntakeResult, rejected } from './result.ts';
import { toIsoTime } from './timestamps.ts';

/** COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA: not an incident, and the policy ignores them. */
const OTHER_RESULT_SCORE = 1;

const EvaluationSchema = z.looseObject({
  complianceType: z.string().check(z.minLength(1)),
  resultRecordedTime: z.catch(z.optional(z.string()), undefined),
  annotation: z.catch(z.nullish(z.string()), undefined),
});

const ComplianceChangeSchema = z.looseObject({
  account: z.string().check(z.minLength(1)),
  region: z.string().check(z.minLength(1)),
  time: z.optional(z.string()),
  detail: z.looseObject({
    configRuleName: z.string().check(z.minLength(1)),
    resourceType: z.string().check(z.minLength(1)),
    resourceId: z.string().check(z.minLength(1)),
    awsAccountId: z.optional(z.string()),
    awsRegion: z.optional(z.string()),
    notificationCreationTime: z.optional(z.string()),
    newEvaluationResult: EvaluationSchema,
    oldEvaluationResult: z.catch(z.nullish(EvaluationSchema), undefined),
  }),
});

/**
 * A conformance pack deploys managed rules with a suffix (`access-keys-rotated-conformance-pack-k3lqt8bvs`);
 * the base name is what settings map to a playbook.
 *
 * @example baseRuleName('access-keys-rotated-conformance-pack-k3lqt8bvs') // 'access-keys-rotated'
 */
export function baseRuleName(ruleName: string): string {
  return ruleName.replace(/-conformance-pack-[a-z0-9]+$/i, '');
}

/**
 * Normalizes an EventBridge "Config Rules Compliance Change" event. For IAM users the resource id is the
 * `AIDA…` user id, not the user name (DOMAIN.md item 9): the incident keeps it as `userId`.
 * The native id is rule + resource + the result's recorded time, so re-deliveries share an id while a
 * resource that turns NON_COMPLIANT again after being fixed is a new incident.
 */
export function normalizeComplianceChange(event: unknown): IntakeResult {
  const parsed = ComplianceChangeSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return rejected(
      'config-compliance-change',
      `The Config Rules Compliance Change event is missing required fields: ${problems.join('; ')}.`,
    );
  }
  const { detail } = parsed.data;
  // Both account ids are read (the result's, and the envelope's for a forwarded event): each must be one.
  const badAccount =
    accountIdProblem('account', parsed.data.account) ??
    (detail.awsAccountId === undefined
      ? undefined
      : accountIdProblem('detail.awsAccountId', detail.awsAccountId));
  if (badAccount !== undefined) return rejected('config-compliance-change', `${badAccount}.`);
  const account = detail.awsAccountId ?? parsed.data.account;
  const region = detail.awsRegion ?? parsed.data.region;
  const recorded =
    toIsoTime(detail.newEvaluationResult.resultRecordedTime) ??
    toIsoTime(detail.notificationCreationTime) ??
    toIsoTime(parsed.data.time);
  if (recorded === undefined) {
    return rejected('config-compliance-change', 'The Config compliance change has no readable time.');
  }
  const base = baseRuleName(detail.configRuleName);
  const complianceType = detail.newEvaluationResult.complianceType;
  // Only the name is known here; triage reads the rule's source identifier (policy/rule-identification.ts).
  const identifier = ruleIdentifierFromName(detail.configRuleName);
  // The playbook that knows the rule says what its results are (access-keys-rotated: stale credentials).
  const category: IncidentCategory =
    (identifier === undefined ? undefined : configRuleRoute(identifier)?.route.category) ??
    'noncompliant-resource';
  // How bad a NON_COMPLIANT result is: declared per rule (config-rules.ts), low for a rule nobody declared.
  const ruleSeverity = configRuleSeverity({
    rule: base,
    ...(identifier === undefined ? {} : { identifier }),
  });
  const noncompliant = complianceType === 'NON_COMPLIANT';
  const resource: Resource =
    detail.resourceType === 'AWS::IAM::User'
      ? { kind: 'iam-user', role: 'affected', userId: detail.resourceId }
      : {
          kind: 'aws-resource',
          role: 'affected',
          resourceType: detail.resourceType,
          resourceId: detail.resourceId,
        };
  const facts: ConfigFacts = {
    source: 'config',
    configRuleName: detail.configRuleName,
    baseRuleName: base,
    rule: identifier === undefined ? { by: 'none' } : { identifier, by: 'name' },
    complianceType,
    previousComplianceType: detail.oldEvaluationResult?.complianceType,
    resourceType: detail.resourceType,
    resourceId: detail.resourceId,
    annotation: detail.newEvaluationResult.annotation ?? undefined,
    severityDeclaredBy: ruleSeverity.declaredBy,
  };
  const nativeId = `${detail.configRuleName}/${detail.resourceType}/${detail.resourceId}@${recorded}`;
  const incident: Incident = {
    id: makeIncidentId('config', account, region, nativeId),
    source: 'config',
    account,
    region,
    type: `ConfigRule/${complianceType}`,
    title: `${detail.resourceType} ${detail.resourceId} is ${complianceType} with ${detail.configRuleName}`,
    description: facts.annotation,
    severity: severityOf(noncompliant ? ruleSeverity.score : OTHER_RESULT_SCORE),
    category,
    resources: [resource],
    observedAt: recorded,
    sample: false,
    nativeId,
    count: 1,
    updatedAt: recorded,
    facts,
    notes: noncompliant ? [`Severity ${ruleSeverity.score}: ${ruleSeverity.reason}.`] : [],
  };
  return accepted(incident, 'config-compliance-change');
}
