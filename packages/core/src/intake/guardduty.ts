import { accountIdProblem } from './account-id.ts';
import { classifyFinding } from './finding-types.ts';
import { guardDutyEvidence } from './guardduty-evidence.ts';
import { resourcesOf } from './guardduty-resources.ts';
import { GuardDutyFindingSchema } from './guardduty-schema.ts';
import { type GuardDutyFacts, type Incident, makeIncidentId, severityOf } from './incident.ts';
import { camelCaseKeys, isPascalCaseFinding } from './pascal-case.ts';
import { accepted, type IntakeResult, rejected } from './result.ts';
import { toIsoTime } from './timestamps.ts';

/** Where the finding came from, for the incident's facts and notes. */
export interface GuardDutyEnvelope {
  readonly shape: 'eventbridge' | 'raw';
  readonly account?: string;
  readonly region?: string;
  readonly time?: string;
}

/**
 * Normalizes one GuardDuty finding — the `detail` of an EventBridge event or a raw GetFindings finding —
 * into an incident. PascalCase findings (the SDK's casing) are converted on purpose and say so in `notes`.
 * Never throws: a finding that cannot be read is rejected with the reason.
 *
 * @example
 * normalizeGuardDutyFinding(event.detail, { shape: 'eventbridge', account: event.account, region: event.region })
 */
export function normalizeGuardDutyFinding(input: unknown, envelope: GuardDutyEnvelope): IntakeResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return rejected('guardduty-finding', 'The GuardDuty finding is not a JSON object.');
  }
  const notes: string[] = [];
  let finding: unknown = input;
  let pascal = false;
  if (isPascalCaseFinding(input as Record<string, unknown>)) {
    finding = camelCaseKeys(input);
    pascal = true;
    notes.push(
      'The finding used PascalCase keys (the AWS SDK casing, not what EventBridge delivers); Cordon converted it to camelCase on purpose.',
    );
  }
  const parsed = GuardDutyFindingSchema.safeParse(finding);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    return rejected(
      'guardduty-finding',
      `The GuardDuty finding is missing required fields: ${problems.join('; ')}.`,
    );
  }
  const data = parsed.data;
  // The account names the incident, the member role Cordon assumes and the ledger's partition: it must be
  // one. The field is named as it was sent (`detail.AccountId` for an envelope holding a PascalCase finding).
  const badAccount =
    accountIdProblem(
      `${envelope.shape === 'eventbridge' ? 'detail.' : ''}${pascal ? 'AccountId' : 'accountId'}`,
      data.accountId,
    ) ?? (envelope.account === undefined ? undefined : accountIdProblem('account', envelope.account));
  if (badAccount !== undefined) return rejected('guardduty-finding', `${badAccount}.`);
  const region = data.region ?? envelope.region;
  if (region === undefined || region === '') {
    return rejected(
      'guardduty-finding',
      'The GuardDuty finding names no region, and neither does its envelope.',
    );
  }
  const updatedAt = toIsoTime(data.updatedAt) ?? toIsoTime(data.createdAt) ?? toIsoTime(envelope.time);
  if (updatedAt === undefined) {
    return rejected('guardduty-finding', 'The GuardDuty finding has no readable updatedAt/createdAt time.');
  }
  const observedAt = toIsoTime(data.service?.eventLastSeen) ?? updatedAt;
  if (envelope.account !== undefined && envelope.account !== data.accountId) {
    notes.push(
      `Delivered in account ${envelope.account} for member account ${data.accountId} (GuardDuty delegated administrator).`,
    );
  }

  const action = data.service?.action ?? undefined;
  const accessKey = data.resource?.accessKeyDetails ?? undefined;
  const classification = classifyFinding({
    type: data.type,
    resourceType: data.resource?.resourceType,
    actionType: action?.actionType,
    connectionDirection: action?.networkConnectionAction?.connectionDirection,
    userType: accessKey?.userType,
    accessKeyId: accessKey?.accessKeyId,
  });
  const facts: GuardDutyFacts = {
    source: 'guardduty',
    findingType: data.type,
    resourceType: data.resource?.resourceType,
    actionType: action?.actionType,
    connectionDirection: action?.networkConnectionAction?.connectionDirection,
    resourceRole: data.service?.resourceRole,
    featureName: data.service?.featureName,
    api: action?.awsApiCallAction?.api,
    findingFamily: classification.family,
    knownType: classification.known,
    archived: data.service?.archived ?? false,
    shape: pascal ? `${envelope.shape}-pascalcase` : envelope.shape,
    requiresApproval: classification.approval === 'required',
  };
  const evidence = guardDutyEvidence(finding);
  const incident: Incident = {
    id: makeIncidentId('guardduty', data.accountId, region, data.id),
    source: 'guardduty',
    account: data.accountId,
    region,
    type: data.type,
    title: data.title ?? data.type,
    description: data.description,
    severity: severityOf(data.severity),
    category: classification.category,
    resources: resourcesOf(
      data,
      {
        role: classification.role,
        ...(classification.keyRole === undefined ? {} : { keyRole: classification.keyRole }),
      },
      data.accountId,
    ),
    observedAt,
    sample: isSample(data.service?.additionalInfo),
    nativeId: data.id,
    count: data.service?.count ?? 1,
    updatedAt,
    facts,
    ...(evidence === undefined ? {} : { evidence }),
    notes: [...notes, classification.rationale],
  };
  return accepted(incident, envelope.shape === 'eventbridge' ? 'guardduty-eventbridge' : 'guardduty-finding');
}

/**
 * `service.additionalInfo.sample == true` marks CreateSampleFindings output (DOMAIN.md item 2). Newer findings
 * carry it inside `additionalInfo.value`, a JSON string (`{"type":"default","value":"{\"sample\":true}"}`).
 * Own properties only: a `__proto__` key inside the finding never makes it a sample.
 */
function isSample(additionalInfo: unknown): boolean {
  if (additionalInfo === null || typeof additionalInfo !== 'object') return false;
  const info = additionalInfo as Record<string, unknown>;
  const own = (record: Record<string, unknown>, key: string) =>
    Object.hasOwn(record, key) ? record[key] : undefined;
  const sample = own(info, 'sample');
  if (sample === true || sample === 'true') return true;
  const value = own(info, 'value');
  if (typeof value === 'string') {
    try {
      const inner: unknown = JSON.parse(value);
      return (
        inner !== null &&
        typeof inner === 'object' &&
        own(inner as Record<string, unknown>, 'sample') === true
      );
    } catch {
      return false;
    }
  }
  return false;
}
