import {
  CreateSecurityGroupCommand,
  type Instance,
  ModifyNetworkInterfaceAttributeCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { ActionFailedError, classifyAwsError, mostSerious, type PartialProgress } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { assertNotExempt, ISOLATION_GROUP_NAMES } from './guardrails.ts';
import {
  GROUP_DESCRIPTIONS,
  type GroupPlan,
  type GroupRole,
  groupKey,
  ISOLATION_GROUP_TAG,
  isolationGroupsIn,
  planGroup,
  WANTED_RULES,
} from './isolation-groups.ts';
import { describeIsolationGroups } from './observe-instance.ts';
import { describeInstance, ProtectEvidenceInput } from './protect-evidence.ts';
import { applyRuleDiff, ruleKey, rulesOf } from './security-group-rules.ts';
import { type ActionContext, type ActionDefinition, type ActionPlan, StepEnvelopeSchema } from './types.ts';

export const IsolateInstanceInput = z.extend(StepEnvelopeSchema, {
  instanceId: ProtectEvidenceInput.shape.instanceId,
});
export type IsolateInstanceInput = z.output<typeof IsolateInstanceInput>;

/**
 * What release-instance needs to put each ENI back: its ORIGINAL groups. This shape is the contract with
 * release-instance. An ENI already on a Cordon isolation group when planning is left out: its original
 * groups are in an earlier ledger entry, and recording the isolation group here would lose them.
 */
export interface IsolateInstanceRestore {
  readonly instanceId: string;
  readonly networkInterfaces: ReadonlyArray<{
    readonly networkInterfaceId: string;
    readonly vpcId: string;
    readonly groupIds: readonly string[];
  }>;
}

// The benchmarks seed isolation groups with it.
export { ISOLATION_GROUP_TAG } from './isolation-groups.ts';

export interface IsolateInstanceOutput {
  readonly instanceId: string;
  /** VPC id → id of the no-rule `cordon-isolation` group every ENI of that VPC ends on. */
  readonly isolationGroups: Readonly<Record<string, string>>;
  /** Every ENI of the instance, primary first. */
  readonly networkInterfaces: readonly string[];
}

/** Flows a security group cannot cut (DOMAIN.md item 14): said in every incident. */
export const STILL_TRACKED_NOTE =
  'Security groups cannot cut everything: ICMP, and flows through a Network Load Balancer, NAT gateway, ' +
  'Transit Gateway, Gateway Load Balancer, AWS Network Firewall or Global Accelerator stay tracked after ' +
  'isolation; cut them at those services if the incident needs it.';

/**
 * What an ENI needs: `both` steps (allow-all, then no-rule), `isolate` only (an earlier run left it on the
 * allow-all group, so its flows are already untracked), or nothing (already on the no-rule group alone).
 */
interface EniPlan {
  readonly networkInterfaceId: string;
  readonly vpcId: string;
  readonly groupIds: readonly string[];
  readonly steps: 'both' | 'isolate' | 'none';
}

function networkInterfacesOf(instance: Instance, instanceId: string) {
  return (instance.NetworkInterfaces ?? []).map((eni) => {
    const vpcId = eni.VpcId ?? instance.VpcId;
    if (eni.NetworkInterfaceId === undefined || vpcId === undefined) {
      throw new ActionFailedError(`${instanceId} has a network interface without an id or a VPC.`);
    }
    const groupIds = (eni.Groups ?? [])
      .map((group) => group.GroupId)
      .filter((id): id is string => id !== undefined);
    return { networkInterfaceId: eni.NetworkInterfaceId, vpcId, groupIds };
  });
}

/** Rule calls are all-or-nothing: these mean the group changed since it was read, not that the call is wrong. */
const RULE_RACE_CODES = ['InvalidPermission.Duplicate', 'InvalidPermission.NotFound'] as const;

/** A call that failed during `apply`, kept so that the rest of the containment still goes ahead. */
interface Failure {
  readonly error: unknown;
  readonly what: string;
  /** Codes that mean "AWS has not caught up yet" for this call. */
  readonly eventualConsistency: readonly string[];
}

/**
 * `isolate-instance`: cuts the instance off the network, on every ENI, in the two steps DOMAIN.md items 14–15
 * require. Each ENI is first moved (ModifyNetworkInterfaceAttribute, all ENIs in parallel) to
 * `cordon-isolation-untrack`, which allows all traffic in and out (IPv4 and IPv6) and so makes tracked
 * connections untracked; then to `cordon-isolation`, which has no rules at all, so the untracked flows stop
 * at the next packet. The two groups are created once per VPC (tagged `cordon:managed=true`) and reused;
 * a group whose rules drifted is put right. `ModifyInstanceAttribute(Groups)` is never used: it touches the
 * primary ENI only, and fails on instances with several.
 *
 * Idempotent: ENIs already on `cordon-isolation` alone are left alone; an ENI an earlier failed run left on
 * the allow-all group goes straight to step 2. Each ENI's original groups are recorded before the change
 * (the restore, read by release-instance). A fault mid-way is reported with which ENIs were isolated, and
 * every ENI that could be isolated still is. Exempt instances are refused before any change.
 *
 * IAM: ec2:DescribeInstances, ec2:DescribeSecurityGroups; ec2:CreateSecurityGroup (+ ec2:CreateTags on
 * creation) for groups tagged `cordon:managed=true`; ec2:Authorize/RevokeSecurityGroupIngress/Egress on
 * those groups only; ec2:ModifyNetworkInterfaceAttribute with those groups only.
 *
 * @example
 * await runAction(isolateInstance, { incidentId, account, region, dryRun: false, instanceId: 'i-0abc…' }, environment)
 * // changes: eni-0aaa… groups [sg-web] → [sg-iso], eni-0bbb… groups [sg-db] → [sg-iso2] (another VPC), …
 * // restore: { instanceId, networkInterfaces: [{ networkInterfaceId: 'eni-0aaa…', vpcId, groupIds: ['sg-web'] }, …] }
 * // output:  { instanceId, isolationGroups: { 'vpc-0a…': 'sg-iso', 'vpc-0b…': 'sg-iso2' }, networkInterfaces: [...] }
 */
export const isolateInstance: ActionDefinition<IsolateInstanceInput, IsolateInstanceOutput> = {
  id: 'isolate-instance',
  summary:
    "Moves every ENI of the instance to an allow-all group (untracking its connections), then to a group with no rules, in each ENI's own VPC.",
  undo: 'Release (ec2-release) puts each ENI back on the groups recorded before isolation; the isolation groups stay, shared by later incidents in the VPC.',
  dryRunBehaviour:
    'Reads the instance, its ENIs and the isolation groups, and records which groups it would create or fix and which ENIs it would move; no call changes anything.',
  mutating: true,
  input: IsolateInstanceInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups'],
      resources: ['*'],
      why: 'Read the ENIs and their groups, and find the isolation groups (Describe* has no resource-level permissions).',
    },
    {
      actions: ['ec2:CreateSecurityGroup'],
      resources: ['arn:aws:ec2:{region}:{account}:vpc/*'],
      why: "Create the isolation groups in each ENI's own VPC.",
    },
    {
      actions: ['ec2:CreateSecurityGroup'],
      resources: ['arn:aws:ec2:{region}:{account}:security-group/*'],
      condition: { StringEquals: { 'aws:RequestTag/cordon:managed': 'true' } },
      why: 'Create only groups tagged as Cordon-managed, so the rule permissions below reach nothing else.',
    },
    {
      actions: ['ec2:CreateTags'],
      resources: ['arn:aws:ec2:{region}:{account}:security-group/*'],
      condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
      why: 'Tag the isolation groups as they are created; never tag an existing group.',
    },
    {
      actions: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
      ],
      resources: ['arn:aws:ec2:{region}:{account}:security-group/*'],
      condition: { StringEquals: { 'aws:ResourceTag/cordon:managed': 'true' } },
      why: "Give the isolation groups their rules (allow-all on one, none on the other); only Cordon's own groups, so it can never open up anyone else's.",
    },
    {
      actions: ['ec2:ModifyNetworkInterfaceAttribute'],
      // EC2 authorizes the change on the ENI, the instance it is attached to, its subnet and every group it
      // is given. The groups cannot be limited to Cordon's isolation groups (aws:ResourceTag/cordon:managed):
      // an ENI whose cut fails for good goes back to its own groups, whatever they are — the alternative is
      // an ENI left on the allow-all group, more open than before. The rules of groups stay Cordon's only.
      resources: [
        'arn:aws:ec2:{region}:{account}:network-interface/*',
        'arn:aws:ec2:{region}:{account}:instance/*',
        'arn:aws:ec2:{region}:{account}:subnet/*',
        'arn:aws:ec2:{region}:{account}:security-group/*',
      ],
      why: "Put each ENI on Cordon's isolation groups — or, when the cut fails for good, back on its own groups (so any group: a condition on Cordon's tag would strand the ENI on the allow-all group). EC2 authorizes the change on the ENI, its instance, its subnet and each group.",
    },
  ],
  async plan(input, context): Promise<ActionPlan<IsolateInstanceOutput>> {
    const { instanceId } = input;
    // Both reads in one round trip: isolation is on the containment path, where each round trip counts.
    const [instance, isolationGroups] = await Promise.all([
      describeInstance(context, instanceId),
      describeIsolationGroups(context.clients),
    ]);
    return planIsolation(context, instanceId, instance, isolationGroups);
  },
};

/**
 * The plan of `isolate-instance` from what was read (live, or triage's observation for `contain-instance`).
 * `beforeCut`, when given, is awaited after every ENI is on the allow-all group and before any goes to the
 * no-rule group: `contain-instance` passes "evidence protected and the instance in Standby", so that the
 * network is cut only once the Auto Scaling group can no longer terminate the instance (DOMAIN.md item 13).
 * If it fails, no ENI is cut and every ENI moved to the allow-all group goes back to its own groups.
 */
export function planIsolation(
  context: ActionContext,
  instanceId: string,
  instance: Instance,
  isolationGroups: readonly SecurityGroup[],
  beforeCut?: () => Promise<unknown>,
  recordedGroups?: RecordedGroups,
): ActionPlan<IsolateInstanceOutput> {
  assertNotExempt(instance.Tags, context.settings, instanceId);

  const interfaces = networkInterfacesOf(instance, instanceId);
  const vpcIds = [...new Set(interfaces.map((eni) => eni.vpcId))];
  const found = isolationGroupsIn(isolationGroups, vpcIds);
  const groupPlans = vpcIds.flatMap((vpcId) =>
    (['untrack', 'isolate'] as const).map((role) => planGroup(vpcId, role, found.get(groupKey(vpcId, role)))),
  );
  const knownId = (vpcId: string, role: GroupRole) => found.get(groupKey(vpcId, role))?.GroupId;

  const eniPlans: EniPlan[] = interfaces.map((eni) => {
    const untrackId = knownId(eni.vpcId, 'untrack');
    const isolateId = knownId(eni.vpcId, 'isolate');
    const onIsolate = isolateId !== undefined && eni.groupIds.includes(isolateId);
    const onUntrack = untrackId !== undefined && eni.groupIds.includes(untrackId);
    let steps: EniPlan['steps'] = 'both';
    if (onIsolate && eni.groupIds.length === 1) steps = 'none';
    // The allow-all group is (still) on the ENI: its flows are untracked already.
    else if (onUntrack) steps = 'isolate';
    return { ...eni, steps };
  });

  const changes: Change[] = [];
  const notes: string[] = [STILL_TRACKED_NOTE];
  for (const group of groupPlans) {
    if (group.existingId === undefined) {
      changes.push({
        resource: group.vpcId,
        attribute: `securityGroup:${group.name}`,
        before: null,
        after: {
          rules: WANTED_RULES[group.role].map(ruleKey),
          tags: { [ISOLATION_GROUP_TAG.key]: 'true' },
        },
      });
      notes.push(`creates ${group.name} in ${group.vpcId}`);
    } else if (group.missing.length > 0 || group.extra.length > 0) {
      const current = rulesOf(found.get(groupKey(group.vpcId, group.role)) ?? {});
      changes.push({
        resource: group.existingId,
        attribute: 'rules',
        before: current.map(ruleKey),
        after: WANTED_RULES[group.role].map(ruleKey),
      });
      notes.push(`${group.existingId} (${group.name} in ${group.vpcId}) had drifted rules: put right`);
    }
  }
  for (const eni of eniPlans) {
    notes.push(`${eni.networkInterfaceId} is in ${eni.vpcId}`);
    if (eni.steps === 'none') {
      notes.push(`${eni.networkInterfaceId} is already isolated: left as it is`);
      continue;
    }
    if (eni.steps === 'isolate') {
      notes.push(
        `${eni.networkInterfaceId} is on the allow-all group (an earlier run stopped there): moved straight to ${ISOLATION_GROUP_NAMES.isolate}`,
      );
    }
    changes.push({
      resource: eni.networkInterfaceId,
      attribute: 'groups',
      before: [...eni.groupIds],
      after: [knownId(eni.vpcId, 'isolate') ?? `${ISOLATION_GROUP_NAMES.isolate} (new, in ${eni.vpcId})`],
    });
  }

  // Only ENIs not yet on a Cordon group: for the others the original groups are in an earlier entry.
  const onCordonGroup = (eni: EniPlan) =>
    eni.steps !== 'both' ||
    eni.groupIds.some((id) => id === knownId(eni.vpcId, 'untrack') || id === knownId(eni.vpcId, 'isolate'));
  const originals = eniPlans.filter((eni) => !onCordonGroup(eni));
  const restore: IsolateInstanceRestore | undefined =
    originals.length === 0
      ? undefined
      : {
          instanceId,
          networkInterfaces: originals.map(({ networkInterfaceId, vpcId, groupIds }) => ({
            networkInterfaceId,
            vpcId,
            groupIds: [...groupIds],
          })),
        };

  const output = (groupIds: ReadonlyMap<string, string>): IsolateInstanceOutput => ({
    instanceId,
    isolationGroups: Object.fromEntries(
      vpcIds.flatMap((vpcId) => {
        const id = groupIds.get(groupKey(vpcId, 'isolate'));
        return id === undefined ? [] : [[vpcId, id]];
      }),
    ),
    networkInterfaces: interfaces.map((eni) => eni.networkInterfaceId),
  });
  const foundIds = new Map(
    [...found].flatMap(([key, group]) => (group.GroupId === undefined ? [] : [[key, group.GroupId]])),
  );

  return {
    changes,
    ...(restore === undefined ? {} : { restore }),
    notes,
    output: output(foundIds),
    apply: () => isolate(context, instanceId, groupPlans, eniPlans, output, beforeCut, recordedGroups),
  };
}

/**
 * The groups an ENI had before Cordon first moved it, from the ledger (for an ENI an earlier try left on the
 * allow-all group, whose own groups this plan cannot see any more).
 */
export type RecordedGroups = (
  networkInterfaceIds: readonly string[],
) => Promise<ReadonlyMap<string, readonly string[]>>;

/** How often an ENI is tried back to its own groups before the step gives up on it, and the first pause. */
const MOVE_BACK_ATTEMPTS = 4;
const MOVE_BACK_PAUSE_MS = 100;

/** `true` when the error says an ENI was left on the allow-all group (more open than before the step). */
export function leftOnAllowAll(error: unknown): boolean {
  const notDone = (error as { partial?: PartialProgress }).partial?.notDone ?? [];
  return notDone.some((item) => item.includes(`left on ${ISOLATION_GROUP_NAMES.untrack}`));
}

async function isolate(
  context: ActionContext,
  instanceId: string,
  groupPlans: readonly GroupPlan[],
  eniPlans: readonly EniPlan[],
  output: (groupIds: ReadonlyMap<string, string>) => IsolateInstanceOutput,
  beforeCut: () => Promise<unknown> = async () => undefined,
  recordedGroups?: RecordedGroups,
): Promise<IsolateInstanceOutput> {
  const ec2 = context.clients.ec2;
  const failures: Failure[] = [];
  /** Groups ready to use (right rules), by VPC and role. */
  const ready = new Map<string, string>();
  /** Groups created by this run: `InvalidGroup.NotFound` on them means AWS has not caught up yet. */
  const created = new Set<string>();
  const consistencyCodes = (groupId: string) => (created.has(groupId) ? ['InvalidGroup.NotFound'] : []);

  // Round trip 1 (and 2 for new or drifted groups): every group of every VPC at once.
  await Promise.all(
    groupPlans.map(async (group) => {
      let groupId = group.existingId;
      try {
        if (groupId === undefined) {
          const response = await ec2.send(
            new CreateSecurityGroupCommand({
              GroupName: group.name,
              Description: GROUP_DESCRIPTIONS[group.role],
              VpcId: group.vpcId,
              TagSpecifications: [
                {
                  ResourceType: 'security-group',
                  Tags: [{ Key: ISOLATION_GROUP_TAG.key, Value: ISOLATION_GROUP_TAG.value }],
                },
              ],
            }),
          );
          if (response.GroupId === undefined) {
            throw new ActionFailedError(`CreateSecurityGroup answered no GroupId for ${group.name}`);
          }
          groupId = response.GroupId;
          created.add(groupId);
        }
        await applyRuleDiff(ec2, groupId, group);
        ready.set(groupKey(group.vpcId, group.role), groupId);
      } catch (error) {
        failures.push({
          error,
          what: `isolate-instance: preparing ${group.name} in ${group.vpcId}`,
          // A concurrent run may have created the same group, or changed its rules since we read them
          // (a rule already there, or already gone): a retry re-reads the live group and reuses it.
          eventualConsistency:
            groupId === undefined
              ? ['InvalidGroup.Duplicate']
              : [...consistencyCodes(groupId), ...RULE_RACE_CODES],
        });
      }
    }),
  );

  const moveTo = async (eni: EniPlan, role: GroupRole): Promise<boolean> => {
    const groupId = ready.get(groupKey(eni.vpcId, role));
    if (groupId === undefined) return false;
    try {
      await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: eni.networkInterfaceId,
          Groups: [groupId],
        }),
      );
      return true;
    } catch (error) {
      failures.push({
        error,
        what: `isolate-instance: moving ${eni.networkInterfaceId} to ${ISOLATION_GROUP_NAMES[role]}`,
        eventualConsistency: consistencyCodes(groupId),
      });
      return false;
    }
  };
  // An ENI goes to the allow-all group only when both of its VPC's groups are ready: left there, it would
  // be more open than before.
  const bothReady = (eni: EniPlan) =>
    ready.has(groupKey(eni.vpcId, 'untrack')) && ready.has(groupKey(eni.vpcId, 'isolate'));

  // Step 1, all ENIs at once: allow-all, so that their tracked connections become untracked.
  const stepOne = eniPlans.filter((eni) => eni.steps === 'both' && bothReady(eni));
  const untracked = await Promise.all(stepOne.map((eni) => moveTo(eni, 'untrack')));
  const onUntrack = new Set([
    ...stepOne.filter((_, index) => untracked[index] === true).map((eni) => eni.networkInterfaceId),
    ...eniPlans.filter((eni) => eni.steps === 'isolate').map((eni) => eni.networkInterfaceId),
  ]);

  // Step 2, all ENIs at once: the no-rule group, which stops the now-untracked flows — once whatever must
  // come before the cut has answered (contain-instance: evidence protected, the instance in Standby).
  const stepTwo = eniPlans.filter((eni) => onUntrack.has(eni.networkInterfaceId));
  let cutAllowed = stepTwo.length > 0;
  if (cutAllowed) {
    try {
      await beforeCut();
    } catch (error) {
      cutAllowed = false;
      failures.push({ error, what: 'isolate-instance: before cutting the network', eventualConsistency: [] });
    }
  }
  const isolatedNow = cutAllowed ? await Promise.all(stepTwo.map((eni) => moveTo(eni, 'isolate'))) : [];
  const isolated = new Set(
    stepTwo.filter((_, index) => isolatedNow[index] === true).map((eni) => eni.networkInterfaceId),
  );

  // An ENI that cannot reach the no-rule group for good must not stay on the allow-all one, more open than
  // before containment: it goes back to the groups it had. (A retryable failure is retried by Step
  // Functions, and the retry moves it on to the no-rule group.)
  // Nor when the cut was not allowed: the retry may be minutes away.
  const giveUp =
    (stepTwo.length > 0 && !cutAllowed) ||
    failures.some(
      (failure) =>
        !classifyAwsError(failure.error, failure.what, { eventualConsistency: failure.eventualConsistency })
          .retryable,
    );
  const movedBack = new Set<string>();
  /** Why an ENI could not be moved back (the last error), so the step can ask to be tried again. */
  const moveBackFailures: Failure[] = [];
  if (giveUp) {
    const stranded = stepTwo.filter((eni) => !isolated.has(eni.networkInterfaceId));
    // An ENI an earlier try left on the allow-all group: its own groups are in the ledger, not in this plan.
    const unknown = stranded.filter((eni) => eni.steps === 'isolate').map((eni) => eni.networkInterfaceId);
    const recorded =
      unknown.length === 0 || recordedGroups === undefined
        ? new Map<string, readonly string[]>()
        : await recordedGroups(unknown).catch(() => new Map<string, readonly string[]>());
    await Promise.all(
      stranded.map(async (eni) => {
        const groups = eni.steps === 'both' ? eni.groupIds : recorded.get(eni.networkInterfaceId);
        if (groups === undefined) return; // reported below as left on the allow-all group
        const error = await moveBack(context, eni.networkInterfaceId, groups);
        if (error === undefined) movedBack.add(eni.networkInterfaceId);
        else {
          moveBackFailures.push({
            error,
            what: `isolate-instance: moving ${eni.networkInterfaceId} back to its own groups`,
            eventualConsistency: [],
          });
        }
      }),
    );
  }

  if (failures.length > 0) {
    const pending = eniPlans.filter((eni) => eni.steps !== 'none' && !isolated.has(eni.networkInterfaceId));
    const partial: PartialProgress = {
      done: [...isolated],
      notDone: pending.map((eni) =>
        movedBack.has(eni.networkInterfaceId)
          ? `${eni.networkInterfaceId} (moved back to its original groups)`
          : onUntrack.has(eni.networkInterfaceId)
            ? `${eni.networkInterfaceId} (left on ${ISOLATION_GROUP_NAMES.untrack}, which allows all traffic)`
            : eni.networkInterfaceId,
      ),
    };
    const classified = (list: readonly Failure[]) =>
      list.map((failure) =>
        classifyAwsError(failure.error, failure.what, {
          eventualConsistency: failure.eventualConsistency,
          partial,
        }),
      );
    // An ENI left more open than before must not end the playbook while a retry could still close it: a
    // retryable reason for that wins over the terminal error that stopped the containment.
    const stillOpen = pending.some(
      (eni) => onUntrack.has(eni.networkInterfaceId) && !movedBack.has(eni.networkInterfaceId),
    );
    const retryableOpen = classified(moveBackFailures).find((error) => error.retryable);
    if (stillOpen && retryableOpen !== undefined) throw retryableOpen;
    throw (
      mostSerious(classified(failures)) ?? new ActionFailedError('isolate-instance failed without an error')
    );
  }
  context.logger.info('isolate-instance: isolated', { instanceId, networkInterfaces: isolated.size });
  return output(ready);
}

/**
 * Puts an ENI back on its own groups, trying again a few times on a retryable error (a throttled call must not
 * leave it on the allow-all group); the error of the last try, or `undefined` when it is back.
 */
async function moveBack(
  context: ActionContext,
  networkInterfaceId: string,
  groups: readonly string[],
): Promise<unknown> {
  let last: unknown;
  for (let attempt = 0; attempt < MOVE_BACK_ATTEMPTS; attempt += 1) {
    if (attempt > 0)
      await new Promise((resolve) => setTimeout(resolve, MOVE_BACK_PAUSE_MS * 2 ** (attempt - 1)));
    try {
      await context.clients.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: networkInterfaceId,
          Groups: [...groups],
        }),
      );
      return undefined;
    } catch (error) {
      last = error;
      if (!classifyAwsError(error, 'moving back').retryable) return error;
    }
  }
  return last;
}
