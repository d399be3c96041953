import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { accountSettingCommands } from './ec2/account-settings.ts';
import { instanceProfileCommands } from './ec2/instance-profiles.ts';
import { instanceCommands } from './ec2/instances.ts';
import { networkInterfaceCommands } from './ec2/network-interfaces.ts';
import type {
  AddInstanceInput,
  AddSecurityGroupInput,
  AddSnapshotInput,
  AddVpcInput,
  Ec2ModelOptions,
  Ec2State,
  InstanceStateName,
} from './ec2/records.ts';
import { securityGroupCommands } from './ec2/security-groups.ts';
import { addInstance, addSecurityGroup, addVpc, attachNetworkInterface } from './ec2/seeding.ts';
import { addSnapshot, snapshotAttributeCommands } from './ec2/snapshot-attributes.ts';
import { snapshotCommands } from './ec2/snapshots.ts';
import { Ec2Store, INSTANCES, SERVICE } from './ec2/store.ts';
import { tagCommands } from './ec2/tags.ts';
import { replaceState } from './restore-state.ts';

export type * from './ec2/records.ts';

/**
 * The EC2 part of the sandbox account: VPCs, security groups and their rules, instances with their ENIs,
 * EBS volumes, snapshots (and who may create volumes from them), instance-profile associations and the Region's
 * EBS encryption by default. Mutating commands are atomic (a failing call
 * changes nothing) and honour `DryRun` the way AWS does. Each resource family's commands live in `ec2/`.
 *
 * @example
 * const ec2Model = new Ec2Model(sandbox.context);
 * ec2Model.addVpc({ vpcId: 'vpc-0a1b2c3d4e5f60718' });
 * ec2Model.addInstance({ instanceId: 'i-0a1b2c3d4e5f60718', vpcId: 'vpc-0a1b2c3d4e5f60718', subnetId: 'subnet-1',
 *   networkInterfaces: [{ networkInterfaceId: 'eni-0a1b2c3d4e5f60718', groupIds: ['sg-…'] }] });
 * sandbox.register(ec2Model);
 */
export class Ec2Model implements ServiceModel {
  public readonly service = SERVICE;
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly store: Ec2Store;

  public constructor(context: SandboxContext, options: Ec2ModelOptions = {}) {
    this.store = new Ec2Store(context, options.snapshotPendingDescribes ?? 0);
    this.commands = {
      ...instanceCommands(this.store),
      ...networkInterfaceCommands(this.store),
      ...securityGroupCommands(this.store),
      ...tagCommands(this.store),
      ...snapshotCommands(this.store),
      ...instanceProfileCommands(this.store),
      ...snapshotAttributeCommands(this.store),
      ...accountSettingCommands(this.store),
    };
  }

  /** A deep copy of the whole EC2 state. */
  public snapshot(): Ec2State {
    return structuredClone(this.store.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: Ec2State): void {
    replaceState(this.store.state, state);
  }

  public hasInstance(instanceId: string): boolean {
    return this.store.state.instances[instanceId] !== undefined;
  }

  /** Adds a VPC and, as AWS does, its `default` security group. Returns the default group's id. */
  public addVpc(input: AddVpcInput): string {
    return addVpc(this.store, input);
  }

  /** Adds a security group; without `egress` it carries the default allow-all IPv4 egress rule. */
  public addSecurityGroup(input: AddSecurityGroupInput): string {
    return addSecurityGroup(this.store, input);
  }

  /** Adds an instance with its ENIs (in device-index order), EBS volumes and instance profile. */
  public addInstance(input: AddInstanceInput): void {
    addInstance(this.store, input);
  }

  /** Attaches one more ENI to a seeded instance (as someone might while an incident runs). */
  public attachNetworkInterface(input: Parameters<typeof attachNetworkInterface>[1]): void {
    attachNetworkInterface(this.store, input);
  }

  /** Sets tags on a seeded instance without a call (as another principal might). */
  public tagInstance(instanceId: string, tags: Readonly<Record<string, string>>): void {
    const instance = this.store.seeded(INSTANCES, instanceId);
    instance.tags = { ...instance.tags, ...tags };
  }

  /** Adds a completed snapshot, possibly shared (`createVolumePermission`), without a call. */
  public addSnapshot(input: AddSnapshotInput): void {
    addSnapshot(this.store, input);
  }

  /** Sets the Region's EBS encryption by default without a call. */
  public setEbsEncryptionByDefault(enabled: boolean): void {
    this.store.state.ebsEncryptionByDefault = enabled;
  }

  /** Moves an instance to another state (e.g. `terminated`), for scenarios that need one. */
  public setInstanceState(instanceId: string, state: InstanceStateName): void {
    this.store.seeded(INSTANCES, instanceId).state = state;
  }
}

/** Builds the EC2 model on the sandbox's context (ids, clock, account). */
export function createEc2Model(context: SandboxContext, options?: Ec2ModelOptions): Ec2Model {
  return new Ec2Model(context, options);
}
