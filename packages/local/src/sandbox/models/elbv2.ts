import type {
  DeregisterTargetsCommandInput,
  DeregisterTargetsCommandOutput,
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
  RegisterTargetsCommandInput,
  RegisterTargetsCommandOutput,
  TargetDescription,
  TargetGroup,
  TargetHealthDescription,
  TargetTypeEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { INSTANCE_ID, type Out, typed } from './command.ts';
import { replaceState } from './restore-state.ts';

const SERVICE = 'ElasticLoadBalancingV2';

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export interface TargetRecord {
  id: string;
  port: number;
  state: TargetState;
  /** Sandbox-clock time (ms) of the last state change: drives `initial` → `healthy` and the end of draining. */
  since: number;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS' | 'UDP' | 'TCP_UDP' | 'GENEVE';
  port: number;
  vpcId: string;
  targetType: 'instance' | 'ip';
  loadBalancerArns: string[];
  deregistrationDelaySeconds: number;
  healthCheckIntervalSeconds: number;
  healthyThresholdCount: number;
  /** Keyed `id:port`: the same instance may be registered on several ports. */
  targets: Record<string, TargetRecord>;
}

export interface ElbV2State {
  targetGroups: Record<string, TargetGroupRecord>;
}

export interface AddTargetGroupInput {
  name: string;
  /** Generated from the name when omitted. */
  arn?: string;
  protocol?: TargetGroupRecord['protocol'];
  port?: number;
  vpcId: string;
  targetType?: 'instance' | 'ip';
  loadBalancerArns?: string[];
  /** AWS's default is 300 seconds. */
  deregistrationDelaySeconds?: number;
  healthCheckIntervalSeconds?: number;
  healthyThresholdCount?: number;
  /** Already-registered targets, `healthy` unless said otherwise. */
  targets?: ReadonlyArray<{ id: string; port?: number; state?: TargetState }>;
}

export interface ElbV2ModelOptions {
  /** Lets RegisterTargets refuse instance ids that do not exist (wire it to the EC2 model's `hasInstance`). */
  instanceExists?: (instanceId: string) => boolean;
}

/**
 * ELBv2's errors are modelled exceptions: the wire code is `TargetGroupNotFound` but the SDK throws
 * `TargetGroupNotFoundException`. The sandbox keeps both, so `name` and `Code` match the real client's.
 */
const fail = serviceErrors(SERVICE, {
  TargetGroupNotFound: { name: 'TargetGroupNotFoundException' },
  LoadBalancerNotFound: { name: 'LoadBalancerNotFoundException' },
  InvalidTarget: { name: 'InvalidTargetException' },
});

const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

/**
 * The ELBv2 part of the sandbox account: target groups and their targets' health. Health moves on the
 * sandbox clock: a registered target is `initial` until `interval × healthy threshold` seconds have passed,
 * then `healthy`; a deregistered one is `draining` for the group's deregistration delay, then gone.
 *
 * @example
 * const elbv2 = new ElbV2Model(sandbox.context, { instanceExists: (id) => ec2Model.hasInstance(id) });
 * const arn = elbv2.addTargetGroup({ name: 'web', vpcId: 'vpc-…', targets: [{ id: 'i-0123456789abcdef0' }] });
 * sandbox.register(elbv2);
 */
export class ElbV2Model implements ServiceModel {
  public readonly service = SERVICE;
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private state: ElbV2State = { targetGroups: {} };

  public constructor(
    private readonly context: SandboxContext,
    private readonly options: ElbV2ModelOptions = {},
  ) {
    this.commands = {
      DescribeTargetGroups: typed((input: DescribeTargetGroupsCommandInput) =>
        this.describeTargetGroups(input),
      ),
      DescribeTargetHealth: typed((input: DescribeTargetHealthCommandInput) =>
        this.describeTargetHealth(input),
      ),
      RegisterTargets: typed((input: RegisterTargetsCommandInput) => this.registerTargets(input)),
      DeregisterTargets: typed((input: DeregisterTargetsCommandInput) => this.deregisterTargets(input)),
    };
  }

  public snapshot(): ElbV2State {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: ElbV2State): void {
    replaceState(this.state, state);
  }

  /** Adds a target group and returns its ARN. */
  public addTargetGroup(input: AddTargetGroupInput): string {
    const suffix = this.context.nextId('tg', 16).slice(3);
    const arn =
      input.arn ??
      `arn:aws:elasticloadbalancing:${this.context.region}:${this.context.accountId}:targetgroup/${input.name}/${suffix}`;
    const port = input.port ?? 80;
    const now = this.context.now().getTime();
    const targets: Record<string, TargetRecord> = {};
    for (const target of input.targets ?? []) {
      const record = {
        id: target.id,
        port: target.port ?? port,
        state: target.state ?? 'healthy',
        since: now,
      };
      targets[`${record.id}:${record.port}`] = record;
    }
    this.state.targetGroups[arn] = {
      arn,
      name: input.name,
      protocol: input.protocol ?? 'HTTP',
      port,
      vpcId: input.vpcId,
      targetType: input.targetType ?? 'instance',
      loadBalancerArns: [...(input.loadBalancerArns ?? [])],
      deregistrationDelaySeconds: input.deregistrationDelaySeconds ?? 300,
      healthCheckIntervalSeconds: input.healthCheckIntervalSeconds ?? 30,
      healthyThresholdCount: input.healthyThresholdCount ?? 5,
      targets,
    };
    return arn;
  }

  private targetGroup(arn: string | undefined): TargetGroupRecord {
    const group = this.state.targetGroups[arn ?? ''];
    if (group === undefined) {
      throw fail('TargetGroupNotFound', 'One or more target groups not found');
    }
    return group;
  }

  /** Applies the passage of sandbox time: finished health checks and finished draining. */
  private settle(group: TargetGroupRecord): void {
    const now = this.context.now().getTime();
    for (const [key, target] of Object.entries(group.targets)) {
      const elapsed = now - target.since;
      if (target.state === 'draining' && elapsed >= group.deregistrationDelaySeconds * 1000)
        delete group.targets[key];
      if (
        target.state === 'initial' &&
        elapsed >= group.healthCheckIntervalSeconds * group.healthyThresholdCount * 1000
      ) {
        target.state = 'healthy';
        target.since = now;
      }
    }
  }

  private describeTargetGroups(
    input: DescribeTargetGroupsCommandInput,
  ): Out<DescribeTargetGroupsCommandOutput> {
    let groups = Object.values(this.state.targetGroups);
    if (input.TargetGroupArns !== undefined && input.TargetGroupArns.length > 0) {
      groups = input.TargetGroupArns.map((arn) => this.targetGroup(arn));
    }
    if (input.Names !== undefined && input.Names.length > 0) {
      const names = input.Names;
      groups = names.map((name) => {
        const found = groups.find((group) => group.name === name);
        if (found === undefined) {
          throw fail('TargetGroupNotFound', `Target groups '${name}' not found`);
        }
        return found;
      });
    }
    if (input.LoadBalancerArn !== undefined) {
      const lb = input.LoadBalancerArn;
      groups = groups.filter((group) => group.loadBalancerArns.includes(lb));
      // The model knows load balancers only through the groups that name them.
      const known = Object.values(this.state.targetGroups).some((group) =>
        group.loadBalancerArns.includes(lb),
      );
      if (!known) {
        throw fail('LoadBalancerNotFound', `Load balancers '[${lb}]' not found`);
      }
    }
    return { TargetGroups: groups.map((group) => this.toTargetGroup(group)) };
  }

  private toTargetGroup(group: TargetGroupRecord): TargetGroup {
    return {
      TargetGroupArn: group.arn,
      TargetGroupName: group.name,
      Protocol: group.protocol,
      Port: group.port,
      VpcId: group.vpcId,
      TargetType: group.targetType as TargetTypeEnum, // the record's narrower union is a subset of the enum
      LoadBalancerArns: group.loadBalancerArns,
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: group.healthCheckIntervalSeconds,
      HealthyThresholdCount: group.healthyThresholdCount,
    };
  }

  private describeTargetHealth(
    input: DescribeTargetHealthCommandInput,
  ): Out<DescribeTargetHealthCommandOutput> {
    const group = this.targetGroup(input.TargetGroupArn);
    this.settle(group);
    const describe = (target: TargetRecord): TargetHealthDescription => ({
      Target: { Id: target.id, Port: target.port },
      HealthCheckPort: String(target.port),
      TargetHealth: this.health(group, target.state),
    });
    if (input.Targets === undefined || input.Targets.length === 0) {
      return { TargetHealthDescriptions: Object.values(group.targets).map(describe) };
    }
    return {
      TargetHealthDescriptions: input.Targets.map((wanted) => {
        const port = wanted.Port ?? group.port;
        const target = group.targets[`${wanted.Id}:${port}`];
        if (target !== undefined) return describe(target);
        // Asking about a target that is not registered is an answer, not an error.
        return {
          Target: { Id: wanted.Id, Port: port },
          TargetHealth: {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
        };
      }),
    };
  }

  private health(group: TargetGroupRecord, state: TargetState): TargetHealthDescription['TargetHealth'] {
    if (group.loadBalancerArns.length === 0 && state !== 'draining') {
      return {
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      };
    }
    if (state === 'initial') {
      return {
        State: 'initial',
        Reason: 'Elb.RegistrationInProgress',
        Description: 'Target registration is in progress',
      };
    }
    if (state === 'draining') {
      return {
        State: 'draining',
        Reason: 'Target.DeregistrationInProgress',
        Description: 'Target deregistration is in progress',
      };
    }
    if (state === 'unhealthy') {
      return { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' };
    }
    return { State: 'healthy' };
  }

  /**
   * The group and targets of a (de)registration, checked before anything changes, with the passage of time
   * applied to the group's targets first.
   */
  private targetsOf(input: {
    TargetGroupArn?: string | undefined;
    Targets?: TargetDescription[] | undefined;
  }): {
    group: TargetGroupRecord;
    targets: readonly TargetDescription[];
    now: number;
  } {
    const group = this.targetGroup(input.TargetGroupArn);
    const targets = input.Targets ?? [];
    if (targets.length === 0) throw fail('ValidationError', 'Targets must not be empty');
    const invalid = targets.filter((target) => {
      const id = target.Id ?? '';
      if (group.targetType === 'instance') {
        return (
          !INSTANCE_ID.test(id) ||
          (this.options.instanceExists !== undefined && !this.options.instanceExists(id))
        );
      }
      return !IPV4.test(id) && !id.includes(':');
    });
    if (invalid.length > 0) {
      throw fail(
        'InvalidTarget',
        `The following targets are not valid ${group.targetType === 'instance' ? 'instances' : 'IP addresses'}: '${invalid.map((t) => t.Id).join("', '")}'`,
      );
    }
    this.settle(group);
    return { group, targets, now: this.context.now().getTime() };
  }

  private registerTargets(input: RegisterTargetsCommandInput): Out<RegisterTargetsCommandOutput> {
    const { group, targets, now } = this.targetsOf(input);
    for (const target of targets) {
      const port = target.Port ?? group.port;
      const key = `${target.Id}:${port}`;
      const current = group.targets[key];
      // Registering a registered target is a no-op; registering a draining one starts it over.
      if (current !== undefined && current.state !== 'draining') continue;
      group.targets[key] = { id: target.Id ?? '', port, state: 'initial', since: now };
    }
    return {};
  }

  private deregisterTargets(input: DeregisterTargetsCommandInput): Out<DeregisterTargetsCommandOutput> {
    const { group, targets, now } = this.targetsOf(input);
    for (const target of targets) {
      // Without a port the group's port is meant; a target registered on another port is then not matched and
      // AWS answers success without changing anything.
      const registered = group.targets[`${target.Id}:${target.Port ?? group.port}`];
      if (registered === undefined || registered.state === 'draining') continue;
      if (group.loadBalancerArns.length === 0 || group.deregistrationDelaySeconds === 0) {
        // Nothing can be in flight through a group no load balancer uses: it goes at once.
        delete group.targets[`${registered.id}:${registered.port}`];
        continue;
      }
      registered.state = 'draining';
      registered.since = now;
    }
    return {};
  }
}

/** Builds the ELBv2 model on the sandbox's context. */
export function createElbV2Model(context: SandboxContext, options?: ElbV2ModelOptions): ElbV2Model {
  return new ElbV2Model(context, options);
}
