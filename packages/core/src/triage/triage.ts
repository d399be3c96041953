import type { InstanceObservation } from '../actions/observe-instance.ts';
import type { Ec2InstanceResource, Incident } from '../intake/incident.ts';
import { intake } from '../intake/intake.ts';
import type { RecognisedShape } from '../intake/result.ts';
import { type ClaimAnswer, type ClaimStore, executionNameOf } from '../ledger/claims.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { PlaybookId } from '../playbooks/ids.ts';
import { type Decision, decide } from '../policy/decision.ts';
import type { CordonIdentity } from '../policy/own-principals.ts';
import type { SettingsResult } from '../policy/settings.ts';
import type { BlastRadius } from './blast-radius.ts';
import { buildExecutionInput, type ExecutionInput } from './execution-input.ts';

/** Starts a playbook execution with the name the claim gave; `duplicate` when Step Functions says the name exists. */
export type StartExecution = (request: {
  readonly name: string;
  readonly playbook: PlaybookId;
  readonly input: ExecutionInput;
}) => Promise<'started' | 'duplicate'>;

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
  /**
   * The incidents' claims (the ledger table's conditional writes, ledger/claims.ts): they decide whether a
   * delivery starts anything, and which execution. Absent (benchmarks that drive the engine in process):
   * every incident is claimed as its first execution, and StartExecution's name check alone tells duplicates.
   */
  readonly claims?: Pick<ClaimStore, 'claim' | 'started'>;
  /** Where this triage runs (stage and home account): the decision recognises Cordon's own roles by ARN. */
  readonly identity?: CordonIdentity;
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
      /** The execution started, or the one already handling the incident. */
      readonly executionName?: string;
      /** `true` for a decision made while settings failed closed: it does not hold the incident. */
      readonly provisional?: boolean;
    };

/** Containment playbooks count against the blast radius; notifications and credential steps do not. */
const CONTAINMENT_PLAYBOOKS: readonly PlaybookId[] = ['ec2-compromise'];

/**
 * Triage of one event: intake → decide → {claim the incident ∥ take a blast-radius slot ∥ read the instance
 * for containment} in one round trip → start the playbook the claim names (the incident id for its first
 * execution, `<incident id>-<n>` after a release or a fail-closed notification: ledger/claims.ts) → record the
 * decision, and on the claim that the execution started. The claim, not StartExecution's name check, decides
 * whether a delivery starts anything: a re-delivered or re-published finding starts nothing new, a decision
 * made while settings fail closed notifies once without holding the incident, and a finding updated after a
 * release is contained again.
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
  const provisional = !ports.settings.ok;
  let decision = decide(incident, settings, ports.identity);
  if (provisional) {
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
  const playbook = decision.action === 'ignore' ? null : decision.playbook;
  const [claimed, slot, observed] = await Promise.allSettled([
    playbook === null
      ? Promise.resolve(undefined)
      : (ports.claims?.claim({
          incidentId: incident.id,
          playbook,
          provisional,
          occurrence: incident.updatedAt,
          now,
        }) ?? Promise.resolve(firstExecution(incident.id, provisional))),
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
  const claim = claimed.value;
  const input = {
    source: incident.source,
    type: incident.type,
    count: incident.count,
    updatedAt: incident.updatedAt,
  };

  if (claim?.outcome === 'duplicate') {
    if (consumed) await ports.blastRadius.release(incident.account, now);
    await ports.ledger.append({
      incidentId: incident.id,
      step: 'triage',
      at: now.toISOString(),
      outcome: 'duplicate',
      dryRun: decision.dryRun,
      settingsVersion: ports.settings.version,
      input,
      changes: [],
      notes: [
        `incident ${incident.id} already has a playbook (delivery ${incident.count}); nothing new is started`,
        claim.reason,
      ],
    });
    return {
      outcome: 'duplicate',
      incident,
      decision,
      executionName: claim.executionName,
      ...(provisional ? { provisional } : {}),
    };
  }

  // Claimed again by the same playbook: an earlier triage of this incident (a retry, or a delivery racing this
  // one) counted it against the blast radius already, so this one gives its slot back.
  let holding = consumed;
  if (claim?.outcome === 'reclaimed' && consumed) {
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
      input,
      changes: [],
      notes: [decision.reason, ...notes],
    });

  if (claim === undefined || decision.playbook === null) {
    await record('decided', ['ignored']);
    return { outcome: 'ignored', incident, decision };
  }

  const name = claim.executionName;
  const built = buildExecutionInput(incident, decision, settings, ports.settings.version, observation);
  const started = await ports.startExecution({ name, playbook: decision.playbook, input: built });
  // StartExecution answered for this execution (started it, or it exists): a later delivery is a duplicate.
  const answered = markStarted(ports, incident.id, claim);
  const claimNote = claim.outcome === 'claimed' ? [claim.reason] : [];
  if (started === 'duplicate') {
    if (holding) await ports.blastRadius.release(incident.account, now);
    // A re-published finding (growing count) updates the record; it never starts a second playbook.
    await Promise.all([
      record('duplicate', [`execution ${name} already exists (delivery ${incident.count})`]),
      answered,
    ]);
    return {
      outcome: 'duplicate',
      incident,
      decision,
      executionName: name,
      ...(provisional ? { provisional } : {}),
    };
  }
  await Promise.all([
    record('decided', [`started ${decision.playbook} as execution ${name}`, ...claimNote]),
    answered,
  ]);
  return {
    outcome: 'started',
    incident,
    decision,
    executionName: name,
    ...(provisional ? { provisional } : {}),
  };
}

/** Without a claim store, every incident is its first execution (StartExecution's name tells duplicates). */
function firstExecution(incidentId: string, provisional: boolean): ClaimAnswer {
  return {
    outcome: 'claimed',
    execution: 1,
    executionName: executionNameOf(incidentId, 1),
    provisional,
    reason: 'No claim store: the execution name alone tells duplicates.',
  };
}

/**
 * Records on the claim that StartExecution answered. A failure is reported and not thrown: the execution
 * runs, and a later delivery that finds the claim unmarked starts the same name again, which StartExecution
 * answers with the running execution or `ExecutionAlreadyExists`.
 */
async function markStarted(ports: TriagePorts, incidentId: string, claim: ClaimAnswer): Promise<void> {
  if (ports.claims === undefined) return;
  try {
    await ports.claims.started(incidentId, claim.execution);
  } catch (error) {
    ports.warn?.('Could not record on the claim that the execution started', {
      incidentId,
      executionName: claim.executionName,
      error: String(error),
    });
  }
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
