import {
  type AutoScalingInstanceDetails,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  type Instance,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { ResourceGoneError } from '../errors.ts';
import type { Settings } from '../policy/settings.ts';
import * as z from '../zod.ts';
import { ISOLATION_GROUP_NAMES } from './guardrails.ts';
import type { AwsClients, Permission } from './types.ts';

/**
 * Everything `contain-instance` reads before it changes anything, read in ONE round trip (five calls sent
 * together). Triage reads it while it claims the incident, with a read-only role, and hands it to the
 * playbook in the execution input, so that the containment step starts changing things at once
 * (docs/benchmarks.md, "Containment path"). The step trusts it only while it is fresh
 * (`OBSERVATION_MAX_AGE_SECONDS`) and checks the instance again after the cut.
 */
export interface InstanceObservation {
  readonly instanceId: string;
  /** ISO time the reads were sent. */
  readonly observedAt: string;
  /** The instance, trimmed to what containment reads (state, tags, ENIs and their groups, volumes). */
  readonly instance: Instance;
  readonly disableApiTermination: boolean;
  readonly shutdownBehavior: string;
  /** The instance's Auto Scaling membership; `null` outside any group. */
  readonly autoScaling: { readonly groupName: string; readonly lifecycleState: string } | null;
  /** Every group of the region named like an isolation group (filtered by VPC when planning). */
  readonly isolationGroups: readonly SecurityGroup[];
}

/**
 * The read-only role triage assumes in a member account to read an instance before containment: the member
 * roles' prefix (settings `responder.roleName`) + `Observer` (`CordonResponderObserver` by default). Settings
 * limit the prefix to 33 characters (actions/member-roles.ts), so this one stays within IAM's 64.
 */
export function observerRoleName(settings: Pick<Settings, 'responder'>): string {
  return `${settings.responder.roleName}Observer`;
}

/** How long an observation may stand in for live reads: triage → StartExecution → step takes about a second. */
export const OBSERVATION_MAX_AGE_SECONDS = 30;

/**
 * What reading an observation needs: the read-only observer role of a member account has exactly these
 * (infra/member-account.ts), and `contain-instance` has them among its own.
 */
export const OBSERVER_PERMISSIONS: readonly Permission[] = [
  {
    actions: ['ec2:DescribeInstances', 'ec2:DescribeInstanceAttribute', 'ec2:DescribeSecurityGroups'],
    resources: ['*'],
    why: 'Read the instance, its protection attributes, its ENIs and the isolation groups (Describe* has no resource-level permissions).',
  },
  {
    actions: ['autoscaling:DescribeAutoScalingInstances'],
    resources: ['*'],
    why: "Read the instance's Auto Scaling group and lifecycle state (no resource-level permissions).",
  },
];

const TagSchema = z.looseObject({ Key: z.optional(z.string()), Value: z.optional(z.string()) });
const GroupIdentifierSchema = z.looseObject({
  GroupId: z.optional(z.string()),
  GroupName: z.optional(z.string()),
});

/**
 * The observation as the execution input carries it: data from outside the step, so it is checked before it
 * is trusted. Loose objects: the SDK's shapes, of which containment reads a few fields.
 */
export const InstanceObservationSchema = z.object({
  instanceId: z.string(),
  observedAt: z.iso.datetime(),
  instance: z.looseObject({
    InstanceId: z.string(),
    VpcId: z.optional(z.string()),
    State: z.optional(z.looseObject({ Name: z.optional(z.string()) })),
    Tags: z.optional(z.array(TagSchema)),
    NetworkInterfaces: z.optional(
      z.array(
        z.looseObject({
          NetworkInterfaceId: z.optional(z.string()),
          VpcId: z.optional(z.string()),
          Groups: z.optional(z.array(GroupIdentifierSchema)),
        }),
      ),
    ),
    BlockDeviceMappings: z.optional(
      z.array(
        z.looseObject({
          DeviceName: z.optional(z.string()),
          Ebs: z.optional(
            z.looseObject({
              VolumeId: z.optional(z.string()),
              DeleteOnTermination: z.optional(z.boolean()),
            }),
          ),
        }),
      ),
    ),
  }),
  disableApiTermination: z.boolean(),
  shutdownBehavior: z.string(),
  autoScaling: z.nullable(z.object({ groupName: z.string(), lifecycleState: z.string() })),
  isolationGroups: z.array(
    z.looseObject({
      GroupId: z.optional(z.string()),
      GroupName: z.optional(z.string()),
      VpcId: z.optional(z.string()),
      Tags: z.optional(z.array(TagSchema)),
      IpPermissions: z.optional(z.array(z.looseObject({}))),
      IpPermissionsEgress: z.optional(z.array(z.looseObject({}))),
    }),
  ),
});

/** The fields of an instance containment reads; the rest (kernel, placement, …) stays out of the input. */
function trimInstance(instance: Instance): Instance {
  return {
    InstanceId: instance.InstanceId,
    VpcId: instance.VpcId,
    State: instance.State,
    Tags: instance.Tags,
    NetworkInterfaces: instance.NetworkInterfaces?.map((eni) => ({
      NetworkInterfaceId: eni.NetworkInterfaceId,
      VpcId: eni.VpcId,
      Groups: eni.Groups,
      Attachment: eni.Attachment === undefined ? undefined : { DeviceIndex: eni.Attachment.DeviceIndex },
    })),
    BlockDeviceMappings: instance.BlockDeviceMappings?.map((mapping) => ({
      DeviceName: mapping.DeviceName,
      Ebs:
        mapping.Ebs === undefined
          ? undefined
          : { VolumeId: mapping.Ebs.VolumeId, DeleteOnTermination: mapping.Ebs.DeleteOnTermination },
    })),
  };
}

/** Reads the instance; `InvalidInstanceID.NotFound` becomes `ResourceGoneError` through the classifier. */
export async function readInstance(clients: Pick<AwsClients, 'ec2'>, instanceId: string): Promise<Instance> {
  const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = described.Reservations?.flatMap((reservation) => reservation.Instances ?? [])[0];
  if (instance === undefined || instance.State?.Name === 'terminated') {
    throw new ResourceGoneError(`Instance ${instanceId} does not exist (or is terminated).`);
  }
  return instance;
}

/**
 * Reads every isolation group of the region by name, in one call. It is sent together with DescribeInstances,
 * so the ENIs' VPCs are not known yet: the groups are filtered by VPC when planning.
 */
export async function describeIsolationGroups(
  clients: Pick<AwsClients, 'ec2'>,
): Promise<readonly SecurityGroup[]> {
  const described = await clients.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'group-name', Values: [ISOLATION_GROUP_NAMES.untrack, ISOLATION_GROUP_NAMES.isolate] },
      ],
    }),
  );
  return described.SecurityGroups ?? [];
}

/** The two protection attributes DescribeInstances does not return. */
export async function describeProtection(
  clients: Pick<AwsClients, 'ec2'>,
  instanceId: string,
): Promise<{ disableApiTermination: boolean; shutdownBehavior: string }> {
  const [termination, shutdown] = await Promise.all([
    clients.ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }),
    ),
    clients.ec2.send(
      new DescribeInstanceAttributeCommand({
        InstanceId: instanceId,
        Attribute: 'instanceInitiatedShutdownBehavior',
      }),
    ),
  ]);
  return {
    disableApiTermination: termination.DisableApiTermination?.Value === true,
    shutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'stop',
  };
}

/** The instance's Auto Scaling membership, or `undefined` outside any group. */
export async function describeMembership(
  clients: Pick<AwsClients, 'autoScaling'>,
  instanceId: string,
): Promise<AutoScalingInstanceDetails | undefined> {
  const membership = await clients.autoScaling.send(
    new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
  );
  return membership.AutoScalingInstances?.find((candidate) => candidate.InstanceId === instanceId);
}

/**
 * Reads what containment needs, all five calls at once (one round trip). Errors are the SDK's (or
 * `ResourceGoneError`): triage treats any error as "no observation", the step classifies it.
 *
 * @example const observation = await observeInstance(clients, 'i-0abc…', new Date());
 */
export async function observeInstance(
  clients: Pick<AwsClients, 'ec2' | 'autoScaling'>,
  instanceId: string,
  now: Date,
): Promise<InstanceObservation> {
  const [instance, protection, member, isolationGroups] = await Promise.all([
    readInstance(clients, instanceId),
    describeProtection(clients, instanceId),
    describeMembership(clients, instanceId),
    describeIsolationGroups(clients),
  ]);
  const groupName = member?.AutoScalingGroupName;
  return {
    instanceId,
    observedAt: now.toISOString(),
    instance: trimInstance(instance),
    ...protection,
    autoScaling:
      member === undefined || groupName === undefined
        ? null
        : { groupName, lifecycleState: member.LifecycleState ?? 'unknown' },
    isolationGroups: [...isolationGroups],
  };
}

/**
 * The observation, when it is of this instance and young enough to stand in for live reads; otherwise
 * `undefined` (the step reads live state).
 */
export function freshObservation(
  observation: InstanceObservation | null | undefined,
  instanceId: string,
  now: Date,
): InstanceObservation | undefined {
  if (observation === null || observation === undefined || observation.instanceId !== instanceId) {
    return undefined;
  }
  const age = (now.getTime() - Date.parse(observation.observedAt)) / 1000;
  // A clock a little behind triage's is fine; an observation "from the future" by minutes is not trusted.
  return age <= OBSERVATION_MAX_AGE_SECONDS && age >= -OBSERVATION_MAX_AGE_SECONDS ? observation : undefined;
}
