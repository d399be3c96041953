import { type AutoScalingInstanceDetails, EnterStandbyCommand } from '@aws-sdk/client-auto-scaling';
import type { Instance } from '@aws-sdk/client-ec2';
import { ActionFailedError, awsErrorCode, EventualConsistencyError, ResourceGoneError } from '../errors.ts';
import { assertNotExempt } from './guardrails.ts';
import { describeMembership } from './observe-instance.ts';
import { describeInstance, ProtectEvidenceInput } from './protect-evidence.ts';
import type { ActionContext, ActionDefinition, ActionPlan } from './types.ts';

/** What `release-instance` needs to put the instance back in service. */
export interface DetachFromAutoScalingRestore {
  readonly instanceId: string;
  readonly autoScalingGroupName: string;
  readonly lifecycleState: 'InService';
}

export interface DetachFromAutoScalingOutput {
  readonly instanceId: string;
  /** `null` when the instance is in no Auto Scaling group. */
  readonly autoScalingGroupName: string | null;
  /** The lifecycle state once the step is done (`null` outside any group). */
  readonly lifecycleState: string | null;
}

/** Lifecycle states that mean "not in service and not coming back by itself": nothing to do. */
const OUT_OF_SERVICE = new Set(['Standby', 'EnteringStandby', 'Detaching', 'Detached']);
/** The instance is still joining the group: EnterStandby is refused until it is InService. */
const JOINING = /^Pending/;
/** The group is already terminating the instance: termination protection does not stop an ASG. */
const LEAVING_FOR_GOOD = /^Terminat/;

/**
 * `detach-from-autoscaling`: takes the instance out of its Auto Scaling group before the network is touched
 * (DOMAIN.md item 13), with `EnterStandby` and `ShouldDecrementDesiredCapacity: false`. A Standby instance is
 * not health-checked, so isolating it cannot make the group terminate it (termination protection would not
 * stop an ASG); the desired capacity is kept, so the group launches a replacement and the service keeps its
 * capacity. EnterStandby also deregisters the instance from the group's own load balancers.
 *
 * Idempotent: an instance already in Standby (or in no group) is left alone. A `Pending` instance is
 * retried (`EventualConsistencyError`); one the group is terminating is `ResourceGoneError`.
 * IAM: ec2:DescribeInstances, autoscaling:DescribeAutoScalingInstances, autoscaling:EnterStandby.
 *
 * @example
 * await runAction(detachFromAutoScaling, { incidentId, account, region, dryRun: false, instanceId: 'i-0abc…' }, environment)
 * // changes: i-0abc… autoScaling:web lifecycleState InService → Standby; restore: { autoScalingGroupName: 'web', … }
 */
export const detachFromAutoScaling: ActionDefinition<ProtectEvidenceInput, DetachFromAutoScalingOutput> = {
  id: 'detach-from-autoscaling',
  summary:
    'Moves the instance to Standby in its Auto Scaling group without lowering the desired capacity, so the group replaces it and never terminates it.',
  undo: 'Release moves the instance out of Standby (ExitStandby), which raises the desired capacity by one; the replacement the group launched stays until the group scales in.',
  dryRunBehaviour:
    'Reads the instance and its Auto Scaling membership and records what it would change; EnterStandby is not called (it has no DryRun flag).',
  mutating: true,
  input: ProtectEvidenceInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['ec2:DescribeInstances'],
      resources: ['*'],
      why: 'Read the instance and its tags (exemption check); Describe* has no resource-level permissions.',
    },
    {
      actions: ['autoscaling:DescribeAutoScalingInstances'],
      resources: ['*'],
      why: 'Find the Auto Scaling group and lifecycle state of the instance (no resource-level permissions).',
    },
    {
      actions: ['autoscaling:EnterStandby'],
      resources: ['arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*'],
      why: 'Move the instance to Standby so that failed health checks after isolation cannot get it terminated.',
    },
  ],
  async plan(input, context): Promise<ActionPlan<DetachFromAutoScalingOutput>> {
    const { instanceId } = input;
    const [instance, member] = await Promise.all([
      describeInstance(context, instanceId),
      describeMembership(context.clients, instanceId),
    ]);
    return planStandby(context, instanceId, instance, member);
  },
};

/**
 * The plan of `detach-from-autoscaling` from what was read (live, or triage's observation for
 * `contain-instance`): `member` is the instance's Auto Scaling membership, `undefined` outside any group.
 */
export function planStandby(
  context: ActionContext,
  instanceId: string,
  instance: Pick<Instance, 'Tags'>,
  member: Pick<AutoScalingInstanceDetails, 'AutoScalingGroupName' | 'LifecycleState'> | undefined,
): ActionPlan<DetachFromAutoScalingOutput> {
  assertNotExempt(instance.Tags, context.settings, instanceId);

  const groupName = member?.AutoScalingGroupName;
  if (member === undefined || groupName === undefined) {
    return nothingToDo(
      { instanceId, autoScalingGroupName: null, lifecycleState: null },
      `${instanceId} is in no Auto Scaling group: nothing to detach.`,
    );
  }
  const state = member.LifecycleState ?? 'unknown';
  if (OUT_OF_SERVICE.has(state)) {
    return nothingToDo(
      { instanceId, autoScalingGroupName: groupName, lifecycleState: state },
      `${instanceId} is already ${state} in Auto Scaling group ${groupName}: the group neither health-checks nor terminates it.`,
    );
  }
  if (JOINING.test(state)) {
    throw new EventualConsistencyError(
      `${instanceId} is ${state} in Auto Scaling group ${groupName}: it can enter Standby once it is InService.`,
    );
  }
  if (LEAVING_FOR_GOOD.test(state)) {
    throw new ResourceGoneError(
      `${instanceId} is ${state} in Auto Scaling group ${groupName}: the group is terminating it (termination protection does not stop an ASG).`,
    );
  }
  if (state !== 'InService') {
    // Warm-pool and other states accept no EnterStandby; a person must decide, so the step fails loudly.
    throw new ActionFailedError(
      `${instanceId} is ${state} in Auto Scaling group ${groupName}: Cordon cannot move it to Standby.`,
    );
  }

  const restore: DetachFromAutoScalingRestore = {
    instanceId,
    autoScalingGroupName: groupName,
    lifecycleState: 'InService',
  };
  return {
    changes: [
      {
        resource: instanceId,
        attribute: `autoScaling:${groupName}:lifecycleState`,
        before: 'InService',
        after: 'Standby',
      },
    ],
    restore,
    notes: [
      `${groupName} keeps its desired capacity: it launches a replacement for ${instanceId}.`,
      'Entering Standby also deregisters the instance from the load balancers and target groups attached to the group.',
    ],
    output: { instanceId, autoScalingGroupName: groupName, lifecycleState: 'InService' },
    async apply() {
      try {
        await context.clients.autoScaling.send(
          new EnterStandbyCommand({
            AutoScalingGroupName: groupName,
            InstanceIds: [instanceId],
            // Keeping the capacity makes the group replace the instance instead of running short.
            ShouldDecrementDesiredCapacity: false,
          }),
        );
      } catch (error) {
        // Refused because it is no longer InService: if it is already on its way out of service (an earlier
        // try, or someone else, moved it), the step's aim is reached; anything else is the error it was.
        if (awsErrorCode(error) !== 'ValidationError') throw error;
        const now = await describeMembership(context.clients, instanceId);
        if (now?.LifecycleState === undefined || !OUT_OF_SERVICE.has(now.LifecycleState)) throw error;
        return { instanceId, autoScalingGroupName: groupName, lifecycleState: now.LifecycleState };
      }
      return { instanceId, autoScalingGroupName: groupName, lifecycleState: 'Standby' };
    },
  };
}

function nothingToDo(
  output: DetachFromAutoScalingOutput,
  note: string,
): ActionPlan<DetachFromAutoScalingOutput> {
  return { changes: [], notes: [note], output, apply: async () => output };
}
