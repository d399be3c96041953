import { DescribeAutoScalingInstancesCommand, ExitStandbyCommand } from '@aws-sdk/client-auto-scaling';
import {
  AssociateIamInstanceProfileCommand,
  DeleteTagsCommand,
  type Instance,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ActionFailedError, awsErrorCode, EventualConsistencyError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import type { StepId } from '../playbooks/ids.ts';
import { changeDenyPolicy, denyEntries, isQuarantined, withoutQuarantinedInstance } from './deny-policy.ts';
import {
  type ApplyCall,
  describeTarget,
  isNotRegistered,
  type RegisteredTarget,
  runInPhases,
  TARGET_GROUP_GONE,
} from './deregister-from-load-balancers.ts';
import { CORDON_DENY_POLICY_NAME, QUARANTINE_TAG_KEYS } from './guardrails.ts';
import { describeInstance, ProtectEvidenceInput } from './protect-evidence.ts';
import { lastRelease, RESTORE_STEPS, type Restores, recordedRestores } from './release-records.ts';

export { recordedRestores } from './release-records.ts';

import { currentAssociation, readRoleDenyPolicy } from './quarantine-instance-profile.ts';
import type { ActionContext, ActionDefinition, ActionPlan } from './types.ts';

export interface ReleaseInstanceOutput {
  readonly instanceId: string;
  /** The containment steps whose recorded changes were looked at (and undone where still in place). */
  readonly releasedSteps: readonly StepId[];
}

/** One part of the release: what it changes, and the calls that do it. */
interface Part {
  readonly changes: Change[];
  readonly calls: ApplyCall[];
}

/**
 * `release-instance` (`ec2-release`, DOMAIN.md item 18): undoes a containment from what its steps recorded in
 * the ledger before they changed anything — the earliest `planned` entry of each step, so a step retried
 * after a fault still restores the state from before its first try. It restores each ENI's groups, the
 * instance profile (and removes this instance's statement from `cordon-deny`), the load-balancer
 * registrations and the Auto Scaling membership, then removes the quarantine tags, in that order: the
 * instance must be reachable again before the group health-checks it. Evidence protections (termination
 * protection, stop-on-shutdown, DeleteOnTermination=false) and snapshots are kept.
 *
 * Never automatic: the playbook always asks for approval first. Idempotent: each part already restored is
 * skipped. Nothing recorded for the incident → terminal `ActionFailedError`. As it begins (not in a dry run) it
 * closes the incident's claim, so that a later occurrence of the finding is contained again; a containment
 * after a release is released from its own records (those since the last release).
 *
 * @example
 * await runAction(releaseInstance, { incidentId: containmentIncidentId, account, region, dryRun: false, instanceId: 'i-0abc…' }, environment)
 * // changes: eni-… groups [sg-isolation] → [sg-web]; i-0abc… iamInstanceProfile null → …/web; tag:cordon:quarantined true → null
 */
export const releaseInstance: ActionDefinition<ProtectEvidenceInput, ReleaseInstanceOutput> = {
  id: 'release-instance',
  summary:
    "Undoes a containment from the ledger: restores each ENI's groups, the instance profile, the load-balancer registrations and the Auto Scaling membership, and removes the quarantine tags.",
  undo: 'Not undone by Cordon: to contain the instance again, a new incident runs the containment playbook.',
  dryRunBehaviour:
    'Reads the ledger and the live instance and records what it would restore; no call changes anything.',
  mutating: true,
  // The role's deny-policy lease: one writer of cordon-deny at a time.
  leases: true,
  input: ProtectEvidenceInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeIamInstanceProfileAssociations'],
      resources: ['*'],
      why: 'Read the instance, its ENIs, tags and profile association (Describe* has no resource-level permissions).',
    },
    {
      actions: ['ec2:ModifyNetworkInterfaceAttribute'],
      resources: [
        'arn:aws:ec2:{region}:{account}:network-interface/*',
        'arn:aws:ec2:{region}:{account}:instance/*',
        'arn:aws:ec2:{region}:{account}:subnet/*',
        'arn:aws:ec2:{region}:{account}:security-group/*',
      ],
      why: "Give each ENI its recorded security groups back (any group: the ones it had). EC2 authorizes the change on the ENI, the instance it is attached to, its subnet and each group. In a member account this grant is release-instance's own role's, so it never widens contain-instance's condition on Cordon's groups.",
    },
    {
      actions: ['ec2:AssociateIamInstanceProfile', 'ec2:ReplaceIamInstanceProfileAssociation'],
      resources: ['arn:aws:ec2:{region}:{account}:instance/*'],
      why: 'Give the instance its recorded instance profile back.',
    },
    {
      actions: ['iam:PassRole'],
      resources: ['arn:aws:iam::{account}:role/*'],
      condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      why: 'Associating a profile passes its role to EC2.',
    },
    {
      actions: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
      resources: ['arn:aws:iam::{account}:role/*'],
      why: "Remove this instance's statement from Cordon's own cordon-deny policy (deleted when empty); IAM has no condition key for an inline policy's name.",
    },
    {
      actions: ['autoscaling:DescribeAutoScalingInstances'],
      resources: ['*'],
      why: "Read the instance's lifecycle state (no resource-level permissions).",
    },
    {
      actions: ['autoscaling:ExitStandby'],
      resources: ['arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*'],
      why: 'Put the instance back in service in its Auto Scaling group.',
    },
    {
      actions: ['elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeLoadBalancers'],
      resources: ['*'],
      why: 'See which recorded registrations are missing (Describe* has no resource-level permissions).',
    },
    {
      actions: ['elasticloadbalancing:RegisterTargets'],
      resources: ['arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/*/*'],
      why: 'Register the recorded targets again.',
    },
    {
      actions: ['elasticloadbalancing:RegisterInstancesWithLoadBalancer'],
      resources: ['arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/*'],
      why: 'Register the instance with its classic load balancers again.',
    },
    {
      actions: ['ec2:DeleteTags'],
      resources: ['arn:aws:ec2:{region}:{account}:instance/*'],
      // ForAllValues is true when the request names no key at all, and a DeleteTags without Tags deletes every
      // tag: Null false makes the request name its keys (IAM User Guide, condition set operators).
      condition: {
        'ForAllValues:StringLike': { 'aws:TagKeys': ['cordon:*'] },
        Null: { 'aws:TagKeys': 'false' },
      },
      why: "Remove the quarantine tags; only requests that name their keys, and only Cordon's own `cordon:` keys, so it can never remove the exemption tag (a DeleteTags naming no key would delete every tag).",
    },
  ],
  async plan(input, context): Promise<ActionPlan<ReleaseInstanceOutput>> {
    // No exemption check: release only undoes Cordon's own recorded changes, which is always allowed.
    const { instanceId } = input;
    const entries = await context.ledger.entries(input.incidentId);
    const restores = recordedRestores(entries, instanceId);
    const releasedSteps = RESTORE_STEPS.filter((step) => restores[step] !== undefined);
    const released = lastRelease(entries);
    if (releasedSteps.length === 0 && released !== undefined) {
      // Released before, and not contained since: there is nothing left to undo.
      const output: ReleaseInstanceOutput = { instanceId, releasedSteps: [] };
      const note = `${instanceId} was released at ${released.at} and not contained since: nothing to undo.`;
      return { changes: [], notes: [note], output, apply: async () => output };
    }
    if (releasedSteps.length === 0) {
      throw new ActionFailedError(
        `Nothing to release: incident ${input.incidentId} recorded no containment change of ${instanceId}.`,
      );
    }
    const notes: string[] = [];
    if (!context.dryRun) {
      // Closed as the release begins, not once it is done: a release that fails half-way leaves a partly
      // released instance, which a new occurrence of the finding must contain again (ledger/claims.ts).
      const closed = await context.ledger.closeClaim?.(input.incidentId, context.now(), releaseInstance.id);
      if (closed === 'closed') {
        notes.push(
          `The incident's claim is closed: a later occurrence of the finding (updated after ${context.now().toISOString()}) is contained again.`,
        );
      }
    }
    const instance = await describeInstance(context, instanceId);

    const [profileParts, targetGroupParts, classicParts, autoScalingPart] = await Promise.all([
      restoreProfile(context, restores['quarantine-instance-profile'], notes),
      Promise.all(
        (restores['deregister-from-load-balancers']?.targetGroups ?? []).map((group) =>
          restoreTargets(context, group.targetGroupArn, group.targets, notes),
        ),
      ),
      Promise.all(
        (restores['deregister-from-load-balancers']?.classicLoadBalancers ?? []).map((name) =>
          restoreClassic(context, name, instanceId, notes),
        ),
      ),
      restoreAutoScaling(context, restores['detach-from-autoscaling'], notes),
    ]);
    const eniParts = restoreGroups(context, instance, restores['isolate-instance'], notes);
    const tagPart = removeQuarantineTags(context, instance);

    // Network first, then the registrations, then back in service: the group must find the instance healthy.
    const phases: Part[][] = [
      [...eniParts, ...profileParts],
      [...targetGroupParts, ...classicParts],
      [autoScalingPart],
      [tagPart],
    ];
    if (restores['isolate-instance'] !== undefined) {
      notes.push("Cordon's isolation security groups are kept in each VPC, for reuse by later containments.");
    }
    if (restores['protect-evidence'] !== undefined) {
      notes.push(
        'Evidence protections stay on (termination protection, stop on shutdown, DeleteOnTermination=false) and snapshots are kept: turn them off by hand once the investigation is closed.',
      );
    }
    const output: ReleaseInstanceOutput = { instanceId, releasedSteps };
    return {
      changes: phases.flat().flatMap((part) => part.changes),
      notes,
      output,
      async apply() {
        await runInPhases(
          'release-instance',
          phases.map((phase) => phase.flatMap((part) => part.calls)),
        );
        return output;
      },
    };
  },
};

function sameGroups(left: readonly string[], right: readonly string[]): boolean {
  const a = [...new Set(left)].sort();
  const b = [...new Set(right)].sort();
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

function restoreGroups(
  context: ActionContext,
  instance: Instance,
  restore: Restores['isolate-instance'],
  notes: string[],
): Part[] {
  if (restore === undefined) return [];
  const live = new Map(
    (instance.NetworkInterfaces ?? []).map((eni) => [
      eni.NetworkInterfaceId,
      (eni.Groups ?? []).flatMap((group) => (group.GroupId === undefined ? [] : [group.GroupId])),
    ]),
  );
  return restore.networkInterfaces.flatMap(({ networkInterfaceId, groupIds }) => {
    const current = live.get(networkInterfaceId);
    if (current === undefined) {
      notes.push(
        `${networkInterfaceId} is no longer attached to ${instance.InstanceId}: its groups are left as they are.`,
      );
      return [];
    }
    if (sameGroups(current, groupIds)) return [];
    return [
      {
        changes: [{ resource: networkInterfaceId, attribute: 'groups', before: current, after: groupIds }],
        calls: [
          {
            what: `restore the groups of ${networkInterfaceId}`,
            run: () =>
              context.clients.ec2.send(
                new ModifyNetworkInterfaceAttributeCommand({
                  NetworkInterfaceId: networkInterfaceId,
                  Groups: groupIds,
                }),
              ),
          },
        ],
      },
    ];
  });
}

async function restoreProfile(
  context: ActionContext,
  restore: Restores['quarantine-instance-profile'],
  notes: string[],
): Promise<Part[]> {
  if (restore === undefined) return [];
  const { instanceId, instanceArn, profileArn, roleName, statementSid, profileAction } = restore;
  const [association, denyPolicy] = await Promise.all([
    profileAction === 'keep' ? Promise.resolve(undefined) : currentAssociation(context, instanceId),
    roleName === null ? Promise.resolve(undefined) : readRoleDenyPolicy(context, roleName),
  ]);
  const parts: Part[] = [];

  if (roleName !== null && denyPolicy?.kind === 'foreign') {
    notes.push(`Role ${roleName}'s ${CORDON_DENY_POLICY_NAME} policy is not Cordon's: it is left alone.`);
  } else if (
    roleName !== null &&
    denyPolicy?.kind === 'cordon' &&
    isQuarantined(denyPolicy.policy, instanceArn)
  ) {
    // The instance is found by its ARN, whichever form denies it: the one list, or (written before the
    // statements were compacted) a statement of its own, named by the restore record's `statementSid`.
    const remaining = withoutQuarantinedInstance(denyPolicy.policy, instanceArn);
    parts.push({
      changes: [
        {
          resource: roleName,
          attribute: `inlinePolicy:${CORDON_DENY_POLICY_NAME}`,
          before: denyEntries(denyPolicy.policy),
          after: remaining === undefined ? null : denyEntries(remaining),
        },
      ],
      calls: [
        {
          what: `remove the deny for ${instanceId} (${statementSid}) from role ${roleName}`,
          run: () => removeDeny(context, roleName, instanceArn),
        },
      ],
    });
  }

  if (profileAction === 'keep') return parts;
  const currentArn = association?.IamInstanceProfile?.Arn;
  const associationId = association?.AssociationId;
  if (currentArn === profileArn) return parts;
  const change: Change = {
    resource: instanceId,
    attribute: 'iamInstanceProfile',
    before: currentArn ?? null,
    after: profileArn,
  };
  if (currentArn === undefined || associationId === undefined) {
    parts.push({
      changes: [change],
      calls: [
        {
          what: `associate profile ${profileArn}`,
          run: () =>
            context.clients.ec2.send(
              new AssociateIamInstanceProfileCommand({
                InstanceId: instanceId,
                IamInstanceProfile: { Arn: profileArn },
              }),
            ),
        },
      ],
    });
  } else {
    parts.push({
      changes: [change],
      calls: [
        {
          what: `replace profile ${currentArn} with ${profileArn}`,
          run: () =>
            context.clients.ec2.send(
              new ReplaceIamInstanceProfileAssociationCommand({
                AssociationId: associationId,
                IamInstanceProfile: { Arn: profileArn },
              }),
            ),
        },
      ],
    });
  }
  return parts;
}

/**
 * Removes the instance from the role's `cordon-deny` (deleting the policy when nothing is left), read again
 * and written back under the role's deny-policy lease, so that a statement another step adds meanwhile stays.
 */
async function removeDeny(context: ActionContext, roleName: string, instanceArn: string): Promise<void> {
  await changeDenyPolicy(
    context,
    { type: 'role', name: roleName },
    (current) =>
      isQuarantined(current, instanceArn) ? withoutQuarantinedInstance(current, instanceArn) : 'unchanged',
    // Not Cordon's: left alone, as the plan said.
    () =>
      new ActionFailedError(
        `Role ${roleName}'s ${CORDON_DENY_POLICY_NAME} policy is not Cordon's: it is left alone.`,
      ),
  );
}

const CLASSIC_GONE = new Set(['LoadBalancerNotFound', 'AccessPointNotFound', 'AccessPointNotFoundException']);

async function restoreTargets(
  context: ActionContext,
  targetGroupArn: string,
  targets: readonly RegisteredTarget[],
  notes: string[],
): Promise<Part> {
  let descriptions: Awaited<ReturnType<typeof describeTargetHealth>>;
  try {
    descriptions = await describeTargetHealth(context, targetGroupArn, targets);
  } catch (error) {
    if (!TARGET_GROUP_GONE.has(awsErrorCode(error))) throw error;
    notes.push(`Target group ${targetGroupArn} no longer exists: its targets are not registered again.`);
    return { changes: [], calls: [] };
  }
  // Missing (not registered) or still draining: both need RegisterTargets; draining ones start over.
  const missing = targets.filter((target) => {
    const description = descriptions.find(
      (candidate) =>
        candidate.Target?.Id === target.Id &&
        (target.Port === undefined || candidate.Target?.Port === target.Port),
    );
    return (
      description === undefined ||
      isNotRegistered(description) ||
      description.TargetHealth?.State === 'draining'
    );
  });
  if (missing.length === 0) return { changes: [], calls: [] };
  return {
    changes: missing.map((target) => ({
      resource: targetGroupArn,
      attribute: `target:${describeTarget(target)}`,
      before: 'deregistered',
      after: 'registered',
    })),
    calls: [
      {
        what: `register again with ${targetGroupArn}`,
        run: () =>
          context.clients.elbv2.send(
            new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: missing }),
          ),
      },
    ],
  };
}

async function describeTargetHealth(
  context: ActionContext,
  targetGroupArn: string,
  targets: readonly RegisteredTarget[],
) {
  const described = await context.clients.elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn, Targets: [...targets] }),
  );
  return described.TargetHealthDescriptions ?? [];
}

async function restoreClassic(
  context: ActionContext,
  name: string,
  instanceId: string,
  notes: string[],
): Promise<Part> {
  let registered: boolean;
  try {
    const described = await context.clients.elb.send(
      new DescribeLoadBalancersCommand({ LoadBalancerNames: [name] }),
    );
    registered = (described.LoadBalancerDescriptions ?? []).some((lb) =>
      (lb.Instances ?? []).some((instance) => instance.InstanceId === instanceId),
    );
  } catch (error) {
    if (!CLASSIC_GONE.has(awsErrorCode(error))) throw error;
    notes.push(`Classic load balancer ${name} no longer exists: the instance is not registered again.`);
    return { changes: [], calls: [] };
  }
  if (registered) return { changes: [], calls: [] };
  return {
    changes: [
      { resource: name, attribute: `instance:${instanceId}`, before: 'deregistered', after: 'registered' },
    ],
    calls: [
      {
        what: `register again with classic load balancer ${name}`,
        run: () =>
          context.clients.elb.send(
            new RegisterInstancesWithLoadBalancerCommand({
              LoadBalancerName: name,
              Instances: [{ InstanceId: instanceId }],
            }),
          ),
      },
    ],
  };
}

async function restoreAutoScaling(
  context: ActionContext,
  restore: Restores['detach-from-autoscaling'],
  notes: string[],
): Promise<Part> {
  if (restore === undefined) return { changes: [], calls: [] };
  const { instanceId, autoScalingGroupName } = restore;
  const described = await context.clients.autoScaling.send(
    new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
  );
  const member = described.AutoScalingInstances?.find(
    (candidate) =>
      candidate.InstanceId === instanceId && candidate.AutoScalingGroupName === autoScalingGroupName,
  );
  const state = member?.LifecycleState;
  if (state === undefined) {
    notes.push(
      `${instanceId} is no longer in Auto Scaling group ${autoScalingGroupName}: it is not put back.`,
    );
    return { changes: [], calls: [] };
  }
  if (state === 'EnteringStandby' || state.startsWith('Pending')) {
    throw new EventualConsistencyError(
      `${instanceId} is ${state} in Auto Scaling group ${autoScalingGroupName}: release waits until it settles.`,
    );
  }
  if (state !== 'Standby') {
    if (state !== 'InService')
      notes.push(`${instanceId} is ${state} in ${autoScalingGroupName}: left as it is.`);
    return { changes: [], calls: [] };
  }
  notes.push(
    `Leaving Standby raises ${autoScalingGroupName}'s desired capacity by one; the replacement launched during containment stays until the group scales in.`,
  );
  return {
    changes: [
      {
        resource: instanceId,
        attribute: `autoScaling:${autoScalingGroupName}:lifecycleState`,
        before: 'Standby',
        after: 'InService',
      },
    ],
    calls: [
      {
        what: `exit Standby in ${autoScalingGroupName}`,
        run: () =>
          context.clients.autoScaling.send(
            new ExitStandbyCommand({ AutoScalingGroupName: autoScalingGroupName, InstanceIds: [instanceId] }),
          ),
      },
    ],
  };
}

function removeQuarantineTags(context: ActionContext, instance: Instance): Part {
  const instanceId = instance.InstanceId ?? '';
  const keys: string[] = Object.values(QUARANTINE_TAG_KEYS);
  const present = (instance.Tags ?? []).filter((tag) => tag.Key !== undefined && keys.includes(tag.Key));
  if (present.length === 0) return { changes: [], calls: [] };
  return {
    changes: present.map((tag) => ({
      resource: instanceId,
      attribute: `tag:${tag.Key}`,
      before: tag.Value ?? null,
      after: null,
    })),
    calls: [
      {
        what: 'remove the quarantine tags',
        run: () =>
          context.clients.ec2.send(
            new DeleteTagsCommand({
              Resources: [instanceId],
              Tags: present.map((tag) => ({ Key: tag.Key })),
            }),
          ),
      },
    ],
  };
}
