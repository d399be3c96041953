import type { Instance } from '@aws-sdk/client-ec2';
import {
  DeregisterInstancesFromLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  type LoadBalancerDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsErrorCode, classifyAwsError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import { mapLimit } from '../map-limit.ts';
import { assertNotExempt } from './guardrails.ts';
import { describeInstance, ProtectEvidenceInput } from './protect-evidence.ts';
import type { ActionContext, ActionDefinition, ActionPlan } from './types.ts';

/** A target exactly as it is registered: deregistering or registering needs the same Id, Port and zone. */
export interface RegisteredTarget {
  readonly Id: string;
  readonly Port?: number;
  readonly AvailabilityZone?: string;
}

/** What `release-instance` needs to register the instance again. */
export interface DeregisterFromLoadBalancersRestore {
  readonly instanceId: string;
  readonly targetGroups: ReadonlyArray<{
    readonly targetGroupArn: string;
    readonly targets: RegisteredTarget[];
  }>;
  readonly classicLoadBalancers: readonly string[];
}

export interface DeregisterFromLoadBalancersOutput {
  readonly instanceId: string;
  readonly targetGroupArns: readonly string[];
  readonly classicLoadBalancers: readonly string[];
}

/** Target types that can hold an instance (`lambda` and `alb` targets cannot). */
const INSTANCE_TARGET_TYPES = new Set(['instance', 'ip']);
/**
 * DescribeTargetHealth calls in flight at once: an account may have hundreds of target groups, and sending
 * them all together would only buy throttling. ELB publishes no request rate (its quotas pages list resources
 * only, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html), and
 * its API has no "which target groups hold this instance" call (DescribeTargetHealth needs a TargetGroupArn,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html): one
 * call per candidate group is the least there is, so the number of candidates is cut (see `mayHold`) and the
 * calls are spaced by this bound; a throttle left after the SDK's retries is a retryable ThrottledError.
 */
export const DESCRIBE_CONCURRENCY = 5;
/** ELBv2's "no such target group", as the wire code and as the SDK's exception name. */
export const TARGET_GROUP_GONE: ReadonlySet<string> = new Set([
  'TargetGroupNotFound',
  'TargetGroupNotFoundException',
]);

/**
 * `deregister-from-load-balancers`: takes the instance out of every ELBv2 target group (as an `instance`
 * target, or as an `ip` target by any of its private addresses) and every classic load balancer
 * (DOMAIN.md item 13), so that no new request reaches it.
 *
 * It does not wait for connection draining: a target left `draining` counts as deregistered, and isolation
 * goes ahead at once. Idempotent: targets already draining (or not registered) are left alone.
 * IAM: ec2:DescribeInstances, elasticloadbalancing:Describe{TargetGroups,TargetHealth,LoadBalancers},
 * elasticloadbalancing:DeregisterTargets, elasticloadbalancing:DeregisterInstancesFromLoadBalancer.
 *
 * @example
 * await runAction(deregisterFromLoadBalancers, { incidentId, account, region, dryRun: false, instanceId: 'i-0abc…' }, environment)
 * // changes: targetgroup/web/… target:i-0abc…:80 healthy → draining; legacy-web instance:i-0abc… registered → deregistered
 */
export const deregisterFromLoadBalancers: ActionDefinition<
  ProtectEvidenceInput,
  DeregisterFromLoadBalancersOutput
> = {
  id: 'deregister-from-load-balancers',
  summary:
    'Deregisters the instance (and its private IPs) from every ELBv2 target group and every classic load balancer, without waiting for draining.',
  undo: 'Release registers the recorded targets again (RegisterTargets with the same Id, Port and zone; RegisterInstancesWithLoadBalancer).',
  dryRunBehaviour:
    'Reads target groups, target health and classic load balancers and records what it would deregister; no deregistration is sent.',
  mutating: true,
  input: ProtectEvidenceInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['ec2:DescribeInstances'],
      resources: ['*'],
      why: 'Read the instance, its tags (exemption check) and its private IPs (Describe* has no resource-level permissions).',
    },
    {
      actions: [
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeLoadBalancers',
      ],
      resources: ['*'],
      why: 'Find every target group and classic load balancer that holds the instance (Describe* has no resource-level permissions).',
    },
    {
      actions: ['elasticloadbalancing:DeregisterTargets'],
      resources: ['arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/*/*'],
      why: 'Deregister the instance and its IPs from target groups.',
    },
    {
      actions: ['elasticloadbalancing:DeregisterInstancesFromLoadBalancer'],
      resources: ['arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/*'],
      why: 'Deregister the instance from classic load balancers.',
    },
  ],
  async plan(input, context): Promise<ActionPlan<DeregisterFromLoadBalancersOutput>> {
    const { instanceId } = input;
    const [instance, targetGroups, classicLoadBalancers] = await Promise.all([
      describeInstance(context, instanceId),
      listTargetGroups(context),
      listClassicLoadBalancers(context),
    ]);
    assertNotExempt(instance.Tags, context.settings, instanceId);

    const addresses = privateAddresses(instance);
    const vpcs = instanceVpcs(instance);
    const candidates = targetGroups.filter((group) => mayHold(group, vpcs));
    const health = await mapLimit(candidates, DESCRIBE_CONCURRENCY, async (group) => {
      try {
        const described = await context.clients.elbv2.send(
          new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
        );
        return { group, descriptions: described.TargetHealthDescriptions ?? [] };
      } catch (error) {
        // Deleted between the listing and this call: a group that no longer exists holds nothing.
        if (TARGET_GROUP_GONE.has(awsErrorCode(error))) return { group, descriptions: [] };
        throw error;
      }
    });

    const changes: Change[] = [];
    const notes: string[] = [];
    const toDeregister: Array<{ targetGroupArn: string; targets: RegisteredTarget[] }> = [];
    for (const { group, descriptions } of health) {
      const targetGroupArn = group.TargetGroupArn ?? '';
      const held = descriptions.filter((description) =>
        group.TargetType === 'instance'
          ? description.Target?.Id === instanceId
          : holdsAddress(addresses, group, description),
      );
      const targets: RegisteredTarget[] = [];
      for (const description of held) {
        const target = registeredTarget(description);
        const state = description.TargetHealth?.State ?? 'unknown';
        if (target === undefined || state === 'draining' || isNotRegistered(description)) {
          if (state === 'draining')
            notes.push(`${describeTarget(target)} in ${targetGroupArn} is already draining.`);
          continue;
        }
        targets.push(target);
        changes.push({
          resource: targetGroupArn,
          attribute: `target:${describeTarget(target)}`,
          before: state,
          after: 'draining',
        });
      }
      if (targets.length > 0) toDeregister.push({ targetGroupArn, targets });
    }

    const classicToLeave = classicLoadBalancers
      .filter((lb) => (lb.Instances ?? []).some((registered) => registered.InstanceId === instanceId))
      .flatMap((lb) => (lb.LoadBalancerName === undefined ? [] : [lb.LoadBalancerName]));
    for (const name of classicToLeave) {
      changes.push({
        resource: name,
        attribute: `instance:${instanceId}`,
        before: 'registered',
        after: 'deregistered',
      });
    }

    if (changes.length > 0) {
      notes.push(
        'Connection draining is not awaited: deregistered targets stay draining for the deregistration delay while isolation goes ahead.',
      );
    } else if (notes.length === 0) {
      notes.push(`${instanceId} is registered with no load balancer: nothing to deregister.`);
    }
    const restore: DeregisterFromLoadBalancersRestore = {
      instanceId,
      targetGroups: toDeregister,
      classicLoadBalancers: classicToLeave,
    };
    const output: DeregisterFromLoadBalancersOutput = {
      instanceId,
      targetGroupArns: toDeregister.map((group) => group.targetGroupArn),
      classicLoadBalancers: classicToLeave,
    };
    return {
      changes,
      restore,
      notes,
      output,
      async apply() {
        // Independent calls, sent together; what went through is reported if another one fails.
        await runInPhases('deregister-from-load-balancers', [
          [
            ...toDeregister.map(({ targetGroupArn, targets }) => ({
              what: `deregister from ${targetGroupArn}`,
              run: () =>
                context.clients.elbv2.send(
                  new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: targets }),
                ),
            })),
            ...classicToLeave.map((name) => ({
              what: `deregister from classic load balancer ${name}`,
              run: () =>
                context.clients.elb.send(
                  new DeregisterInstancesFromLoadBalancerCommand({
                    LoadBalancerName: name,
                    Instances: [{ InstanceId: instanceId }],
                  }),
                ),
            })),
          ],
        ]);
        return output;
      },
    };
  },
};

/** Every private IPv4 and IPv6 address of every ENI, with the VPC it is in: `ip` targets name the instance by these. */
export function privateAddresses(instance: Instance): Map<string, string> {
  const addresses = new Map<string, string>();
  const vpcOf = (vpcId: string | undefined) => vpcId ?? instance.VpcId ?? '';
  if (instance.PrivateIpAddress !== undefined)
    addresses.set(instance.PrivateIpAddress, vpcOf(instance.VpcId));
  for (const eni of instance.NetworkInterfaces ?? []) {
    const vpcId = vpcOf(eni.VpcId);
    if (eni.PrivateIpAddress !== undefined) addresses.set(eni.PrivateIpAddress, vpcId);
    for (const ip of eni.PrivateIpAddresses ?? [])
      if (ip.PrivateIpAddress !== undefined) addresses.set(ip.PrivateIpAddress, vpcId);
    for (const ip of eni.Ipv6Addresses ?? [])
      if (ip.Ipv6Address !== undefined) addresses.set(ip.Ipv6Address, vpcId);
  }
  return addresses;
}

/**
 * Whether an `ip` target is one of the instance's addresses. Private ranges overlap between VPCs, so an
 * address inside the group's VPC must be the instance's address in that same VPC; only a target outside the
 * group's VPC (zone `all`: a peered VPC or on-premises) is matched by address alone.
 */
function holdsAddress(
  addresses: ReadonlyMap<string, string>,
  group: TargetGroup,
  description: TargetHealthDescription,
): boolean {
  const vpcId = addresses.get(description.Target?.Id ?? '');
  if (vpcId === undefined) return false;
  return description.Target?.AvailabilityZone === 'all' || group.VpcId === undefined || group.VpcId === vpcId;
}

/** `unused` with `Target.NotRegistered` is an answer about a target that is not there. */
export function isNotRegistered(description: TargetHealthDescription): boolean {
  return (
    description.TargetHealth?.State === 'unused' && description.TargetHealth.Reason === 'Target.NotRegistered'
  );
}

/** The target as registered: Id, and Port / AvailabilityZone only when AWS reported them. */
export function registeredTarget(description: TargetHealthDescription): RegisteredTarget | undefined {
  const target = description.Target;
  if (target?.Id === undefined) return undefined;
  return {
    Id: target.Id,
    ...(target.Port === undefined ? {} : { Port: target.Port }),
    ...(target.AvailabilityZone === undefined ? {} : { AvailabilityZone: target.AvailabilityZone }),
  };
}

export function describeTarget(target: RegisteredTarget | undefined): string {
  if (target === undefined) return 'a target without an id';
  return target.Port === undefined ? target.Id : `${target.Id}:${target.Port}`;
}

async function listTargetGroups(context: ActionContext): Promise<TargetGroup[]> {
  const groups: TargetGroup[] = [];
  let marker: string | undefined;
  do {
    const page = await context.clients.elbv2.send(
      new DescribeTargetGroupsCommand({ PageSize: 400, ...(marker === undefined ? {} : { Marker: marker }) }),
    );
    groups.push(...(page.TargetGroups ?? []));
    marker = page.NextMarker;
  } while (marker !== undefined && marker !== '');
  return groups;
}

async function listClassicLoadBalancers(context: ActionContext): Promise<LoadBalancerDescription[]> {
  const loadBalancers: LoadBalancerDescription[] = [];
  let marker: string | undefined;
  do {
    const page = await context.clients.elb.send(
      new DescribeLoadBalancersCommand({
        PageSize: 400,
        ...(marker === undefined ? {} : { Marker: marker }),
      }),
    );
    loadBalancers.push(...(page.LoadBalancerDescriptions ?? []));
    marker = page.NextMarker;
  } while (marker !== undefined && marker !== '');
  return loadBalancers;
}

/** The VPCs the instance has a network interface in (its own, and any attached from another VPC). */
function instanceVpcs(instance: Instance): ReadonlySet<string> {
  const vpcs = new Set<string>();
  if (instance.VpcId !== undefined) vpcs.add(instance.VpcId);
  for (const eni of instance.NetworkInterfaces ?? []) if (eni.VpcId !== undefined) vpcs.add(eni.VpcId);
  return vpcs;
}

/**
 * Whether a target group can hold the instance, from its listing alone (no call): `instance` and `ip` target
 * groups only, and an `instance` group only in one of the instance's VPCs — RegisterTargets refuses an
 * instance "not in the same VPC as the target group" (InvalidTarget,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RegisterTargets.html). An `ip` group
 * of another VPC may still hold one of its addresses (a peered VPC, zone `all`), so it is always described.
 */
export function mayHold(group: TargetGroup, vpcs: ReadonlySet<string>): boolean {
  if (group.TargetGroupArn === undefined || !INSTANCE_TARGET_TYPES.has(group.TargetType ?? '')) return false;
  if (group.TargetType !== 'instance' || group.VpcId === undefined || vpcs.size === 0) return true;
  return vpcs.has(group.VpcId);
}

/** One AWS call of an `apply`, named for the ledger's partial-progress notes. */
export interface ApplyCall {
  readonly what: string;
  run(): Promise<unknown>;
}

/**
 * Runs `phases` one after the other, the calls of a phase together. If any call fails, the error (classified
 * for Step Functions) says what was done and what was not, so a fault mid-way is never reported as done and a
 * retry — which plans again from live state — finishes the job. Shared by the actions whose apply makes
 * several independent calls.
 *
 * @example
 * await runInPhases('release-instance', [[restoreEni1, restoreEni2], [exitStandby], [deleteTags]])
 */
export async function runInPhases(
  action: string,
  phases: ReadonlyArray<readonly ApplyCall[]>,
): Promise<void> {
  const done: string[] = [];
  for (const [index, phase] of phases.entries()) {
    const results = await Promise.allSettled(phase.map((call) => call.run()));
    const failed: string[] = [];
    let firstError: unknown;
    for (const [position, result] of results.entries()) {
      const what = phase[position]?.what ?? 'a call';
      if (result.status === 'fulfilled') done.push(what);
      else {
        failed.push(what);
        if (failed.length === 1) firstError = result.reason;
      }
    }
    if (failed.length > 0) {
      const later = phases.slice(index + 1).flatMap((rest) => rest.map((call) => call.what));
      throw classifyAwsError(firstError, action, { partial: { done, notDone: [...failed, ...later] } });
    }
  }
}
