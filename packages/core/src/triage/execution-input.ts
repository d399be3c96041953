import type { InstanceObservation } from '../actions/observe-instance.ts';
import type {
  AccessKeyResource,
  Ec2InstanceResource,
  GenericResource,
  IamUserResource,
  Incident,
  Resource,
} from '../intake/incident.ts';
import { configRuleRoute } from '../playbooks/catalog.ts';
import { configRule } from '../playbooks/config-rules.ts';
import { controlIds } from '../playbooks/controls.ts';
import { postureKindOf, postureOf, type TargetRule } from '../playbooks/target-kinds.ts';
import type { Decision } from '../policy/decision.ts';
import type { Settings } from '../policy/settings.ts';

/**
 * The input of a playbook execution: the contract between triage and the state machines
 * (docs/playbooks/README.md). Steps read their parameters from it with JSONPath.
 */
export interface ExecutionInput {
  readonly incident: Pick<
    Incident,
    'id' | 'account' | 'region' | 'source' | 'type' | 'title' | 'category' | 'severity' | 'resources'
  >;
  readonly decision: Pick<Decision, 'playbook' | 'approval' | 'steps' | 'reason' | 'dryRun'>;
  readonly target: ExecutionTarget;
  /** The controls the incident's Config rule checks (`SecurityHub/EC2.13`, …); `[]` for other incidents. */
  readonly controls: readonly string[];
  readonly run: {
    readonly deactivateAccessKey: boolean;
    readonly revokeSessions: boolean;
    readonly disableConsoleAccess: boolean;
  };
  readonly approval: {
    readonly required: boolean;
    readonly timeoutSeconds: number;
    readonly timeoutDefault: 'approve' | 'reject';
  };
  readonly settingsVersion: string;
  /** Triage's reads of the instance for `contain-instance` (ec2-compromise without approval), else `null`. */
  readonly observation: InstanceObservation | null;
}

export type ExecutionTarget =
  | { readonly instanceId: string }
  | {
      readonly accessKeyId?: string;
      readonly userName?: string;
      readonly principalType: 'user' | 'role';
      readonly name: string;
    }
  | { readonly userId: string; readonly staleAfterDays: number; readonly staleBy: 'age' | 'last-use' }
  | PostureTarget
  | Record<string, never>;

/**
 * A resource a Config rule judged (a posture target kind, playbooks/target-kinds.ts): its id under the kind's
 * field (`groupId`), its type and id as Config reports them, and the rule with its parameters.
 */
export type PostureTarget = Readonly<Record<string, string>> & {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly rule: TargetRule;
};

/** Config's `access-keys-rotated` default `maxAccessKeyAge`, and the unused-credentials rule's default. */
export const STALE_AFTER_DAYS = 90;

/**
 * Builds the execution input from an incident and the decision made about it.
 *
 * @example buildExecutionInput(incident, decision, settings, version).target // { instanceId: 'i-0abc…' }
 */
export function buildExecutionInput(
  incident: Incident,
  decision: Decision,
  settings: Settings,
  settingsVersion: string,
  observation: InstanceObservation | null = null,
): ExecutionInput {
  const steps = new Set(decision.steps);
  return {
    incident: {
      id: incident.id,
      account: incident.account,
      region: incident.region,
      source: incident.source,
      type: incident.type,
      title: incident.title,
      category: incident.category,
      severity: incident.severity,
      resources: incident.resources,
    },
    decision: {
      playbook: decision.playbook,
      approval: decision.approval,
      steps: decision.steps,
      reason: decision.reason,
      dryRun: decision.dryRun,
    },
    target: targetOf(incident, decision.targets),
    controls: controlsOf(incident),
    run: {
      deactivateAccessKey: steps.has('deactivate-access-key'),
      revokeSessions: steps.has('revoke-sessions'),
      disableConsoleAccess: steps.has('disable-console-access'),
    },
    approval: {
      required: decision.approval === 'required',
      timeoutSeconds: settings.approval.timeoutSeconds,
      timeoutDefault: timeoutDefaultOf(incident, decision, settings),
    },
    settingsVersion,
    observation,
  };
}

/**
 * What happens when nobody answers an approval in time: the severity's default from settings — except when
 * the approval was demanded although the severity alone would have acted automatically (the blast radius
 * was reached, an attack sequence, a role's every session at stake). Then the timeout rejects: a rail that
 * an hour of silence turns into an automatic action would be no rail (DOMAIN.md items 21 and 31).
 */
function timeoutDefaultOf(incident: Incident, decision: Decision, settings: Settings): 'approve' | 'reject' {
  const forced =
    decision.approval === 'required' && incident.severity.score >= settings.severity.autoRemediateAt;
  return forced ? 'reject' : settings.approval.timeoutDefault[incident.severity.label];
}

/** The controls of the incident's Config rule, when a declaration knows it. */
function controlsOf(incident: Incident): string[] {
  if (incident.facts.source !== 'config') return [];
  const identifier = incident.facts.rule?.identifier;
  const declared = identifier === undefined ? undefined : configRule(identifier);
  return declared === undefined ? [] : declared.mappings.flatMap(controlIds);
}

/** A posture target: the resource's id under its kind's field, and the rule that judged it. */
function postureTarget(incident: Incident, resource: GenericResource): ExecutionTarget {
  const kind = postureKindOf(resource.resourceType);
  const posture = kind === undefined ? undefined : postureOf(kind);
  const facts = incident.facts;
  if (posture === undefined || facts.source !== 'config') return {};
  const rule = facts.rule;
  return {
    [posture.idField]: resource.resourceId,
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    rule: {
      identifier: rule?.identifier ?? facts.baseRuleName,
      name: facts.configRuleName,
      parameters: rule?.parameters ?? {},
      // Parameters are known only when triage read the rule (DescribeConfigRules).
      parametersKnown: rule?.by === 'source-identifier',
    },
  } as PostureTarget; // the computed id field makes the literal a record
}

function targetOf(incident: Incident, targets: readonly Resource[]): ExecutionTarget {
  const target = targets[0];
  if (target === undefined) return {};
  if (target.kind === 'aws-resource') return postureTarget(incident, target);
  if (target.kind === 'ec2-instance') return { instanceId: (target as Ec2InstanceResource).instanceId };
  if (target.kind === 'access-key') {
    const key = target as AccessKeyResource;
    const role =
      key.userType === 'AssumedRole' || (key.userType === undefined && key.keyType === 'temporary');
    const name = key.userName ?? key.principalId ?? '';
    return {
      ...(key.accessKeyId === undefined ? {} : { accessKeyId: key.accessKeyId }),
      // disable-console-access reads $.target.userName: a user target always carries it.
      ...(role ? {} : { userName: name }),
      principalType: role ? 'role' : 'user',
      name,
    };
  }
  if (target.kind === 'iam-user') {
    const user = target as IamUserResource;
    // How the rule judges a key (access-keys-rotated: its age; iam-user-unused-credentials-check: its last
    // use) is declared with the rule in the playbook catalog.
    const identifier = incident.facts.source === 'config' ? incident.facts.rule?.identifier : undefined;
    const rule = identifier === undefined ? undefined : configRuleRoute(identifier);
    return {
      userId: user.userId ?? '',
      staleAfterDays: STALE_AFTER_DAYS,
      staleBy: rule?.route.target.staleBy === 'last-use' ? 'last-use' : 'age',
    };
  }
  return {};
}
