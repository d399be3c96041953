import type {
  DeregisterInstancesFromLoadBalancerCommandInput,
  DeregisterInstancesFromLoadBalancerCommandOutput,
  DescribeLoadBalancersCommandInput,
  DescribeLoadBalancersCommandOutput,
  LoadBalancerDescription,
  RegisterInstancesWithLoadBalancerCommandInput,
  RegisterInstancesWithLoadBalancerCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { INSTANCE_ID, type Out, typed } from './command.ts';
import { replaceState } from './restore-state.ts';

const SERVICE = 'ElasticLoadBalancing';

export interface ClassicLoadBalancerRecord {
  name: string;
  dnsName: string;
  vpcId: string;
  scheme: 'internet-facing' | 'internal';
  availabilityZones: string[];
  subnets: string[];
  securityGroups: string[];
  createdTime: string;
  /** Registered instance ids, in registration order. */
  instances: string[];
  /**
   * Instances registered at some time. Classic ELB answers `InvalidInstance` when deregistering an instance
   * it has never seen, but accepts deregistering one that was registered before.
   */
  everRegistered: string[];
}

export interface ElbState {
  loadBalancers: Record<string, ClassicLoadBalancerRecord>;
}

export interface AddLoadBalancerInput {
  name: string;
  vpcId: string;
  scheme?: 'internet-facing' | 'internal';
  availabilityZones?: string[];
  subnets?: string[];
  securityGroups?: string[];
  instanceIds?: string[];
}

export interface ElbModelOptions {
  /** Lets registration refuse instance ids that do not exist (wire it to the EC2 model's `hasInstance`). */
  instanceExists?: (instanceId: string) => boolean;
}

/**
 * Classic ELB's errors are modelled exceptions whose SDK names differ from their wire codes: an unknown
 * load balancer is `LoadBalancerNotFound` on the wire and `AccessPointNotFoundException` in the SDK, a bad
 * instance `InvalidInstance` / `InvalidEndPointException`. Both are kept, as the real client keeps them.
 */
const fail = serviceErrors(SERVICE, {
  LoadBalancerNotFound: { name: 'AccessPointNotFoundException' },
  InvalidInstance: { name: 'InvalidEndPointException' },
});

/**
 * The classic ELB part of the sandbox account: load balancers and their registered instances.
 * Deregistration is immediate (connection draining is not modelled: the instance leaves the list at once).
 *
 * @example
 * const elb = new ElbModel(sandbox.context);
 * elb.addLoadBalancer({ name: 'legacy-web', vpcId: 'vpc-…', instanceIds: ['i-0123456789abcdef0'] });
 * sandbox.register(elb);
 */
export class ElbModel implements ServiceModel {
  public readonly service = SERVICE;
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private state: ElbState = { loadBalancers: {} };

  public constructor(
    private readonly context: SandboxContext,
    private readonly options: ElbModelOptions = {},
  ) {
    this.commands = {
      DescribeLoadBalancers: typed((input: DescribeLoadBalancersCommandInput) => this.describe(input)),
      RegisterInstancesWithLoadBalancer: typed((input: RegisterInstancesWithLoadBalancerCommandInput) =>
        this.register(input),
      ),
      DeregisterInstancesFromLoadBalancer: typed((input: DeregisterInstancesFromLoadBalancerCommandInput) =>
        this.deregister(input),
      ),
    };
  }

  public snapshot(): ElbState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: ElbState): void {
    replaceState(this.state, state);
  }

  public addLoadBalancer(input: AddLoadBalancerInput): void {
    const instances = [...(input.instanceIds ?? [])];
    this.state.loadBalancers[input.name] = {
      name: input.name,
      dnsName: `${input.name}-1234567890.${this.context.region}.elb.amazonaws.com`,
      vpcId: input.vpcId,
      scheme: input.scheme ?? 'internet-facing',
      availabilityZones: input.availabilityZones ?? [`${this.context.region}a`],
      subnets: input.subnets ?? [],
      securityGroups: input.securityGroups ?? [],
      createdTime: this.context.now().toISOString(),
      instances,
      everRegistered: [...instances],
    };
  }

  private loadBalancer(name: string | undefined): ClassicLoadBalancerRecord {
    const found = this.state.loadBalancers[name ?? ''];
    if (found === undefined) {
      throw fail('LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name}'`);
    }
    return found;
  }

  private toDescription(lb: ClassicLoadBalancerRecord): LoadBalancerDescription {
    return {
      LoadBalancerName: lb.name,
      DNSName: lb.dnsName,
      VPCId: lb.vpcId,
      Scheme: lb.scheme,
      AvailabilityZones: lb.availabilityZones,
      Subnets: lb.subnets,
      SecurityGroups: lb.securityGroups,
      CreatedTime: new Date(lb.createdTime),
      Instances: lb.instances.map((InstanceId) => ({ InstanceId })),
      ListenerDescriptions: [],
    };
  }

  private describe(input: DescribeLoadBalancersCommandInput): Out<DescribeLoadBalancersCommandOutput> {
    const names = input.LoadBalancerNames ?? [];
    const lbs =
      names.length === 0 ? Object.values(this.state.loadBalancers) : names.map((n) => this.loadBalancer(n));
    return { LoadBalancerDescriptions: lbs.map((lb) => this.toDescription(lb)) };
  }

  private instanceIds(instances: ReadonlyArray<{ InstanceId?: string | undefined }> | undefined): string[] {
    return (instances ?? []).map((instance) => instance.InstanceId ?? '');
  }

  private register(
    input: RegisterInstancesWithLoadBalancerCommandInput,
  ): Out<RegisterInstancesWithLoadBalancerCommandOutput> {
    const lb = this.loadBalancer(input.LoadBalancerName);
    const ids = this.instanceIds(input.Instances);
    for (const id of ids) {
      const exists = this.options.instanceExists?.(id) ?? true;
      if (!INSTANCE_ID.test(id) || !exists) {
        throw fail('InvalidInstance', `EC2 instance ${id} is not valid.`);
      }
    }
    for (const id of ids) {
      if (!lb.instances.includes(id)) lb.instances.push(id);
      if (!lb.everRegistered.includes(id)) lb.everRegistered.push(id);
    }
    // The answer lists every instance now registered, not only the new ones.
    return { Instances: lb.instances.map((InstanceId) => ({ InstanceId })) };
  }

  private deregister(
    input: DeregisterInstancesFromLoadBalancerCommandInput,
  ): Out<DeregisterInstancesFromLoadBalancerCommandOutput> {
    const lb = this.loadBalancer(input.LoadBalancerName);
    const ids = this.instanceIds(input.Instances);
    const unseen = ids.find((id) => !lb.everRegistered.includes(id));
    if (unseen !== undefined) {
      throw fail('InvalidInstance', `Could not find EC2 instance ${unseen}.`);
    }
    lb.instances = lb.instances.filter((id) => !ids.includes(id));
    return { Instances: lb.instances.map((InstanceId) => ({ InstanceId })) };
  }
}

/** Builds the classic ELB model on the sandbox's context. */
export function createElbModel(context: SandboxContext, options?: ElbModelOptions): ElbModel {
  return new ElbModel(context, options);
}
