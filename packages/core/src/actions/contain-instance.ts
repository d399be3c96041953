import type { Instance } from '@aws-sdk/client-ec2';
import {
  type ActionError,
  ActionFailedError,
  classifyAwsError,
  EventualConsistencyError,
  mostSerious,
} from '../errors.ts';
import type { Change, LeaseResult } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import {
  type DetachFromAutoScalingOutput,
  detachFromAutoScaling,
  planStandby,
} from './detach-from-autoscaling.ts';
import { assertNotExempt } from './guardrails.ts';
import {
  type IsolateInstanceOutput,
  isolateInstance,
  leftOnAllowAll,
  planIsolation,
} from './isolate-instance.ts';
import {
  freshObservation,
  type InstanceObservation,
  InstanceObservationSchema,
  OBSERVER_PERMISSIONS,
  observeInstance,
} from './observe-instance.ts';
import { ProtectEvidenceInput, planProtectEvidence, protectEvidence } from './protect-evidence.ts';
import { recordedRestores } from './release-instance.ts';
import { runAction } from './run-action.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type Permission,
  permissionKey,
} from './types.ts';

export const ContainInstanceInput = z.extend(ProtectEvidenceInput, {
  /** Triage's reads of the instance (`null` when triage could not read it, or approval came first). */
  observation: z._default(z.nullable(InstanceObservationSchema), null),
});
export type ContainInstanceInput = z.output<typeof ContainInstanceInput>;

/** The parts of a containment, by the id of the action each part is on its own. */
export type ContainmentPart = 'protect-evidence' | 'detach-from-autoscaling' | 'isolate-instance';

/**
 * What release-instance needs: each part's own restore record, as that action alone would have written
 * it (release-instance reads both shapes).
 */
export interface ContainInstanceRestore {
  readonly instanceId: string;
  readonly parts: Readonly<Partial<Record<ContainmentPart, unknown>>>;
}

export interface ContainInstanceOutput {
  readonly instanceId: string;
  /** Where the plan came from: triage's observation (no reads in the step) or live reads. */
  readonly readFrom: 'observation' | 'live';
  /** The instance changed between triage's reads and the step: it was planned again from live reads. */
  readonly replanned: boolean;
  readonly autoScaling: DetachFromAutoScalingOutput;
  readonly isolation: IsolateInstanceOutput;
}

/** Every permission of the three parts, once; the observer's reads are among them. */
function unionOf(groups: readonly (readonly Permission[])[]): Permission[] {
  const seen = new Set<string>();
  const union: Permission[] = [];
  for (const permission of groups.flat()) {
    const key = permissionKey(permission);
    if (seen.has(key)) continue;
    seen.add(key);
    union.push(permission);
  }
  return union;
}

/**
 * Everything the plan depends on, in a form two observations can be compared by: the instance (ENIs and their
 * groups, volumes and DeleteOnTermination, tags, state), its protection attributes, its Auto Scaling
 * membership and the isolation groups. If the live state differs from triage's, the plan is made again.
 */
function fingerprint(observation: InstanceObservation): string {
  const groups = observation.isolationGroups
    .map((group) => [group.GroupId, group.VpcId, group.IpPermissions ?? [], group.IpPermissionsEgress ?? []])
    .sort(([left], [right]) => String(left).localeCompare(String(right)));
  return JSON.stringify({
    instance: instanceFingerprint(observation.instance),
    disableApiTermination: observation.disableApiTermination,
    shutdownBehavior: observation.shutdownBehavior,
    autoScaling: observation.autoScaling,
    groups,
  });
}

function instanceFingerprint(instance: Instance): string {
  const enis = (instance.NetworkInterfaces ?? [])
    .map((eni) => [eni.NetworkInterfaceId, (eni.Groups ?? []).map((group) => group.GroupId).sort()] as const)
    .sort(([left], [right]) => String(left).localeCompare(String(right)));
  const volumes = (instance.BlockDeviceMappings ?? [])
    .map((mapping) => [mapping.DeviceName, mapping.Ebs?.DeleteOnTermination ?? null] as const)
    .sort(([left], [right]) => String(left).localeCompare(String(right)));
  const tags = (instance.Tags ?? [])
    .map((tag) => [tag.Key, tag.Value] as const)
    .sort(([left], [right]) => String(left).localeCompare(String(right)));
  return JSON.stringify({ enis, volumes, tags, state: instance.State?.Name ?? null });
}

/**
 * `contain-instance`: the EC2 containment of DOMAIN.md items 12–15 as ONE step, so that the instance is cut
 * off in as few sequential AWS round trips as the rules allow (docs/benchmarks.md, "Containment path"):
 *
 * 1. reads — none when triage's observation is fresh (`OBSERVATION_MAX_AGE_SECONDS`); otherwise the five
 *    reads at once;
 * 2. one ledger `planned` entry with every part's restore (and, with an observation, the same five reads sent
 *    together with it: if the live state differs from the observation — an ENI attached, groups changed, an
 *    exemption tag added, Auto Scaling membership, or this is a retry after a partial run — the step plans
 *    again from the live reads);
 * 3. at once: evidence protection (termination protection, stop on shutdown, DeleteOnTermination=false,
 *    quarantine tags), EnterStandby in the Auto Scaling group, and every ENI to the allow-all
 *    `cordon-isolation-untrack` group (untracking its connections; all traffic stays allowed, so no health
 *    check fails yet);
 * 4. once protection and Standby have ANSWERED, every ENI to the no-rule `cordon-isolation` group: the
 *    network is cut only when the group can no longer terminate the instance (item 13). If protection or
 *    Standby fails, nothing is cut and every ENI goes back to its own groups.
 *
 * One incident contains an instance at a time: the step takes a lease on the instance in the ledger table with
 * its first reads (or ledger write), and a second incident's step waits (`EventualConsistencyError`, retried)
 * rather than move ENIs another containment is moving. Load-balancer deregistration, snapshots and the instance
 * profile follow as their own steps (item 13: the containment does not wait for draining). Idempotent, like its parts; exempt instances are refused.
 * IAM: the union of protect-evidence, detach-from-autoscaling and isolate-instance.
 *
 * @example
 * await runAction(containInstance, { incidentId, account, region, dryRun: false, instanceId: 'i-0abc…', observation }, environment)
 * // changes: disableApiTermination false → true, autoScaling:web lifecycleState InService → Standby, eni-0aaa… groups [sg-web] → [sg-iso], …
 */
export const containInstance: ActionDefinition<ContainInstanceInput, ContainInstanceOutput> = {
  id: 'contain-instance',
  summary:
    'Protects the evidence, puts the instance in Standby in its Auto Scaling group and moves every ENI to an allow-all group, all at once, then — once protection and Standby have answered — to a group with no rules.',
  undo: 'Release (ec2-release) puts each ENI back on its recorded groups and takes the instance out of Standby; the evidence protections stay on.',
  dryRunBehaviour:
    'Reads (or takes from triage) the instance, its attributes, its Auto Scaling membership and the isolation groups, and records what it would change; no call changes anything.',
  mutating: true,
  leases: true,
  input: ContainInstanceInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: unionOf([
    OBSERVER_PERMISSIONS,
    protectEvidence.permissions,
    detachFromAutoScaling.permissions,
    isolateInstance.permissions,
  ]),
  async plan(input, context): Promise<ActionPlan<ContainInstanceOutput>> {
    const { instanceId } = input;
    // The schema checked the fields containment reads; the SDK's types are wider than the schema's.
    const given = input.observation as InstanceObservation | null;
    const observed = freshObservation(given, instanceId, context.now());
    // Sent with the first reads (or the ledger write): one containment of this instance at a time.
    const lease = context.dryRun ? undefined : leaseInstance(context, instanceId);
    lease?.catch(() => undefined); // awaited in apply
    try {
      if (observed !== undefined) {
        try {
          return planContainment(context, input, observed, 'observation', lease);
        } catch (error) {
          // What triage saw cannot be contained as it was (still joining its group, say): the live state
          // decides, now — a retry would be handed the same observation for up to 30 s.
          context.logger.info('contain-instance: planning from triage’s reads failed; reading live state', {
            instanceId,
            error: String(error),
          });
        }
      }
      const live = await observeInstance(context.clients, instanceId, context.now());
      return planContainment(context, input, live, 'live', lease);
    } catch (error) {
      // Nothing will be applied: the lease, if it was granted, goes back at once.
      void lease?.then(() => giveBackLease(context, instanceId)).catch(() => undefined);
      throw error;
    }
  },
};

/** How long a containment may hold its instance before another incident may take it over. */
const LEASE_SECONDS = 120;

function leaseKey(context: ActionContext, instanceId: string): string {
  return `instance#${context.account}#${context.region}#${instanceId}`;
}

/** The instance's lease for this incident; always granted where the ledger keeps no leases. */
function leaseInstance(context: ActionContext, instanceId: string): Promise<LeaseResult> {
  const { ledger } = context;
  if (ledger.acquireLease === undefined) return Promise.resolve({ acquired: true });
  const now = context.now();
  return ledger.acquireLease(
    leaseKey(context, instanceId),
    context.incidentId,
    new Date(now.getTime() + LEASE_SECONDS * 1000),
    now,
  );
}

async function giveBackLease(context: ActionContext, instanceId: string): Promise<void> {
  try {
    await context.ledger.releaseLease?.(leaseKey(context, instanceId), context.incidentId);
  } catch (error) {
    // It runs out by itself; another incident waits at most that long.
    context.logger.warn('contain-instance: could not give back the lease on the instance', {
      instanceId,
      error: String(error),
    });
  }
}

function planContainment(
  context: ActionContext,
  input: ContainInstanceInput,
  observation: InstanceObservation,
  readFrom: ContainInstanceOutput['readFrom'],
  lease: Promise<LeaseResult> | undefined,
): ActionPlan<ContainInstanceOutput> {
  const { instanceId } = input;
  const { instance } = observation;
  assertNotExempt(instance.Tags, context.settings, instanceId);

  // Started now, answered while runAction writes the `planned` entry: a check that costs no round trip.
  const recheck =
    readFrom === 'observation' ? observeInstance(context.clients, instanceId, context.now()) : undefined;
  recheck?.catch(() => undefined); // awaited in apply; a dry run never gets there

  const protect = planProtectEvidence(context, instanceId, instance, observation);
  const standby = planStandby(
    context,
    instanceId,
    instance,
    observation.autoScaling === null
      ? undefined
      : {
          AutoScalingGroupName: observation.autoScaling.groupName,
          LifecycleState: observation.autoScaling.lifecycleState,
        },
  );
  let beforeCut: Promise<unknown> = Promise.resolve();
  const isolation = planIsolation(
    context,
    instanceId,
    instance,
    observation.isolationGroups,
    () => beforeCut,
    (enis) => recordedGroupsOf(context, instanceId, enis),
  );

  const parts: Partial<Record<ContainmentPart, unknown>> = {};
  if (protect.restore !== undefined) parts['protect-evidence'] = protect.restore;
  if (standby.restore !== undefined) parts['detach-from-autoscaling'] = standby.restore;
  if (isolation.restore !== undefined) parts['isolate-instance'] = isolation.restore;
  const restore: ContainInstanceRestore | undefined =
    Object.keys(parts).length === 0 ? undefined : { instanceId, parts };
  // `let`: after a re-plan the step's `done` record tells what the live plan changed (see apply).
  let changes: readonly Change[] = [...protect.changes, ...standby.changes, ...isolation.changes];
  // Nothing to change (or a dry run): apply never runs, so the lease goes back now.
  if (lease !== undefined && (changes.length === 0 || context.dryRun)) {
    void lease.then(() => giveBackLease(context, instanceId)).catch(() => undefined);
  }
  let notes: readonly string[] = [
    readFrom === 'observation'
      ? `planned from triage's reads of ${observation.observedAt}, checked against the live instance before any change`
      : 'planned from live reads',
    ...protect.notes,
    ...standby.notes,
    ...isolation.notes,
  ];
  const output = (
    autoScaling: DetachFromAutoScalingOutput,
    isolated: IsolateInstanceOutput,
  ): ContainInstanceOutput => ({
    instanceId,
    readFrom,
    replanned: false,
    autoScaling,
    isolation: isolated,
  });

  return {
    get changes() {
      return changes;
    },
    ...(restore === undefined ? {} : { restore }),
    get notes() {
      return notes;
    },
    output: output(standby.output, isolation.output),
    async apply() {
      const held = await lease;
      if (held !== undefined && !held.acquired) {
        throw new EventualConsistencyError(
          `${instanceId} is being contained by incident ${held.holder}: this step is tried again once that is done (two containments at once could undo each other).`,
        );
      }
      try {
        return await applyContainment();
      } finally {
        if (lease !== undefined) await giveBackLease(context, instanceId);
      }
    },
  };

  async function applyContainment(): Promise<ContainInstanceOutput> {
    if (recheck !== undefined) {
      let live: InstanceObservation;
      try {
        live = await recheck;
      } catch (error) {
        throw classifyAwsError(error, 'contain-instance: reading the instance again');
      }
      assertNotExempt(live.instance.Tags, context.settings, instanceId);
      if (fingerprint(live) !== fingerprint(observation)) {
        context.logger.info('contain-instance: the instance changed since triage read it; planning again', {
          instanceId,
        });
        const { settings, settingsVersion, clients, ledger, logger, notifications, now } = context;
        const again = await runAction(
          containInstance,
          { ...input, observation: null },
          { settings, settingsVersion, clients, ledger, logger, notifications, now },
        );
        // The step's record then tells what was changed, not what triage's reads suggested.
        changes = again.changes;
        notes = [...notes, 'the instance changed since triage read it: planned again from live reads'];
        return { ...again.output, replanned: true };
      }
    }
    const protecting = protect.apply();
    const standingBy = standby.apply();
    beforeCut = Promise.all([protecting, standingBy]);
    beforeCut.catch(() => undefined); // isolation awaits it; its failure is reported below
    const [protected_, stoodBy, isolated] = await Promise.allSettled([
      protecting,
      standingBy,
      isolation.apply(),
    ]);
    if (
      protected_.status === 'fulfilled' &&
      stoodBy.status === 'fulfilled' &&
      isolated.status === 'fulfilled'
    ) {
      return output(stoodBy.value, isolated.value);
    }
    // An ENI left on the allow-all group with a retry still able to close it: that error is the one Step
    // Functions must see, so that the step is tried again rather than ended.
    if (isolated.status === 'rejected' && leftOnAllowAll(isolated.reason)) {
      const open = classifyAwsError(isolated.reason, 'contain-instance: isolating the ENIs');
      if (open.retryable) throw open;
    }
    throw reportedError(
      [
        [protected_, 'contain-instance: protecting the evidence'],
        [stoodBy, 'contain-instance: EnterStandby'],
        [isolated, 'contain-instance: isolating the ENIs'],
      ],
      isolated.status === 'rejected' ? classifyAwsError(isolated.reason, 'isolate').partial : undefined,
    );
  }
}

/**
 * Each ENI's groups from before Cordon first moved it: what release would give back, read the same way
 * (`recordedRestores`: this incident's earliest `planned` records, validated).
 */
async function recordedGroupsOf(
  context: ActionContext,
  instanceId: string,
  networkInterfaceIds: readonly string[],
): Promise<ReadonlyMap<string, readonly string[]>> {
  const wanted = new Set(networkInterfaceIds);
  const restores = recordedRestores(await context.ledger.entries(context.incidentId), instanceId);
  return new Map(
    (restores['isolate-instance']?.networkInterfaces ?? [])
      .filter((eni) => wanted.has(eni.networkInterfaceId))
      .map((eni) => [eni.networkInterfaceId, eni.groupIds] as const),
  );
}

/**
 * The error the step reports: a terminal one wins (retrying would meet it again), else the first; the
 * isolation's partial progress (which ENIs were cut, which went back to their groups) goes with it.
 */
function reportedError(
  results: readonly (readonly [PromiseSettledResult<unknown>, string])[],
  partial: ActionError['partial'],
): ActionError {
  const errors = results.flatMap(([result, what]) =>
    result.status === 'rejected' ? [classifyAwsError(result.reason, what, { partial })] : [],
  );
  return mostSerious(errors) ?? new ActionFailedError('contain-instance failed without an error');
}
