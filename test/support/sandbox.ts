import { expect } from 'vitest';
import type { ActionOutcome } from '../../packages/core/src/actions/types.ts';
import { createSandbox, type Sandbox } from '../../packages/local/src/sandbox/index.ts';
import type { AddInstanceInput } from '../../packages/local/src/sandbox/models/ec2.ts';
import type { AccessKeySeed } from '../../packages/local/src/sandbox/models/iam.ts';
import { actionEnvironment, sandboxClients, TEST_NOW } from './actions.ts';

/**
 * Shared fixtures of the sandbox tests: the accounts most tests start from, and the checks every action's
 * sandbox test makes (nothing changed; the second run changes nothing). Ids are well-formed AWS ids, since the
 * sandbox refuses any other.
 */

/** The web fleet every EC2 test starts from: one VPC, one subnet, a `web` security group. */
export const WEB = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetId: 'subnet-0123456789abcdef0',
  instanceId: 'i-0abc1234def567890',
  /** A second instance of the same fleet. */
  otherInstanceId: 'i-0abc1234def567891',
  rootVolumeId: 'vol-0123456789abcdef0',
  dataVolumeId: 'vol-0123456789abcdef1',
  profileArn: 'arn:aws:iam::123456789012:instance-profile/web',
} as const;

/** The sandbox clock's time, which a test may move (draining, health checks and lease expiry follow it). */
export interface MovableClock {
  now: number;
}

/** A clock at TEST_NOW that the test moves with `clock.now += ms`. */
export function movableClock(): MovableClock {
  return { now: TEST_NOW.getTime() };
}

/**
 * A sandbox account with every model, on the tests' clock: TEST_NOW, or `clock` when given. `sleep` replaces the
 * sandbox's wait for injected latency (round-trip counting).
 */
export function testSandbox(
  options: { clock?: MovableClock; sleep?: (ms: number) => Promise<void> } = {},
): Sandbox {
  const { clock, sleep } = options;
  return createSandbox({
    now: clock === undefined ? () => TEST_NOW : () => new Date(clock.now),
    ...(sleep === undefined ? {} : { sleep }),
  });
}

/** An instance of the web fleet: the fields `aWebFleet` fills in are optional. */
export type FleetInstance = Partial<AddInstanceInput> & { readonly instanceId: string };

/**
 * The web fleet in `sandbox`: VPC `WEB.vpcId` with its `web` group, and `instances` in it — each, unless told
 * otherwise, in `WEB.subnetId` with one ENI (`eni-0123456789abcdef<n>`, n its position) on the `web` group.
 * Returns the `web` group's id.
 *
 * @example const web = aWebFleet(sandbox, [{ instanceId: WEB.instanceId, tags: { Name: 'web-1' } }]);
 */
export function aWebFleet(sandbox: Sandbox, instances: readonly FleetInstance[] = []): string {
  sandbox.ec2.addVpc({ vpcId: WEB.vpcId });
  const web = sandbox.ec2.addSecurityGroup({ groupName: 'web', vpcId: WEB.vpcId });
  for (const [index, instance] of instances.entries()) {
    sandbox.ec2.addInstance({
      vpcId: WEB.vpcId,
      subnetId: WEB.subnetId,
      networkInterfaces: [{ networkInterfaceId: `eni-0123456789abcdef${index}`, groupIds: [web] }],
      ...instance,
    });
  }
  return web;
}

/** Two VPCs for multi-VPC instances (an ENI in each). */
export const TWO_VPCS = {
  a: 'vpc-0aaaaaaaaaaaaaaa1',
  b: 'vpc-0bbbbbbbbbbbbbbb2',
  subnetA: 'subnet-0aaaaaaaaaaaaaaa1',
  subnetB: 'subnet-0bbbbbbbbbbbbbbb1',
} as const;

/**
 * VPC A (with an IPv6 block when asked) with security group `web`, and VPC B (10.1.0.0/16) with `db`: where an
 * instance with an ENI in each VPC lives. Answers the groups' ids.
 */
export function twoVpcs(
  sandbox: Sandbox,
  options: { readonly ipv6?: boolean } = {},
): { web: string; db: string } {
  sandbox.ec2.addVpc({
    vpcId: TWO_VPCS.a,
    ...(options.ipv6 === true ? { ipv6CidrBlock: '2600:1f18::/56' } : {}),
  });
  sandbox.ec2.addVpc({ vpcId: TWO_VPCS.b, cidrBlock: '10.1.0.0/16' });
  return {
    web: sandbox.ec2.addSecurityGroup({ groupName: 'web', vpcId: TWO_VPCS.a }),
    db: sandbox.ec2.addSecurityGroup({ groupName: 'db', vpcId: TWO_VPCS.b }),
  };
}

/**
 * An instance with a boot volume (`/dev/xvda`) and a data volume (`/dev/sdf`), as the evidence actions find it.
 *
 * @example anInstanceWithVolumes(sandbox, { deleteOnTermination: false, tags: { Name: 'web-1' } });
 */
export function anInstanceWithVolumes(
  sandbox: Sandbox,
  options: {
    readonly deleteOnTermination: boolean;
    readonly dataSize?: number;
    readonly tags?: Record<string, string>;
    readonly shutdownBehavior?: 'stop' | 'terminate';
  },
): void {
  const { deleteOnTermination, dataSize, tags, shutdownBehavior } = options;
  aWebFleet(sandbox, [
    {
      instanceId: WEB.instanceId,
      volumes: [
        { volumeId: WEB.rootVolumeId, deviceName: '/dev/xvda', deleteOnTermination },
        {
          volumeId: WEB.dataVolumeId,
          deviceName: '/dev/sdf',
          deleteOnTermination,
          ...(dataSize === undefined ? {} : { size: dataSize }),
        },
      ],
      ...(tags === undefined ? {} : { tags }),
      ...(shutdownBehavior === undefined ? {} : { shutdownBehavior }),
    },
  ]);
}

/**
 * Two instances of the web fleet in Auto Scaling group `web` (min 2, max 4); with `inGroup: false` the first
 * is in no group.
 */
export function anInstanceInAutoScalingGroup(
  sandbox: Sandbox,
  options: { readonly inGroup?: boolean } = {},
): void {
  aWebFleet(
    sandbox,
    [WEB.instanceId, WEB.otherInstanceId].map((instanceId, index) => ({
      instanceId,
      tags: { Name: `web-${index}` },
    })),
  );
  const members = (options.inGroup ?? true) ? [WEB.instanceId, WEB.otherInstanceId] : [WEB.otherInstanceId];
  sandbox.autoScaling.addGroup({
    name: 'web',
    minSize: 2,
    maxSize: 4,
    instances: members.map((instanceId) => ({ instanceId })),
  });
}

/**
 * Two instances of the web fleet sharing instance profile `web` and its role (`web-role` unless named), beside a
 * `cordon-quarantine` profile with no role.
 */
export function aFleetSharingAProfile(
  sandbox: Sandbox,
  role: {
    readonly roleName?: string;
    readonly path?: string;
    readonly inlinePolicies?: Record<string, string>;
  } = {},
): void {
  const roleName = role.roleName ?? 'web-role';
  sandbox.iam
    .addRole({ roleName, path: role.path, inlinePolicies: role.inlinePolicies })
    .addInstanceProfile({ name: 'web', roleName })
    .addInstanceProfile({ name: 'cordon-quarantine' });
  aWebFleet(
    sandbox,
    [WEB.instanceId, WEB.otherInstanceId].map((instanceId) => ({
      instanceId,
      iamInstanceProfileArn: WEB.profileArn,
    })),
  );
}

/** The load balancer the web fleet's target groups belong to. */
export const WEB_LOAD_BALANCER_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef';

/**
 * Two instances of the web fleet behind every kind of load balancer registration: target group `web` by instance
 * id (the first instance on two ports), `web-ip` by private IP, `idle` (no load balancer uses it yet), and the
 * classic load balancers `legacy-web` (both instances) and `legacy-other` (the second only). The first instance
 * has two ENIs (10.0.0.10, 10.0.1.20); the second one (10.0.0.99). Answers the target groups' ARNs.
 */
export function anInstanceBehindLoadBalancers(sandbox: Sandbox): {
  webGroup: string;
  ipGroup: string;
  idleGroup: string;
} {
  const { vpcId, instanceId, otherInstanceId } = WEB;
  const web = aWebFleet(sandbox);
  sandbox.ec2.addInstance({
    instanceId,
    vpcId,
    subnetId: WEB.subnetId,
    networkInterfaces: [
      { networkInterfaceId: 'eni-0123456789abcdef0', groupIds: [web], privateIpAddress: '10.0.0.10' },
      { networkInterfaceId: 'eni-0123456789abcdef1', groupIds: [web], privateIpAddress: '10.0.1.20' },
    ],
  });
  sandbox.ec2.addInstance({
    instanceId: otherInstanceId,
    vpcId,
    subnetId: WEB.subnetId,
    networkInterfaces: [
      { networkInterfaceId: 'eni-0123456789abcdef2', groupIds: [web], privateIpAddress: '10.0.0.99' },
    ],
  });
  const loadBalancerArns = [WEB_LOAD_BALANCER_ARN];
  const webGroup = sandbox.elbv2.addTargetGroup({
    name: 'web',
    vpcId,
    loadBalancerArns,
    targets: [{ id: instanceId }, { id: instanceId, port: 8080 }, { id: otherInstanceId }],
  });
  const ipGroup = sandbox.elbv2.addTargetGroup({
    name: 'web-ip',
    vpcId,
    targetType: 'ip',
    port: 443,
    loadBalancerArns,
    targets: [{ id: '10.0.1.20' }, { id: '10.0.0.99' }],
  });
  // Registered, but no load balancer uses the group yet: still a registration.
  const idleGroup = sandbox.elbv2.addTargetGroup({ name: 'idle', vpcId, targets: [{ id: instanceId }] });
  sandbox.elb.addLoadBalancer({ name: 'legacy-web', vpcId, instanceIds: [instanceId, otherInstanceId] });
  sandbox.elb.addLoadBalancer({ name: 'legacy-other', vpcId, instanceIds: [otherInstanceId] });
  return { webGroup, ipGroup, idleGroup };
}

/** IAM user `alice` and her two access keys: the one a finding names, and another. */
export const ALICE = {
  userName: 'alice',
  userId: 'AIDAJQABLZS4A3QDU576Q',
  compromisedKey: 'AKIAIOSFODNN7EXAMPLE',
  otherKey: 'AKIAI44QH8DHBEXAMPLE',
} as const;

/**
 * `alice` with her two keys (the compromised one used today, the other never), and anything more of her.
 *
 * @example anIamUserWithTwoKeys(sandbox, { loginProfile: true });
 */
export function anIamUserWithTwoKeys(
  sandbox: Sandbox,
  options: { readonly keys?: readonly AccessKeySeed[]; readonly loginProfile?: boolean } = {},
): void {
  sandbox.iam.addUser({
    userName: ALICE.userName,
    userId: ALICE.userId,
    accessKeys: options.keys ?? [
      {
        accessKeyId: ALICE.compromisedKey,
        lastUsed: { date: TEST_NOW, serviceName: 's3', region: 'us-east-1' },
      },
      { accessKeyId: ALICE.otherKey },
    ],
    ...(options.loginProfile === undefined ? {} : { loginProfile: options.loginProfile }),
  });
}

/** Real SDK clients answered by `sandbox`, in the tests' action environment (memory ledger, TEST_NOW). */
export function environmentOn(sandbox: Sandbox, settings: Record<string, unknown> = {}) {
  return actionEnvironment(sandboxClients(sandbox.account), settings);
}

/**
 * Runs `act` and checks that the account is exactly as it was and that no call changing anything was made
 * meanwhile (a dry run, a refusal, an instance already handled). Answers what `act` answered.
 */
export async function expectUnchanged<T>(sandbox: Sandbox, act: () => Promise<T>): Promise<T> {
  const before = sandbox.account.snapshot();
  const callsBefore = sandbox.account.mutatingCalls().length;
  const result = await act();
  expect(sandbox.account.snapshot()).toEqual(before);
  expect(sandbox.account.mutatingCalls().slice(callsBefore)).toEqual([]);
  return result;
}

/**
 * Runs an action twice: the second run answers `already-done`, leaves the account exactly as the first left it
 * and makes no call that changes anything (Cordon's actions are idempotent). Answers both outcomes.
 */
export async function expectSecondRunChangesNothing<O>(
  sandbox: Sandbox,
  run: () => Promise<ActionOutcome<O>>,
): Promise<{ first: ActionOutcome<O>; second: ActionOutcome<O> }> {
  const first = await run();
  const second = await expectUnchanged(sandbox, run);
  expect(second.status).toBe('already-done');
  return { first, second };
}
