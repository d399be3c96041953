import { alarmMapping } from '../intake/alarm-names.ts';
import type { AccessKeyResource, Incident, Resource } from '../intake/incident.ts';
import {
  configRuleMappingRefusal,
  FALLBACK_PLAYBOOK,
  PLAYBOOKS,
  type PlaybookDefinition,
  plannedSteps,
  playbookForFinding,
  type TargetKind,
} from '../playbooks/catalog.ts';
import type { PlaybookId, StepId } from '../playbooks/ids.ts';
import { manualFixText } from '../playbooks/manual-fixes.ts';
import { postureOf, postureResourceTypes, TARGET_KINDS } from '../playbooks/target-kinds.ts';
import { type CordonIdentity, ownPrincipalVerdict, type PrincipalVerdict } from './own-principals.ts';
import { settingsKeyOf } from './rule-identification.ts';
import type { Settings } from './settings.ts';

export const DECISION_ACTIONS = ['remediate', 'notify', 'ignore'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];
export type ApprovalMode = 'auto' | 'required' | 'none';

/** What Cordon will do about an incident, and why. */
export interface Decision {
  readonly action: DecisionAction;
  /** `null` when the incident is ignored. */
  readonly playbook: PlaybookId | null;
  readonly approval: ApprovalMode;
  /** Step ids in the order the playbook runs them (parallel branches listed in order). */
  readonly steps: readonly StepId[];
  /** One or more sentences a responder can read. */
  readonly reason: string;
  /** `true` in dry-run mode: the whole path runs and records what it would do, with no mutating call. */
  readonly dryRun: boolean;
  /** The resources the playbook acts on (empty unless `remediate`). */
  readonly targets: readonly Resource[];
}

function ignore(reason: string): Decision {
  return {
    action: 'ignore',
    playbook: null,
    approval: 'none',
    steps: [],
    reason,
    dryRun: false,
    targets: [],
  };
}

/** A notification, run as `playbook` (the fallback unless a playbook that changes nothing was routed to). */
function notify(reason: string, playbook: PlaybookId = FALLBACK_PLAYBOOK): Decision {
  return {
    action: 'notify',
    playbook,
    approval: 'none',
    steps: plannedSteps(playbook),
    reason,
    dryRun: false,
    targets: [],
  };
}

/** A remediation the incident calls for, before severity, rails and mode are applied. */
interface Remediation {
  readonly playbook: PlaybookId;
  readonly targets: readonly Resource[];
  readonly steps: readonly StepId[];
  readonly reason: string;
  /** Approval the playbook needs whatever the severity (`undefined`: severity decides). */
  readonly approvalFloor?: 'required';
  readonly approvalFromSettings?: 'auto' | 'required';
}

/**
 * Decides what to do about an incident under the settings: remediate with a playbook (automatically or
 * after approval), notify, or ignore — with the reason. Pure: no clock, no AWS, no environment.
 *
 * Order: what is not an incident (samples, archived, canary, recovered alarms, compliant results, Cordon's
 * own roles) → what the incident calls for → safety rails (exemption tag, break-glass principals, a
 * resource to act on) → severity (auto ≥ autoRemediateAt, approval ≥ approvalAt, notify below) → mode.
 *
 * `identity` (the deployment's stage and home account) lets the decision recognise Cordon's functions' own
 * roles by ARN; without it only the member-account roles and `settings.ownPrincipals` are recognised. A
 * principal merely named like Cordon's is decided like any other, and the reason says so.
 *
 * @example
 * decide(incident, DEFAULT_SETTINGS, { stage: 'prod', homeAccount: '111111111111' })
 * // { action: 'remediate', playbook: 'ec2-compromise', approval: 'auto', steps: ['contain-instance', …], … }
 */
export function decide(incident: Incident, settings: Settings, identity?: CordonIdentity): Decision {
  const principals = principalsOf(incident, settings, identity);
  const decision = decideAbout(incident, settings, principals);
  const lookAlike = principals.find((verdict) => verdict.kind === 'look-alike');
  if (lookAlike === undefined || lookAlike.kind !== 'look-alike') return decision;
  return {
    ...decision,
    reason: `${decision.reason} ${lookAlike.arn} is named like Cordon's own roles but is not one of them (Cordon's own principals are its roles, by ARN): it is handled like any other principal.`,
  };
}

/** What each access key of a GuardDuty finding names: Cordon's own role, a look-alike, or anything else. */
function principalsOf(
  incident: Incident,
  settings: Settings,
  identity: CordonIdentity | undefined,
): PrincipalVerdict[] {
  if (incident.facts.source !== 'guardduty') return [];
  return incident.resources.flatMap((resource) =>
    resource.kind === 'access-key' ? [ownPrincipalVerdict(resource, incident, settings, identity)] : [],
  );
}

function decideAbout(
  incident: Incident,
  settings: Settings,
  principals: readonly PrincipalVerdict[],
): Decision {
  const notAnIncident = screen(incident, settings, principals);
  if (notAnIncident !== undefined) return notAnIncident;

  const remediation = remediationFor(incident, settings);
  if (isDecision(remediation)) return remediation;

  const railed = applyRails(remediation, settings);
  if (railed !== undefined) return railed;

  const approval = approvalFor(incident, remediation, settings);
  if (approval === 'notify') {
    return notify(
      `${remediation.reason} Severity ${incident.severity.score} (${incident.severity.label}) is below the approval threshold ${settings.severity.approvalAt}: notify only.`,
    );
  }
  if (settings.mode === 'notify-only') {
    return notify(
      `${remediation.reason} Mode is notify-only: Cordon would run ${remediation.playbook}, and only notifies.`,
    );
  }
  const steps: StepId[] =
    approval === 'required' ? ['request-approval', ...remediation.steps] : [...remediation.steps];
  const dryRun = settings.mode === 'dry-run';
  return {
    action: 'remediate',
    playbook: remediation.playbook,
    approval,
    steps,
    reason: `${remediation.reason} ${approvalReason(incident, remediation, approval, settings)}${dryRun ? ' Dry-run: no mutating call will be made.' : ''}`,
    dryRun,
    targets: remediation.targets,
  };
}

function isDecision(value: Remediation | Decision): value is Decision {
  return 'action' in value;
}

/** Inputs that are not (or no longer) incidents. */
function screen(
  incident: Incident,
  settings: Settings,
  principals: readonly PrincipalVerdict[],
): Decision | undefined {
  if (incident.sample && !settings.includeSampleFindings) {
    return ignore('A GuardDuty sample finding (CreateSampleFindings); includeSampleFindings is off.');
  }
  const facts = incident.facts;
  if (facts.source === 'guardduty') {
    if (facts.archived) return ignore('The finding is archived (suppressed) in GuardDuty.');
    if (facts.findingFamily === 'canary' || facts.findingType.startsWith('Canary:')) {
      return ignore(`${facts.findingType} is a GuardDuty canary (test) finding.`);
    }
    if (incident.severity.score < settings.severity.ignoreBelow) {
      return ignore(
        `Severity ${incident.severity.score} is below ignoreBelow ${settings.severity.ignoreBelow}.`,
      );
    }
    const own = principals.find((verdict) => verdict.kind === 'own');
    if (own !== undefined && own.kind === 'own') {
      return ignore(`The principal ${own.arn} is Cordon's own (${own.why}): ignored to avoid a loop.`);
    }
  }
  if (facts.source === 'cloudwatch' && facts.state !== 'ALARM') {
    return ignore(
      `Alarm ${facts.alarmName} moved to ${facts.state}: a recovery or missing data, not an incident.`,
    );
  }
  if (facts.source === 'config' && facts.complianceType !== 'NON_COMPLIANT') {
    return ignore(
      `${facts.resourceType} ${facts.resourceId} is ${facts.complianceType} with ${facts.configRuleName}.`,
    );
  }
  return undefined;
}

/**
 * What the incident calls for: a remediation, or a notify/ignore decision when nothing can be acted on.
 * Every route goes through the playbook catalog (playbooks/catalog.ts): the settings' mappings (which the
 * settings schema only accepts for a playbook that can act on what they map), and the finding categories
 * the playbooks declare.
 */
function remediationFor(incident: Incident, settings: Settings): Remediation | Decision {
  const facts = incident.facts;
  if (facts.source === 'cloudwatch') {
    // By name, deliberately: the exact key, else a key that stands for the same alarm (intake/alarm-names.ts).
    const mapping = alarmMapping(facts.alarmName, settings.alarmPlaybooks);
    if (mapping === undefined) {
      return ignore(
        `Alarm ${facts.alarmName} is not mapped to a playbook in settings.alarmPlaybooks (no key names it or stands for the same alarm): recorded, nothing started.`,
      );
    }
    const id = mapping.value;
    const playbook = PLAYBOOKS[id];
    const how =
      mapping.match === 'exact'
        ? ''
        : ` (key ${mapping.key}, which stands for the same alarm${mapping.others.length > 0 ? `; also ${mapping.others.join(', ')}` : ''})`;
    const reason = `Alarm ${facts.alarmName} is in ALARM; settings.alarmPlaybooks maps it to ${id}${how}`;
    // The settings schema maps alarms only to playbooks that change nothing; settings made some other way
    // still never act on an alarm, which names no resource.
    return playbook.target === 'none'
      ? notify(`${reason}: ${playbook.summary}`, id)
      : notify(`${reason}. An alarm names no resource to act on: notify only.`);
  }
  if (facts.source === 'config') {
    // Settings map a managed rule by its source identifier, a custom rule by its name.
    const key = settingsKeyOf(facts);
    const identified = key === facts.configRuleName ? '' : ` (${key})`;
    const subject = `${facts.resourceType} ${facts.resourceId} is NON_COMPLIANT with ${facts.configRuleName}${identified}`;
    const mapped = Object.hasOwn(settings.configRulePlaybooks, key)
      ? settings.configRulePlaybooks[key]
      : undefined;
    if (mapped === undefined && facts.severityDeclaredBy === 'undeclared') {
      // A rule nobody mapped and nobody rated is low: recorded in the ledger, never paged (docs/intake.md).
      return ignore(
        `${subject}; no playbook is mapped to ${key} (settings.configRulePlaybooks) and no severity is declared for it, so the result is low: recorded, not notified. Map the rule to notify-only to be told.`,
      );
    }
    if (mapped === undefined) return notify(`${subject}.`);
    const playbook = PLAYBOOKS[mapped.playbook];
    const reason = `${subject}; settings.configRulePlaybooks maps ${key} to ${playbook.id}`;
    if (playbook.target === 'none') {
      // A rule left to a person: the notification says what to do (playbooks/manual-fixes.ts).
      const whatToDo = manualFixText(key, facts.resourceId);
      return notify(whatToDo === undefined ? `${reason}.` : `${reason}. ${whatToDo}`, playbook.id);
    }
    // The settings schema refuses such a mapping; settings made some other way are refused here too.
    const refusal = configRuleMappingRefusal(key, playbook.id);
    if (refusal !== undefined) return notify(`${reason}, but ${refusal}: notify only.`);
    // The Config rule evaluated the resource: it is the one to act on, if it is of the playbook's kind.
    const targets = targetsOf(incident, playbook.target, 'affected');
    if (targets.length === 0) {
      return notify(
        `Rule ${key} maps to ${playbook.id}, which cannot act on ${facts.resourceType} ${facts.resourceId}: notify only.`,
      );
    }
    return {
      playbook: playbook.id,
      targets,
      steps: plannedSteps(playbook.id),
      reason: `${reason}: ${playbook.summary}`,
      approvalFromSettings: mapped.approval,
    };
  }
  return remediationForFinding(incident);
}

/**
 * The incident's resources a playbook of this target kind may act on, in the role the source gives them: a
 * posture kind takes the resources of its Config resource type (target-kinds.ts).
 */
function targetsOf(incident: Incident, kind: TargetKind, role: Resource['role']): Resource[] {
  const posture = postureOf(kind);
  return incident.resources.filter((resource) =>
    resource.role !== role
      ? false
      : posture === undefined
        ? resource.kind === kind
        : resource.kind === 'aws-resource' && postureResourceTypes(posture).includes(resource.resourceType),
  );
}

/** How a reason names a resource. */
function label(resource: Resource): string {
  switch (resource.kind) {
    case 'ec2-instance':
      return `instance ${resource.instanceId}`;
    case 'access-key':
      return `access key ${resource.accessKeyId ?? '(unnamed)'}`;
    case 'iam-user':
      return `IAM user ${resource.userName ?? resource.userId ?? '(unnamed)'}`;
    case 'iam-role':
      return `role ${resource.roleName ?? resource.arn ?? '(unnamed)'}`;
    case 'aws-resource':
      return `${resource.resourceType} ${resource.resourceId}`;
    case 'cloudwatch-alarm':
      return `alarm ${resource.alarmName}`;
    case 'account':
      return `account ${resource.accountId}`;
  }
}

function remediationForFinding(incident: Incident): Remediation | Decision {
  if (incident.facts.source !== 'guardduty') return notify('Not a GuardDuty finding.');
  const facts = incident.facts;
  const attackSequence = facts.findingType.startsWith('AttackSequence:');
  const approvalFloor = attackSequence || facts.requiresApproval ? ('required' as const) : undefined;
  const sequenceNote = attackSequence
    ? ' An attack sequence is never acted on without approval.'
    : facts.requiresApproval
      ? ` ${facts.findingType} is never acted on without approval (docs/finding-types.md, ${facts.findingFamily}).`
      : '';
  const playbook = playbookForFinding(incident.category);

  if (playbook !== undefined && playbook.target === 'none') {
    // A playbook that only tells people (root activity: root credentials cannot be revoked by IAM policy).
    return notify(`${facts.findingType}: ${playbook.summary}`, playbook.id);
  }
  if (facts.findingType.includes(':Runtime/')) {
    // Runtime Monitoring sees processes, not the network: Cordon notifies and leaves containment to a person.
    return notify(`${facts.findingType} is a Runtime Monitoring finding: Cordon notifies only.`);
  }
  if (!facts.knownType) {
    return notify(
      `${facts.findingType} is not in the finding-type catalog: Cordon only notifies about unknown types.`,
    );
  }
  if (playbook === undefined) {
    const victim = incident.resources.some((resource) => resource.role === 'victim');
    return notify(
      victim
        ? `${facts.findingType}: the resource is the target of the activity, not compromised. Notify and harden; never isolate a victim.`
        : `${facts.findingType} (${incident.category}): Cordon notifies; it has no containment playbook for this resource type.`,
    );
  }
  const targets = targetsOf(incident, playbook.target, 'compromised');
  const first = targets[0];
  if (first === undefined) {
    return notify(
      `${facts.findingType} names no ${TARGET_KINDS[playbook.target].nothingToActOn}.${sequenceNote}`,
    );
  }
  if (first.kind === 'access-key') {
    return credentialRemediation(incident, playbook, first, approvalFloor, sequenceNote);
  }
  return {
    playbook: playbook.id,
    targets,
    steps: plannedSteps(playbook.id),
    reason: `${facts.findingType}: ${targets.map(label).join(', ')} ${targets.length === 1 ? 'is' : 'are'} compromised.${sequenceNote}`,
    approvalFloor,
  };
}

/**
 * What a compromised access key or session calls for: which of the playbook's steps run depends on what the
 * finding names (a long-term key, a user, a role session, whether the console was used).
 */
function credentialRemediation(
  incident: Incident,
  playbook: PlaybookDefinition,
  key: AccessKeyResource,
  approvalFloor: 'required' | undefined,
  sequenceNote: string,
): Remediation | Decision {
  const facts = incident.facts;
  if (facts.source !== 'guardduty') return notify('Not a GuardDuty finding.');
  const who = key.userName ?? key.principalId ?? key.accessKeyId ?? 'the principal';
  const consoleUsed = facts.findingType.includes('ConsoleLogin') || facts.api === 'ConsoleLogin';
  if (key.userType === 'IAMUser' || (key.userType === undefined && key.keyType === 'long-term')) {
    const hasKey = key.accessKeyId !== undefined && key.keyType === 'long-term';
    if (key.userName === undefined && !hasKey) {
      return notify(
        `${facts.findingType}: the finding names neither the IAM user nor a long-term key, so Cordon cannot tell what to revoke: notify only.`,
      );
    }
    if (key.userName === undefined) {
      // The key is enough to deactivate it (the action resolves its user); denying sessions needs the user.
      return {
        playbook: playbook.id,
        targets: [key],
        steps: ['deactivate-access-key', 'notify'],
        reason: `${facts.findingType}: access key ${key.accessKeyId} is compromised; only that key is deactivated. The finding names no user, so no session deny is written.${sequenceNote}`,
        approvalFloor,
      };
    }
    if (key.keyType === 'temporary' || !hasKey) {
      // A session token minted by the user (GetSessionToken), or no key named: nothing to deactivate.
      return {
        playbook: playbook.id,
        targets: [key],
        steps: consoleUsed
          ? ['revoke-sessions', 'disable-console-access', 'notify']
          : ['revoke-sessions', 'notify'],
        reason: `${facts.findingType}: ${key.keyType === 'temporary' ? 'temporary credentials' : 'credentials (no long-term key named)'} of IAM user ${who} are compromised; sessions issued before now are denied.${sequenceNote}`,
        approvalFloor,
      };
    }
    const steps: StepId[] = ['deactivate-access-key', 'revoke-sessions'];
    if (consoleUsed) steps.push('disable-console-access');
    steps.push('notify');
    return {
      playbook: playbook.id,
      targets: [key],
      steps,
      reason: `${facts.findingType}: access key ${key.accessKeyId ?? '(unnamed)'} of IAM user ${who} is compromised; only that key is deactivated, and sessions it minted are denied.${sequenceNote}`,
      approvalFloor,
    };
  }
  if (key.userType === 'AssumedRole') {
    return {
      playbook: playbook.id,
      targets: [key],
      steps: ['revoke-sessions', 'notify'],
      reason: `${facts.findingType}: a session of role ${who} is compromised; denying sessions issued before now hits every session of the role, so approval is required.${sequenceNote}`,
      approvalFloor: 'required',
    };
  }
  return notify(
    `${facts.findingType}: principal type ${key.userType ?? 'unknown'} (${who}) cannot be revoked by Cordon: notify only.`,
  );
}

function applyRails(remediation: Remediation, settings: Settings): Decision | undefined {
  const { key, value } = settings.exemptionTag;
  for (const target of remediation.targets) {
    if (target.kind === 'ec2-instance' && target.tags[key] === value) {
      return notify(
        `${remediation.reason} Instance ${target.instanceId} carries the exemption tag ${key}=${value}: notify, never act.`,
      );
    }
    if (target.kind === 'access-key' && isBreakGlass(target.userName, settings.breakGlassPrincipals)) {
      return notify(
        `${remediation.reason} ${target.userName} is a break-glass principal: notify, never act.`,
      );
    }
  }
  return undefined;
}

function approvalFor(
  incident: Incident,
  remediation: Remediation,
  settings: Settings,
): 'auto' | 'required' | 'notify' {
  if (remediation.approvalFromSettings !== undefined) return remediation.approvalFromSettings;
  const score = incident.severity.score;
  const bySeverity =
    score >= settings.severity.autoRemediateAt
      ? 'auto'
      : score >= settings.severity.approvalAt
        ? 'required'
        : 'notify';
  if (bySeverity === 'auto' && remediation.approvalFloor === 'required') return 'required';
  return bySeverity;
}

function approvalReason(
  incident: Incident,
  remediation: Remediation,
  approval: 'auto' | 'required',
  settings: Settings,
): string {
  if (remediation.approvalFromSettings !== undefined)
    return `Approval ${approval} (settings.configRulePlaybooks).`;
  const score = `Severity ${incident.severity.score} (${incident.severity.label})`;
  if (approval === 'auto') return `${score} ≥ ${settings.severity.autoRemediateAt}: automatic.`;
  if (
    remediation.approvalFloor === 'required' &&
    incident.severity.score >= settings.severity.autoRemediateAt
  ) {
    return `${score}; approval required whatever the severity.`;
  }
  return `${score} ≥ ${settings.severity.approvalAt}: approval required.`;
}

/** Break-glass principals are listed by name or ARN; a finding names the user. */
function isBreakGlass(userName: string | undefined, principals: readonly string[]): boolean {
  if (userName === undefined) return false;
  return principals.some((principal) => principal === userName || principal.endsWith(`/${userName}`));
}
