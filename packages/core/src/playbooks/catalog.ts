/**
 * The playbook catalog: one declaration per playbook, beside the action catalog (actions/catalog.ts). A
 * declaration says what the playbook is (title, summary, steps, approval), what it acts on (the target
 * kind) and **where it runs**: which incidents `decide` routes to it, which mappings the settings accept
 * for it, and the default mappings. Routing (policy/decision.ts), the settings' enums and defaults
 * (policy/settings-schema.ts), the Config rules' categories (intake/config.ts), the state machines
 * (build.ts), the generated docs and the conformance test all read it; nothing else names a playbook id
 * to decide where an incident goes.
 *
 * Pure data: no AWS SDK, no action code, so the settings (read by every function) can import it.
 */
import type { IncidentCategory } from '../intake/incident.ts';
import type { JsonObject } from './asl.ts';
import { type ConfigRuleId, configRule, settingsRuleKey } from './config-rules.ts';
import { PLAYBOOK_IDS, type PlaybookId, type StepId } from './ids.ts';
import { POSTURE_PLAYBOOKS } from './posture-playbooks.ts';
import { IDENTITY_POSTURE_PLAYBOOKS } from './posture-playbooks-identity.ts';
import { STATE_NAMES } from './states.ts';
import type { TargetKind } from './target-kinds.ts';

export type { TargetKind } from './target-kinds.ts';

/** A step of a playbook's successful run; an array is a set of steps that run in parallel. */
export type PlannedStep = StepId | readonly StepId[];

/** How a playbook asks for approval. */
export type PlaybookApproval = 'when-required' | 'always' | 'never';

/**
 * A Config rule a playbook knows how to act on, keyed by the rule's source identifier (config-rules.ts declares
 * the rule itself: its name, resource type, default severity and controls).
 */
export interface ConfigRuleRoute {
  /** The incident category intake gives a result of the rule. */
  readonly category: IncidentCategory;
  /**
   * The approval of the default mapping in `settings.configRulePlaybooks`: `required` where the fix can break
   * a workload (the settings may change it), with the reason in `approvalBecause`.
   */
  readonly approval: 'auto' | 'required';
  /** Why the default approval is what it is (docs/playbooks show it). */
  readonly approvalBecause: string;
  /** What the rule tells the playbook's target (stale-credentials: how a key is judged stale). */
  readonly target: Readonly<Record<string, string | number | boolean>>;
}

/** Where a playbook runs: the incidents `decide` may start it for. */
export interface PlaybookRoutes {
  /** GuardDuty finding categories `decide` routes to it (at most one playbook per category). */
  readonly findings?: readonly IncidentCategory[];
  /**
   * It may be mapped to an alarm in `settings.alarmPlaybooks` (an alarm names no resource, so only a
   * playbook with target `none` can); `byDefault` names the detection alarms mapped to it by default.
   */
  readonly alarms?: { readonly byDefault: readonly string[] };
  /**
   * The Config rules `settings.configRulePlaybooks` may map to it: `any`, or the rules it knows how to act
   * on, by source identifier, each mapped to it by default.
   */
  readonly configRules?: 'any' | Readonly<Partial<Record<ConfigRuleId, ConfigRuleRoute>>>;
  /** Started by a responder, never by an incident. */
  readonly responder?: true;
  /** The playbook of every incident Cordon only tells people about (exactly one playbook has it). */
  readonly fallback?: true;
}

/** A Task of a linear playbook: its state name, and the parameters it takes from the execution input. */
export interface LinearTask {
  readonly state: string;
  /** Besides the envelope every step gets (`incidentId`, `account`, `region`, `dryRun`). */
  readonly parameters: JsonObject;
}

/** What the docs say about a playbook that the code cannot. */
export interface PlaybookDocs {
  /** Which decisions start it, for a responder. */
  readonly trigger: string;
  /** How to undo what it changed. */
  readonly release: string;
  /**
   * How to replay it locally: the `cordon replay` arguments of a bundled event that starts it, or why no
   * event does and what shows it instead.
   */
  readonly replay: { readonly args: string } | { readonly none: string };
}

/** A declared playbook. */
export interface PlaybookDefinition {
  readonly id: PlaybookId;
  readonly title: string;
  /** One sentence: what the playbook does. */
  readonly summary: string;
  /** The steps of a run where every step succeeds and approval (if any) is granted, in order. */
  readonly steps: readonly PlannedStep[];
  readonly approval: PlaybookApproval;
  /** Whether `approval.timeoutDefault = approve` lets the changes run when nobody decides in time. */
  readonly timeoutDefaultApplies: boolean;
  /** The notify event of the last step. */
  readonly finalEvent: 'contained' | 'remediated' | 'decided' | 'released';
  /** Whether any step changes the account (the conformance test checks it against the actions). */
  readonly mutating: boolean;
  readonly target: TargetKind;
  readonly routes: PlaybookRoutes;
  /**
   * A linear playbook — the approval gate (unless `approval` is `never`), each step in order, a final
   * notify — is built from these Tasks, one per step (build.ts). Without it, build.ts has the playbook's
   * own builder (Parallel states, Choices).
   */
  readonly linear?: Readonly<Partial<Record<StepId, LinearTask>>>;
  readonly docs: PlaybookDocs;
}

const S = STATE_NAMES;

/**
 * Every playbook, by id.
 *
 * @example PLAYBOOKS['stale-credentials'].routes.configRules // { ACCESS_KEYS_ROTATED: { approval: 'required', … }, … }
 */
export const PLAYBOOKS: Readonly<Record<PlaybookId, PlaybookDefinition>> = {
  'ec2-compromise': {
    id: 'ec2-compromise',
    title: 'EC2 instance compromise',
    summary:
      'in one step, protect the evidence, put the instance in Standby in its Auto Scaling group and isolate every ENI; then take it out of its load balancers, snapshot its volumes and quarantine its instance profile.',
    steps: [
      'contain-instance',
      ['deregister-from-load-balancers', 'snapshot-volumes', 'quarantine-instance-profile'],
      'notify',
    ],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'contained',
    mutating: true,
    target: 'ec2-instance',
    routes: { findings: ['instance-compromise'] },
    docs: {
      trigger:
        'Triage starts it when a GuardDuty finding says an EC2 instance is compromised (outbound command and control, crypto-mining, Tor, DNS exfiltration, outbound brute force, malicious files — the finding-type catalog decides) and the severity reaches `severity.approvalAt`. At or above `severity.autoRemediateAt` it runs automatically; below, or for a finding type the catalog marks approval-only (an attack sequence, `UnauthorizedAccess:EC2/MetadataDNSRebind`), it asks for approval first. An instance that is only the *target* of an attack, or that carries the exemption tag, gets `notify-only` instead.',
      release:
        'Nothing is deleted. The instance keeps its termination protection and its snapshots; its original security groups (per ENI), instance profile, Auto Scaling group membership and load balancer registrations are recorded in the incident ledger. Start `ec2-release` for the instance to restore them.',
      replay: {
        args: 'packages/cli/events/guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json --include-samples --approve',
      },
    },
  },
  'credential-compromise': {
    id: 'credential-compromise',
    title: 'Credential compromise',
    summary:
      'deactivate the access key a finding names, deny sessions issued before now, and disable console access — each only when triage asks for it.',
    steps: ['deactivate-access-key', 'revoke-sessions', 'disable-console-access', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'contained',
    mutating: true,
    target: 'access-key',
    routes: { findings: ['credential-compromise'] },
    docs: {
      trigger:
        "Triage starts it for a GuardDuty finding about an access key or a role session (`accessKeyDetails`) — including S3 called from a malicious IP or Tor with the account's credentials (`Impact:S3/MaliciousIPCaller`, `Discovery:S3/TorIPCaller`, …), always after approval: an IAM user key (`AKIA…`) is deactivated and the sessions it minted denied, console access removed when the finding says the console was used; a role session (`ASIA…`) has its earlier sessions denied, always after approval because the deny hits every session of the role. Root and break-glass principals get `root-activity` or `notify-only` instead.",
      release:
        'Keys are deactivated, never deleted: reactivate one with `aws iam update-access-key --status Active` once it is rotated or cleared. The session deny is a statement of Cordon’s own inline policy `cordon-deny` on the user or role (conditioned on `aws:TokenIssueTime`): start `credential-release` for the incident (`cordon release <incident-id>`) to remove exactly this incident’s statement — sessions issued after the incident are not affected by it anyway. Console access is restored with `aws iam create-login-profile`.',
      replay: {
        args: 'packages/cli/events/guardduty/eb-iam-toripcaller-custodian.json --include-samples --approve',
      },
    },
  },
  'stale-credentials': {
    id: 'stale-credentials',
    title: 'Stale credentials',
    summary: "deactivate an IAM user's access keys older than the threshold that AWS Config flagged.",
    steps: ['deactivate-access-key', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'contained',
    mutating: true,
    target: 'iam-user',
    routes: {
      // The two managed rules about keys to retire; the action needs to know how each judges a key:
      // https://docs.aws.amazon.com/config/latest/developerguide/access-keys-rotated.html (age) and
      // https://docs.aws.amazon.com/config/latest/developerguide/iam-user-unused-credentials-check.html (last use).
      configRules: {
        ACCESS_KEYS_ROTATED: {
          category: 'stale-credentials',
          approval: 'required',
          approvalBecause:
            'a deactivated key stops whatever still uses it, and only a person knows whether anything does',
          target: { staleBy: 'age' },
        },
        IAM_USER_UNUSED_CREDENTIALS_CHECK: {
          category: 'stale-credentials',
          approval: 'required',
          approvalBecause:
            'a deactivated key stops whatever still uses it, and only a person knows whether anything does',
          target: { staleBy: 'last-use' },
        },
      },
    },
    linear: {
      'deactivate-access-key': {
        state: S.deactivateStaleKeys,
        parameters: {
          'userId.$': '$.target.userId',
          'staleAfterDays.$': '$.target.staleAfterDays',
          'staleBy.$': '$.target.staleBy',
          // The rule's controls (IAM.3, IAM.8, …): every ledger entry of the fix records them.
          'controls.$': '$.controls',
        },
      },
      notify: { state: S.tellKeysDeactivated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when an AWS Config rule that `settings.configRulePlaybooks` maps to `stale-credentials` reports an IAM user NON_COMPLIANT. Whether it asks for approval first is part of that mapping.',
      release:
        'Keys are deactivated, never deleted: reactivate one with `aws iam update-access-key --status Active` if it is still needed (and rotate it).',
      replay: { args: 'packages/cli/demo/config-access-keys-rotated-noncompliant.json --approve' },
    },
  },
  'root-activity': {
    id: 'root-activity',
    title: 'Root account activity',
    summary: 'tell the responders, at critical severity: root credentials cannot be revoked by IAM policy.',
    steps: ['notify'],
    approval: 'never',
    timeoutDefaultApplies: false,
    finalEvent: 'decided',
    mutating: false,
    target: 'none',
    routes: { findings: ['root-activity'], alarms: { byDefault: ['RootAccountUsage'] } },
    linear: { notify: { state: S.tellDecided, parameters: { 'message.$': '$.decision.reason' } } },
    docs: {
      trigger:
        'Triage starts it when the root user is active: a GuardDuty root-credential finding, or the root-usage CloudWatch alarm mapped to `root-activity` in `settings.alarmPlaybooks`. Root credentials cannot be revoked by IAM policy, so the playbook tells the responders, at critical severity, and changes nothing.',
      release: 'Nothing to release: the playbook changes nothing.',
      // The published root sample is in the SDK's PascalCase, which the deployed rule drops: the demo's copy is
      // the same finding as EventBridge delivers it (packages/cli/demo/README.md).
      replay: { args: 'packages/cli/demo/guardduty-root-credential-usage-camelcase.json' },
    },
  },
  'notify-only': {
    id: 'notify-only',
    title: 'Notify only',
    summary: 'tell the responders what Cordon decided and why; change nothing.',
    steps: ['notify'],
    approval: 'never',
    timeoutDefaultApplies: false,
    finalEvent: 'decided',
    mutating: false,
    target: 'none',
    routes: { fallback: true, alarms: { byDefault: [] }, configRules: 'any' },
    linear: { notify: { state: S.tellDecided, parameters: { 'message.$': '$.decision.reason' } } },
    docs: {
      trigger:
        'Triage starts it for everything Cordon should tell people about but not act on: a victim of an attack, an unknown finding type, a resource type with no containment playbook, an exempt resource, a severity below the approval threshold, settings in notify-only mode, or settings that failed to load (fail closed).',
      release: 'Nothing to release: the playbook changes nothing.',
      replay: {
        // PascalCase (the SDK's casing): the way it reaches triage is the GuardDuty poller.
        args: 'packages/cli/events/guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json --include-samples --via poller',
      },
    },
  },
  'ec2-release': {
    id: 'ec2-release',
    title: 'EC2 instance release',
    summary:
      'after an approval, restore the security groups, instance profile, Auto Scaling group and load balancer registration that containment recorded.',
    steps: ['release-instance', 'notify'],
    // A release is never automatic (DOMAIN.md item 18): always asked for, and a timeout releases nothing.
    approval: 'always',
    timeoutDefaultApplies: false,
    finalEvent: 'released',
    mutating: true,
    target: 'ec2-instance',
    routes: { responder: true },
    linear: {
      'release-instance': { state: S.releaseInstance, parameters: { 'instanceId.$': '$.target.instanceId' } },
      notify: { state: S.tellReleased, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Started by a responder, never by a finding: after an investigation clears an instance that `ec2-compromise` contained, a release restores what containment recorded. It always asks for approval, and a timeout never releases anything.',
      release:
        'This is the release of `ec2-compromise`. The snapshots and the incident tags on them stay, as evidence; delete them by hand when the investigation is closed.',
      replay: {
        none: 'No event starts a release: an engineer does, after an investigation. The scenario test `test/scenarios/ec2-release.after-containment.test.ts` contains an instance and then runs this playbook in the local engine (approved, and rejected).',
      },
    },
  },
  'credential-release': {
    id: 'credential-release',
    title: 'Credential release',
    summary:
      "after an approval, remove from cordon-deny exactly the session-deny statements an incident's credential containment added; keys stay inactive and console access stays removed.",
    steps: ['release-credentials', 'notify'],
    // A release is never automatic (DOMAIN.md item 18): always asked for, and a timeout releases nothing.
    approval: 'always',
    timeoutDefaultApplies: false,
    finalEvent: 'released',
    mutating: true,
    // What to undo is read from the incident's ledger (revoke-sessions' restore records), as remediation-release does.
    target: 'incident-changes',
    routes: { responder: true },
    linear: {
      'release-credentials': { state: S.releaseCredentials, parameters: {} },
      notify: { state: S.tellReleased, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        "Started by a responder (`cordon release <incident-id>`), never by a finding, on a `credential-compromise` incident once the credentials are rotated: it removes from each principal's `cordon-deny` exactly the statement that incident's `revoke-sessions` added (its Sid is in the ledger), keeps every other statement (other incidents', instance quarantines), and deletes the policy only when nothing else is left in it. Access keys stay inactive and console access stays removed: an administrator rotates the keys and sets a new password (docs/on-call.md, \"After a credential release\"). It always asks for approval, and a timeout never releases anything.",
      release:
        "This is the release of `credential-compromise`'s session deny. A statement already gone is reported as such; nothing else of the containment is undone.",
      replay: {
        none: "No event starts a release: an engineer does, after the credentials are rotated. The scenario test `test/scenarios/credential-release.after-containment.test.ts` contains an IAM user next to an earlier incident's statement and then runs this playbook in the local engine: the policy is back exactly as it was.",
      },
    },
  },
  ...POSTURE_PLAYBOOKS,
  ...IDENTITY_POSTURE_PLAYBOOKS,
};

const ALL: readonly PlaybookDefinition[] = PLAYBOOK_IDS.map((id) => PLAYBOOKS[id]);

/**
 * The step ids of a playbook's successful run in order, parallel steps flattened.
 *
 * @example plannedSteps('stale-credentials') // ['deactivate-access-key', 'notify']
 */
export function plannedSteps(id: PlaybookId): StepId[] {
  return stepsOf(PLAYBOOKS[id]);
}

/** The step ids of a declaration's successful run in order, parallel steps flattened. */
export function stepsOf(playbook: Pick<PlaybookDefinition, 'steps'>): StepId[] {
  return playbook.steps.flatMap((group): StepId[] => (typeof group === 'string' ? [group] : [...group]));
}

/** The playbook of every incident Cordon only tells people about. */
export const FALLBACK_PLAYBOOK: PlaybookId =
  ALL.find((playbook) => playbook.routes.fallback)?.id ?? 'notify-only';

/**
 * The playbook `decide` routes a GuardDuty finding of this category to, if any.
 *
 * @example playbookForFinding('instance-compromise')?.id // 'ec2-compromise'
 */
export function playbookForFinding(category: IncidentCategory): PlaybookDefinition | undefined {
  return ALL.find((playbook) => playbook.routes.findings?.includes(category));
}

/**
 * The playbooks an incident can start (all but those only a responder starts): what triage may start.
 *
 * @example INCIDENT_PLAYBOOK_IDS.includes('ec2-release') // false
 */
export const INCIDENT_PLAYBOOK_IDS: readonly PlaybookId[] = ALL.filter(
  (playbook) => playbook.routes.responder !== true || Object.keys(playbook.routes).length > 1,
).map((playbook) => playbook.id);

/** The playbooks `settings.alarmPlaybooks` may name. */
export const ALARM_PLAYBOOK_IDS: readonly PlaybookId[] = ALL.filter((playbook) => playbook.routes.alarms).map(
  (playbook) => playbook.id,
);

/** The playbooks `settings.configRulePlaybooks` may name (each for the rules it declares, or any rule). */
export const CONFIG_RULE_PLAYBOOK_IDS: readonly PlaybookId[] = ALL.filter(
  (playbook) => playbook.routes.configRules,
).map((playbook) => playbook.id);

/**
 * The playbook that declares a Config rule (by source identifier), with what it declares; `undefined` for a
 * rule no playbook knows (its results are `noncompliant-resource` incidents, and only notify unless the
 * settings map the rule).
 *
 * @example configRuleRoute('IAM_USER_UNUSED_CREDENTIALS_CHECK')?.route.target // { staleBy: 'last-use' }
 */
export function configRuleRoute(
  rule: string,
): { readonly playbook: PlaybookId; readonly route: ConfigRuleRoute } | undefined {
  for (const playbook of ALL) {
    const rules = playbook.routes.configRules;
    if (rules === undefined || rules === 'any' || !Object.hasOwn(rules, rule)) continue;
    const route = rules[rule as ConfigRuleId];
    if (route !== undefined) return { playbook: playbook.id, route };
  }
  return undefined;
}

/** A rule's identifier with its managed name, as reasons and docs name it: `INCOMING_SSH_DISABLED (restricted-ssh)`. */
export function ruleLabel(identifier: string): string {
  const declared = configRule(identifier);
  return declared === undefined ? identifier : `${identifier} (${declared.name})`;
}

/**
 * What a playbook acts on and where it runs, in words (settings' refusals and the docs say it).
 *
 * @example describeRoutes('ec2-compromise') // 'GuardDuty findings of category instance-compromise'
 */
export function describeRoutes(id: PlaybookId): string {
  const { routes } = PLAYBOOKS[id];
  const parts: string[] = [];
  if (routes.findings !== undefined && routes.findings.length > 0)
    parts.push(`GuardDuty findings of category ${routes.findings.join(', ')}`);
  if (routes.alarms !== undefined) parts.push('CloudWatch alarms');
  if (routes.configRules === 'any') parts.push('the results of any AWS Config rule');
  else if (routes.configRules !== undefined)
    parts.push(
      `the results of the AWS Config rules ${Object.keys(routes.configRules).map(ruleLabel).join(', ')}`,
    );
  if (routes.responder) parts.push("a responder's request, never an event");
  if (routes.fallback) parts.push('every incident Cordon only tells people about');
  return parts.join('; ');
}

/**
 * The Config rules a playbook takes, in words: `any rule`, or the rules it declares.
 *
 * @example configRulesOf('stale-credentials') // 'rules ACCESS_KEYS_ROTATED, IAM_USER_UNUSED_CREDENTIALS_CHECK'
 */
export function configRulesOf(id: PlaybookId): string {
  const rules = PLAYBOOKS[id].routes.configRules;
  if (rules === undefined) return 'no rule';
  return rules === 'any' ? 'any rule' : `rules ${Object.keys(rules).join(', ')}`;
}

function quoted(ids: readonly string[]): string {
  return ids.map((id) => `'${id}'`).join(', ');
}

function isPlaybookId(value: string): value is PlaybookId {
  return (PLAYBOOK_IDS as readonly string[]).includes(value);
}

/**
 * Why `settings.alarmPlaybooks` may not map an alarm to `playbook`, or `undefined` when it may. The reason
 * names the playbooks that may, and what the refused one acts on instead; it never repeats a value that is
 * not a playbook id (settings may hold secrets).
 *
 * @example alarmMappingRefusal('ec2-compromise') // 'ec2-compromise cannot act on a CloudWatch alarm: …'
 */
export function alarmMappingRefusal(playbook: string): string | undefined {
  if (ALARM_PLAYBOOK_IDS.includes(playbook as PlaybookId)) return undefined;
  const allowed = `an alarm may run ${quoted(ALARM_PLAYBOOK_IDS)}`;
  if (!isPlaybookId(playbook))
    return `must be one of ${quoted(ALARM_PLAYBOOK_IDS)} (the playbooks for alarms)`;
  return `${playbook} cannot act on a CloudWatch alarm: an alarm names no resource, and ${playbook} acts on ${describeRoutes(playbook)}; ${allowed}`;
}

/**
 * Why `settings.configRulePlaybooks` may not map `rule` to `playbook`, or `undefined` when it may: the
 * playbook must take Config results, and a playbook that knows only some rules must know this one (it acts
 * on what the rule says, e.g. how a key is judged stale).
 *
 * The rule is a settings key: a source identifier, or a custom rule's name.
 *
 * @example configRuleMappingRefusal('S3_BUCKET_LOGGING_ENABLED', 'stale-credentials') // 'stale-credentials cannot act on results of S3_BUCKET_LOGGING_ENABLED: …'
 */
export function configRuleMappingRefusal(rule: string, playbook: string): string | undefined {
  if (!isPlaybookId(playbook)) {
    return `must be one of ${quoted(CONFIG_RULE_PLAYBOOK_IDS)} (the playbooks for Config rules)`;
  }
  const rules = PLAYBOOKS[playbook].routes.configRules;
  if (rules === undefined) {
    return `${playbook} cannot act on an AWS Config result: it acts on ${describeRoutes(playbook)}; a Config rule may run ${quoted(CONFIG_RULE_PLAYBOOK_IDS)}`;
  }
  // A managed rule's kebab-case name stands for its identifier, as in the settings.
  if (rules === 'any' || Object.hasOwn(rules, settingsRuleKey(rule))) return undefined;
  return `${playbook} cannot act on results of ${rule}: it acts only on ${describeRoutes(playbook)}; map ${rule} to ${quoted(
    CONFIG_RULE_PLAYBOOK_IDS.filter((id) => PLAYBOOKS[id].routes.configRules === 'any'),
  )} instead`;
}

/**
 * The default `settings.alarmPlaybooks`: each detection alarm to the playbook that claims it by default,
 * the fallback playbook otherwise.
 *
 * @example defaultAlarmPlaybooks(['RootAccountUsage', 'UnauthorizedAPICalls']) // { RootAccountUsage: 'root-activity', UnauthorizedAPICalls: 'notify-only' }
 */
export function defaultAlarmPlaybooks(alarmNames: readonly string[]): Record<string, PlaybookId> {
  return Object.fromEntries(
    alarmNames.map((name) => [
      name,
      ALL.find((playbook) => playbook.routes.alarms?.byDefault.includes(name))?.id ?? FALLBACK_PLAYBOOK,
    ]),
  );
}

/**
 * The default `settings.configRulePlaybooks`: every rule a playbook declares, to that playbook, with the
 * declared approval.
 *
 * @example defaultConfigRulePlaybooks().ACCESS_KEYS_ROTATED // { playbook: 'stale-credentials', approval: 'required' }
 */
export function defaultConfigRulePlaybooks(): Record<
  string,
  { playbook: PlaybookId; approval: 'auto' | 'required' }
> {
  const defaults: Record<string, { playbook: PlaybookId; approval: 'auto' | 'required' }> = {};
  for (const playbook of ALL) {
    const rules = playbook.routes.configRules;
    if (rules === undefined || rules === 'any') continue;
    for (const [rule, route] of Object.entries(rules))
      defaults[rule] = { playbook: playbook.id, approval: route.approval };
  }
  return defaults;
}
