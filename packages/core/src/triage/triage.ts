import type { InstanceObservation } from '../actions/observe-instance.ts';
import type { Ec2InstanceResource, Incident } from '../intake/incident.ts';
import { intake } from '../intake/intake.ts';
import type { RecognisedShape } from '../intake/result.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { PlaybookId } from '../playbooks/ids.ts';
import { type Decision, decide } from '../policy/decision.ts';
import type { SettingsResult } from '../policy/settings.ts';
import type { BlastRadius } from './blast-radius.ts';
import { buildExecutionInput, type ExecutionInput } from './execution-input.ts';

/** Starts a playbook execution named by the incident id; `duplicate` when that name was already used. */
export type StartExecution = (request: {
  readonly name: string;
  readonly playbook: PlaybookId;
  readonly input: ExecutionInput;
}) => Promise<'started' | 'duplicate'>;

/**
 * Claims an incident for one playbook, atomically, whatever the playbook: Step Functions execution names are
 * unique per state machine only, so a re-published finding decided differently the second time (notify-only
 * first, containment later) would otherwise start a second playbook (DOMAIN.md item 3).
 */
export type ClaimExecution = (
  incidentId: string,
  playbook: PlaybookId,
) => Promise<'claimed' | 'reclaimed' | 'duplicate'>;

/**
 * Reads what `contain-instance` needs (`observeInstance` with a read-only role in the incident's account),
 * while triage claims the incident, so that the playbook's first step changes things at once.
 */
export type ObserveInstance = (request: {
  readonly account: string;
  readonly region: string;
  readonly instanceId: string;
}) => Promise<InstanceObservation>;

export interface TriagePorts {
  readonly settings: SettingsResult;
  readonly ledger: Ledger;
  readonly blastRadius: BlastRadius;
  readonly startExecution: StartExecution;
  /** In AWS the ledger table's conditional write; the local engine's execution names already span playbooks. */
  readonly claimExecution?: ClaimExecution;
  /** Absent: the playbook reads the instance itself (one round trip more on the containment path). */
  readonly observeInstance?: ObserveInstance;
  /** Where an observation that failed is reported (it never fails triage: the step reads live instead). */
  readonly warn?: (message: string, extra: Record<string, unknown>) => void;
  now(): Date;
}

export type TriageResult =
  | { readonly outcome: 'rejected'; readonly recognised: RecognisedShape; readonly reason: string }
  | {
      readonly outcome: 'ignored' | 'started' | 'duplicate';
      readonly incident: Incident;
      readonly decision: Decision;
      readonly executionName?: string;
    };

/** Containment playbooks count against the blast radius; notifications and credential steps do not. */
const CONTAINMENT_PLAYBOOKS: readonly PlaybookId[] = ['ec2-compromise'];

/**
 * Triage of one event: intake → decide → {claim the incident ∥ take a blast-radius slot ∥ read the instance
 * for containment} in one round trip → start the playbook (execution name = incident id, so a re-delivered
 * or re-published finding starts nothing new) → record the decision.
 * Notifications run as the `notify-only` / `root-activity` playbooks, so they are deduplicated the same way.
 * A rejected event is a result, not an error: retrying it could not help.
 *
 * @example const result = await triage(event, { settings, ledger, blastRadius, startExecution, now: () => new Date() });
 */
export async function triage(event: unknown, ports: TriagePorts): Promise<TriageResult> {
  const received = intake(event);
  if (!received.accepted)
    return { outcome: 'rejected', recognised: received.recognised, reason: received.reason };
  return triageIncident(received.incident, ports);
}

export async function triageIncident(incident: Incident, ports: TriagePorts): Promise<TriageResult> {
  const { settings } = ports.settings;
  const now = ports.now();
  let decision = decide(incident, settings);
  if (!ports.settings.ok) {
    decision = { ...decision, reason: `${decision.reason} Settings failed closed: ${ports.settings.reason}` };
  }

  // One round trip for the three: the claim, the blast-radius slot and the reads for containment. A slot
  // taken for an incident that turns out to be claimed already is given back.
  const consumeSlot =
    decision.action === 'remediate' &&
    decision.approval === 'auto' &&
    !decision.dryRun &&
    decision.playbook !== null &&
    CONTAINMENT_PLAYBOOKS.includes(decision.playbook);
  const limit = settings.blastRadius.maxContainmentsPerAccountPerHour;
  const instanceId = observedInstanceId(decision);
  const [claimed, slot, observed] = await Promise.allSettled([
    decision.action !== 'ignore' && decision.playbook !== null && ports.claimExecution !== undefined
      ? ports.claimExecution(incident.id, decision.playbook)
      : Promise.resolve('claimed' as const),
    consumeSlot ? ports.blastRadius.tryConsume(incident.account, now, limit) : Promise.resolve(false),
    instanceId !== undefined && ports.observeInstance !== undefined
      ? ports.observeInstance({ account: incident.account, region: incident.region, instanceId })
      : Promise.resolve(null),
  ]);
  const consumed = slot.status === 'fulfilled' && slot.value;
  if (claimed.status === 'rejected' || slot.status === 'rejected') {
    if (consumed) await ports.blastRadius.release(incident.account, now);
    // The claim is made again by the retry (same playbook): nothing is lost by throwing.
    throw claimed.status === 'rejected' ? claimed.reason : (slot as PromiseRejectedResult).reason;
  }
  let observation: InstanceObservation | null = null;
  if (observed.status === 'fulfilled') observation = observed.value;
  else {
    ports.warn?.('Could not read the instance for containment; the playbook reads it itself', {
      incidentId: incident.id,
      error: String(observed.reason),
    });
  }

  if (claimed.value === 'duplicate') {
    if (consumed) await ports.blastRadius.release(incident.account, now);
    await ports.ledger.append({
      incidentId: incident.id,
      step: 'triage',
      at: now.toISOString(),
      outcome: 'duplicate',
      dryRun: decision.dryRun,
      settingsVersion: ports.settings.version,
      input: {
        source: incident.source,
        type: incident.type,
        count: incident.count,
        updatedAt: incident.updatedAt,
      },
      changes: [],
      notes: [
        `incident ${incident.id} already has a playbook (delivery ${incident.count}); nothing new is started`,
      ],
    });
    return { outcome: 'duplicate', incident, decision, executionName: incident.id };
  }

  // Claimed again by the same playbook: an earlier triage of this incident (a retry, or a delivery racing this
  // one) counted it against the blast radius already, so this one gives its slot back.
  let holding = consumed;
  if (claimed.value === 'reclaimed' && consumed) {
    await ports.blastRadius.release(incident.account, now);
    holding = false;
  }

  if (consumeSlot && !consumed) {
    decision = {
      ...decision,
      approval: 'required',
      steps: ['request-approval', ...decision.steps],
      reason:
        limit >= 1
          ? `${decision.reason} Blast radius: ${limit} automatic containments already this hour in account ${incident.account}, so this one waits for approval.`
          : `${decision.reason} Blast radius: the settings allow no automatic containment (maxContainmentsPerAccountPerHour ${limit}), so this one waits for approval.`,
    };
  }
  // Reads taken now would be stale by the time someone approves: the step reads again after the decision.
  if (decision.approval === 'required') observation = null;

  const record = (outcome: 'decided' | 'duplicate', notes: string[]) =>
    ports.ledger.append({
      incidentId: incident.id,
      step: 'triage',
      at: now.toISOString(),
      outcome,
      dryRun: decision.dryRun,
      settingsVersion: ports.settings.version,
      input: {
        source: incident.source,
        type: incident.type,
        count: incident.count,
        updatedAt: incident.updatedAt,
      },
      changes: [],
      notes: [decision.reason, ...notes],
    });

  if (decision.action === 'ignore' || decision.playbook === null) {
    await record('decided', ['ignored']);
    return { outcome: 'ignored', incident, decision };
  }

  const input = buildExecutionInput(incident, decision, settings, ports.settings.version, observation);
  const started = await ports.startExecution({ name: incident.id, playbook: decision.playbook, input });
  if (started === 'duplicate') {
    if (holding) await ports.blastRadius.release(incident.account, now);
    // A re-published finding (growing count) updates the record; it never starts a second playbook.
    await record('duplicate', [`execution ${incident.id} already exists (delivery ${incident.count})`]);
    return { outcome: 'duplicate', incident, decision, executionName: incident.id };
  }
  await record('decided', [`started ${decision.playbook} as execution ${incident.id}`]);
  return { outcome: 'started', incident, decision, executionName: incident.id };
}

/** The instance `contain-instance` will act on, when the playbook contains one without asking first. */
function observedInstanceId(decision: Decision): string | undefined {
  if (decision.action !== 'remediate' || decision.playbook !== 'ec2-compromise') return undefined;
  if (decision.approval !== 'auto') return undefined;
  const target = decision.targets[0];
  return target?.kind === 'ec2-instance' ? (target as Ec2InstanceResource).instanceId : undefined;
}

/**
 * The GuardDuty poller hands over raw findings in batches (`{ findings: [...] }`): each one is triaged on its
 * own, so one bad finding cannot hold the others back.
 */
export async function triageBatch(findings: readonly unknown[], ports: TriagePorts): Promise<TriageResult[]> {
  const results: TriageResult[] = [];
  for (const finding of findings) results.push(await triage(finding, ports));
  return results;
}
