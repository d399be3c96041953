/**
 * The EC2 model's state: one record type per resource family, as the model stores it, and the seeding inputs.
 * `Ec2Model.snapshot()` answers an `Ec2State`, so tests may read these shapes.
 */

import type { IpPermission } from '@aws-sdk/client-ec2';

export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'shutting-down'
  | 'terminated'
  | 'stopping'
  | 'stopped';

/** The `State.Code` EC2 reports for each instance state. */
export const STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** One security-group rule as AWS stores it: a protocol, a port range and exactly one peer. */
export interface SecurityGroupRuleRecord {
  ruleId: string;
  protocol: string;
  fromPort?: number;
  toPort?: number;
  peer: { kind: 'ipv4' | 'ipv6' | 'group' | 'prefixList'; value: string };
  description?: string;
}

export interface VpcRecord {
  vpcId: string;
  cidrBlock: string;
  ipv6CidrBlock?: string;
  isDefault: boolean;
  defaultGroupId: string;
  tags: Record<string, string>;
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: SecurityGroupRuleRecord[];
  egress: SecurityGroupRuleRecord[];
  tags: Record<string, string>;
}

export interface NetworkInterfaceRecord {
  networkInterfaceId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  privateIpAddress: string;
  description: string;
  groupIds: string[];
  sourceDestCheck: boolean;
  attachment?: {
    attachmentId: string;
    instanceId: string;
    deviceIndex: number;
    deleteOnTermination: boolean;
    attachTime: string;
  };
  tags: Record<string, string>;
}

export interface VolumeRecord {
  volumeId: string;
  size: number;
  availabilityZone: string;
  encrypted: boolean;
  createTime: string;
  attachment?: { instanceId: string; deviceName: string; deleteOnTermination: boolean; attachTime: string };
  tags: Record<string, string>;
}

export interface SnapshotRecord {
  snapshotId: string;
  volumeId: string;
  volumeSize: number;
  description: string;
  encrypted: boolean;
  startTime: string;
  state: 'pending' | 'completed' | 'error';
  /** How many more DescribeSnapshots answers show it `pending` before it is `completed`. */
  pendingDescribesLeft: number;
  tags: Record<string, string>;
  /** Who may create volumes from it besides the owner: the group `all` (public) and account ids. Absent: nobody. */
  createVolumePermission?: { groups: string[]; userIds: string[] };
}

export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  instanceType: string;
  imageId: string;
  state: InstanceStateName;
  launchTime: string;
  rootDeviceName: string;
  /** ENI ids in device-index order; index 0 is the primary ENI. */
  networkInterfaceIds: string[];
  disableApiTermination: boolean;
  shutdownBehavior: 'stop' | 'terminate';
  tags: Record<string, string>;
}

export interface ProfileAssociationRecord {
  associationId: string;
  instanceId: string;
  arn: string;
  id: string;
  timestamp: string;
}

/** Everything the EC2 model holds; `snapshot()` returns a deep copy of it. */
export interface Ec2State {
  vpcs: Record<string, VpcRecord>;
  securityGroups: Record<string, SecurityGroupRecord>;
  instances: Record<string, InstanceRecord>;
  networkInterfaces: Record<string, NetworkInterfaceRecord>;
  volumes: Record<string, VolumeRecord>;
  snapshots: Record<string, SnapshotRecord>;
  profileAssociations: Record<string, ProfileAssociationRecord>;
  /** The Region's EBS encryption by default (an account setting per Region, off unless enabled). */
  ebsEncryptionByDefault: boolean;
}

export interface AddVpcInput {
  vpcId: string;
  cidrBlock?: string;
  /** With an IPv6 block, the VPC's default group also allows all IPv6 egress, as AWS does. */
  ipv6CidrBlock?: string;
  isDefault?: boolean;
  /** Id of the `default` security group AWS creates with every VPC; generated when omitted. */
  defaultGroupId?: string;
  tags?: Record<string, string>;
}

export interface AddSecurityGroupInput {
  groupId?: string;
  groupName: string;
  description?: string;
  vpcId: string;
  ingress?: IpPermission[];
  /** Defaults to the allow-all IPv4 egress rule every new group gets. */
  egress?: IpPermission[];
  tags?: Record<string, string>;
}

export interface AddInstanceInput {
  instanceId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone?: string;
  instanceType?: string;
  imageId?: string;
  state?: InstanceStateName;
  /** Device-index order: the first is the primary ENI. */
  networkInterfaces: ReadonlyArray<{
    networkInterfaceId: string;
    groupIds: readonly string[];
    /** Multi-VPC ENI attachments exist; defaults to the instance's VPC. */
    vpcId?: string;
    subnetId?: string;
    privateIpAddress?: string;
    deleteOnTermination?: boolean;
    description?: string;
  }>;
  volumes?: ReadonlyArray<{
    volumeId: string;
    deviceName: string;
    deleteOnTermination: boolean;
    size?: number;
    encrypted?: boolean;
    tags?: Record<string, string>;
  }>;
  /** Device name of the boot volume; defaults to `/dev/xvda`. */
  rootDeviceName?: string;
  iamInstanceProfileArn?: string;
  disableApiTermination?: boolean;
  shutdownBehavior?: 'stop' | 'terminate';
  tags?: Record<string, string>;
}

export interface AddSnapshotInput {
  snapshotId: string;
  /** The volume it was taken from; it need not exist any more (defaults to `vol-ffffffff`, as AWS shows for a
   * snapshot whose volume is unknown). */
  volumeId?: string;
  volumeSize?: number;
  encrypted?: boolean;
  description?: string;
  /** Shared with: `all` (public) and account ids. */
  createVolumePermission?: { groups?: readonly 'all'[]; userIds?: readonly string[] };
  tags?: Record<string, string>;
}

export interface Ec2ModelOptions {
  /**
   * How many DescribeSnapshots answers still show a new snapshot `pending` before it reads `completed`.
   * Default 0: `pending` in the create answer, `completed` from the first describe on.
   */
  snapshotPendingDescribes?: number;
}
