import type {
  Activity,
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
  DescribeAutoScalingInstancesCommandInput,
  DescribeAutoScalingInstancesCommandOutput,
  EnterStandbyCommandInput,
  EnterStandbyCommandOutput,
  ExitStandbyCommandInput,
  ExitStandbyCommandOutput,
  LifecycleState,
} from '@aws-sdk/client-auto-scaling';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import { replaceState } from './restore-state.ts';

const SERVICE = 'AutoScaling';

export interface AutoScalingInstanceRecord {
  instanceId: string;
  availabilityZone: string;
  lifecycleState: LifecycleState;
  healthy: boolean;
  protectedFromScaleIn: boolean;
  instanceType: string;
}

export interface AutoScalingGroupRecord {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  availabilityZones: string[];
  targetGroupArns: string[];
  loadBalancerNames: string[];
  createdTime: string;
  instances: Record<string, AutoScalingInstanceRecord>;
  tags: Record<string, string>;
  /**
   * Instances the group would launch to make up for ones moved to Standby or detached without lowering the
   * desired capacity. The sandbox launches nothing; it counts them so a test can see the consequence.
   */
  replacementsPending: number;
  activities: Activity[];
}

export interface AutoScalingState {
  groups: Record<string, AutoScalingGroupRecord>;
}

export interface AddGroupInput {
  name: string;
  minSize?: number;
  maxSize?: number;
  /** Defaults to the number of seeded instances. */
  desiredCapacity?: number;
  availabilityZones?: string[];
  targetGroupArns?: string[];
  loadBalancerNames?: string[];
  instances?: ReadonlyArray<{
    instanceId: string;
    availabilityZone?: string;
    lifecycleState?: LifecycleState;
    protectedFromScaleIn?: boolean;
    instanceType?: string;
  }>;
  tags?: Record<string, string>;
}

const autoScalingError = serviceErrors(SERVICE);

/** Auto Scaling reports these conditions as the unmodelled `ValidationError`, so the SDK's name is the code. */
function fail(message: string) {
  return autoScalingError('ValidationError', message);
}

/**
 * The Auto Scaling part of the sandbox account: groups, their instances' lifecycle states and the desired
 * capacity, changed by EnterStandby and ExitStandby as AWS changes them; DescribeAutoScalingGroups and
 * DescribeAutoScalingInstances read them.
 * Transitions are immediate (`EnteringStandby` → `Standby` in one step), and replacement launches are only
 * counted (`replacementsPending`), never performed.
 *
 * @example
 * const autoscaling = new AutoScalingModel(sandbox.context);
 * autoscaling.addGroup({ name: 'web', minSize: 1, maxSize: 4, instances: [{ instanceId: 'i-0123456789abcdef0' }] });
 * sandbox.register(autoscaling);
 */
export class AutoScalingModel implements ServiceModel {
  public readonly service = SERVICE;
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private state: AutoScalingState = { groups: {} };

  public constructor(private readonly context: SandboxContext) {
    // Every call is validated before anything changes, so a refused call changes nothing.
    this.commands = {
      // The IAM request model reads a group's ARN and tags with it.
      DescribeAutoScalingGroups: typed((input: DescribeAutoScalingGroupsCommandInput) =>
        this.describeGroups(input),
      ),
      DescribeAutoScalingInstances: typed((input: DescribeAutoScalingInstancesCommandInput) =>
        this.describeInstances(input),
      ),
      EnterStandby: typed((input: EnterStandbyCommandInput) => this.enterStandby(input)),
      ExitStandby: typed((input: ExitStandbyCommandInput) => this.exitStandby(input)),
    };
  }

  public snapshot(): AutoScalingState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: AutoScalingState): void {
    replaceState(this.state, state);
  }

  /** Adds a group whose seeded instances are `InService` and healthy unless said otherwise. */
  public addGroup(input: AddGroupInput): void {
    const instances: Record<string, AutoScalingInstanceRecord> = {};
    const zones = input.availabilityZones ?? [`${this.context.region}a`];
    for (const seed of input.instances ?? []) {
      instances[seed.instanceId] = {
        instanceId: seed.instanceId,
        availabilityZone: seed.availabilityZone ?? zones[0] ?? `${this.context.region}a`,
        lifecycleState: seed.lifecycleState ?? 'InService',
        healthy: true,
        protectedFromScaleIn: seed.protectedFromScaleIn ?? false,
        instanceType: seed.instanceType ?? 't3.micro',
      };
    }
    const inService = Object.values(instances).filter((i) => i.lifecycleState !== 'Standby').length;
    this.state.groups[input.name] = {
      name: input.name,
      arn: `arn:aws:autoscaling:${this.context.region}:${this.context.accountId}:autoScalingGroup:${this.uuid()}:autoScalingGroupName/${input.name}`,
      minSize: input.minSize ?? 0,
      maxSize: input.maxSize ?? Math.max(inService, 1),
      desiredCapacity: input.desiredCapacity ?? inService,
      availabilityZones: zones,
      targetGroupArns: [...(input.targetGroupArns ?? [])],
      loadBalancerNames: [...(input.loadBalancerNames ?? [])],
      createdTime: this.context.now().toISOString(),
      instances,
      tags: { ...input.tags },
      replacementsPending: 0,
      activities: [],
    };
  }

  /** A deterministic UUID-shaped id from the sandbox's counter (activity and group ids are UUIDs in AWS). */
  private uuid(): string {
    const hex = this.context.nextId('u', 12).slice(2);
    return `00000000-0000-4000-8000-${hex}`;
  }

  private group(name: string | undefined): AutoScalingGroupRecord {
    const group = this.state.groups[name ?? ''];
    if (group === undefined)
      throw fail(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
    return group;
  }

  private member(group: AutoScalingGroupRecord, instanceId: string): AutoScalingInstanceRecord {
    const instance = group.instances[instanceId];
    if (instance === undefined) {
      throw fail(`The instance ${instanceId} is not part of Auto Scaling group ${group.name}.`);
    }
    return instance;
  }

  private activity(group: AutoScalingGroupRecord, description: string, cause: string): Activity {
    const now = this.context.now();
    const activity: Activity = {
      ActivityId: this.uuid(),
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      Description: description,
      Cause: `At ${now.toISOString().replace(/\.\d{3}Z$/, 'Z')} ${cause}`,
      StartTime: now,
      StatusCode: 'InProgress',
      Progress: 50,
      Details: '{}',
    };
    group.activities.push(activity);
    return activity;
  }

  private toGroup(group: AutoScalingGroupRecord): AutoScalingGroup {
    return {
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      MinSize: group.minSize,
      MaxSize: group.maxSize,
      DesiredCapacity: group.desiredCapacity,
      DefaultCooldown: 300,
      AvailabilityZones: group.availabilityZones,
      LoadBalancerNames: group.loadBalancerNames,
      TargetGroupARNs: group.targetGroupArns,
      HealthCheckType: 'EC2',
      HealthCheckGracePeriod: 300,
      CreatedTime: new Date(group.createdTime),
      Instances: Object.values(group.instances).map((instance) => ({
        InstanceId: instance.instanceId,
        AvailabilityZone: instance.availabilityZone,
        LifecycleState: instance.lifecycleState,
        // The group view spells health `Healthy`; DescribeAutoScalingInstances spells it `HEALTHY`.
        HealthStatus: instance.healthy ? 'Healthy' : 'Unhealthy',
        ProtectedFromScaleIn: instance.protectedFromScaleIn,
        InstanceType: instance.instanceType,
      })),
      Tags: Object.entries(group.tags).map(([Key, Value]) => ({
        Key,
        Value,
        ResourceId: group.name,
        ResourceType: 'auto-scaling-group',
        PropagateAtLaunch: true,
      })),
    };
  }

  private describeGroups(
    input: DescribeAutoScalingGroupsCommandInput,
  ): Out<DescribeAutoScalingGroupsCommandOutput> {
    const names = input.AutoScalingGroupNames ?? [];
    // Unknown names are left out of the answer, not reported as errors.
    const groups = Object.values(this.state.groups).filter(
      (group) => names.length === 0 || names.includes(group.name),
    );
    const matching = groups.filter((group) =>
      (input.Filters ?? []).every((filter) => {
        const values = filter.Values ?? [];
        const name = filter.Name ?? '';
        if (name.startsWith('tag:')) {
          const value = group.tags[name.slice(4)];
          return value !== undefined && values.includes(value);
        }
        if (name === 'tag-key') return values.some((key) => key in group.tags);
        if (name === 'tag-value') return values.some((value) => Object.values(group.tags).includes(value));
        throw fail(`Filter name '${name}' is invalid.`);
      }),
    );
    return { AutoScalingGroups: matching.map((group) => this.toGroup(group)) };
  }

  private describeInstances(
    input: DescribeAutoScalingInstancesCommandInput,
  ): Out<DescribeAutoScalingInstancesCommandOutput> {
    const ids = input.InstanceIds ?? [];
    const found = Object.values(this.state.groups).flatMap((group) =>
      Object.values(group.instances)
        .filter((instance) => ids.length === 0 || ids.includes(instance.instanceId))
        .map((instance) => ({
          InstanceId: instance.instanceId,
          AutoScalingGroupName: group.name,
          AvailabilityZone: instance.availabilityZone,
          LifecycleState: instance.lifecycleState,
          HealthStatus: instance.healthy ? 'HEALTHY' : 'UNHEALTHY',
          ProtectedFromScaleIn: instance.protectedFromScaleIn,
          InstanceType: instance.instanceType,
        })),
    );
    // An instance in no group is simply absent: that is how callers learn it is not in an ASG.
    return { AutoScalingInstances: found };
  }

  private enterStandby(input: EnterStandbyCommandInput): Out<EnterStandbyCommandOutput> {
    const group = this.group(input.AutoScalingGroupName);
    if (input.ShouldDecrementDesiredCapacity === undefined) {
      throw fail('ShouldDecrementDesiredCapacity is required');
    }
    const ids = input.InstanceIds ?? [];
    const instances = ids.map((id) => this.member(group, id));
    for (const instance of instances) {
      if (instance.lifecycleState !== 'InService') {
        throw fail(`The instance ${instance.instanceId} is not in InService.`);
      }
    }
    if (input.ShouldDecrementDesiredCapacity) {
      const desired = group.desiredCapacity - instances.length;
      if (desired < group.minSize) {
        throw fail(
          `AutoScalingGroup ${group.name} has min-size=${group.minSize}, max-size=${group.maxSize}, and desired-size=${group.desiredCapacity}. To place into standby ${instances.length} instances, please update the AutoScalingGroup sizes appropriately.`,
        );
      }
      group.desiredCapacity = desired;
    } else {
      // Desired capacity stays, so the group launches replacements for the instances leaving service.
      group.replacementsPending += instances.length;
    }
    const activities = instances.map((instance) => {
      instance.lifecycleState = 'Standby';
      return this.activity(
        group,
        `Moving EC2 instance to Standby: ${instance.instanceId}`,
        `an instance was moved to standby in response to a user request${input.ShouldDecrementDesiredCapacity ? `, shrinking the capacity from ${group.desiredCapacity + instances.length} to ${group.desiredCapacity}` : ''}.`,
      );
    });
    return { Activities: activities };
  }

  private exitStandby(input: ExitStandbyCommandInput): Out<ExitStandbyCommandOutput> {
    const group = this.group(input.AutoScalingGroupName);
    const instances = (input.InstanceIds ?? []).map((id) => this.member(group, id));
    for (const instance of instances) {
      if (instance.lifecycleState !== 'Standby')
        throw fail(`The instance ${instance.instanceId} is not in Standby.`);
    }
    // Returning instances raise the desired capacity by their number, within the group's maximum.
    const desired = group.desiredCapacity + instances.length;
    if (desired > group.maxSize) {
      throw fail(
        `AutoScalingGroup ${group.name} has min-size=${group.minSize}, max-size=${group.maxSize}, and desired-size=${group.desiredCapacity}. To move ${instances.length} instances out of standby, please update the AutoScalingGroup sizes appropriately.`,
      );
    }
    group.desiredCapacity = desired;
    const activities = instances.map((instance) => {
      instance.lifecycleState = 'InService';
      return this.activity(
        group,
        `Moving EC2 instance out of Standby: ${instance.instanceId}`,
        'an instance was moved out of standby in response to a user request, increasing the capacity.',
      );
    });
    return { Activities: activities };
  }
}

/** Builds the Auto Scaling model on the sandbox's context. */
export function createAutoScalingModel(context: SandboxContext): AutoScalingModel {
  return new AutoScalingModel(context);
}
