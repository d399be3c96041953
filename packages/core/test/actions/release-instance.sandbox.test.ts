import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import {
  aWebFleet,
  environmentOn,
  expectUnchanged,
  movableClock,
  testSandbox,
  WEB,
  WEB_LOAD_BALANCER_ARN,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { deregisterFromLoadBalancers } from '../../src/actions/deregister-from-load-balancers.ts';
import { detachFromAutoScaling } from '../../src/actions/detach-from-autoscaling.ts';
import {
  describeInstance,
  ProtectEvidenceInput,
  protectEvidence,
} from '../../src/actions/protect-evidence.ts';
import { quarantineInstanceProfile } from '../../src/actions/quarantine-instance-profile.ts';
import { releaseInstance } from '../../src/actions/release-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';
import type { ActionDefinition } from '../../src/actions/types.ts';

const { instanceId: INSTANCE_ID, otherInstanceId: FLEET_ID, vpcId: VPC_A, profileArn: PROFILE_ARN } = WEB;
const VPC_B = 'vpc-0123456789abcdef1';
const ENI_PRIMARY = 'eni-0123456789abcdef0';
const ENI_SECOND_VPC = 'eni-0123456789abcdef1';
const LB_ARN = WEB_LOAD_BALANCER_ARN;

/**
 * A stand-in for `isolate-instance` (written concurrently elsewhere): it records the restore shape release
 * reads — `{ instanceId, networkInterfaces: [{ networkInterfaceId, vpcId, groupIds }] }` — and moves every ENI
 * into the isolation group of its own VPC, through the sandbox's EC2 API.
 */
function simulatedIsolation(
  isolationGroups: Readonly<Record<string, string>>,
): ActionDefinition<ProtectEvidenceInput> {
  return {
    id: 'isolate-instance',
    summary: 'Test stand-in: moves every ENI into the isolation group of its VPC.',
    undo: 'release-instance restores the recorded groups.',
    dryRunBehaviour: 'Records what it would change.',
    mutating: true,
    input: ProtectEvidenceInput,
    permissions: [],
    retryableErrors: [],
    async plan(input, context) {
      const instance = await describeInstance(context, input.instanceId);
      const networkInterfaces = (instance.NetworkInterfaces ?? []).map((eni) => ({
        networkInterfaceId: eni.NetworkInterfaceId ?? '',
        vpcId: eni.VpcId ?? '',
        groupIds: (eni.Groups ?? []).map((group) => group.GroupId ?? ''),
      }));
      return {
        changes: networkInterfaces.map((eni) => ({
          resource: eni.networkInterfaceId,
          attribute: 'groups',
          before: eni.groupIds,
          after: [isolationGroups[eni.vpcId]],
        })),
        restore: { instanceId: input.instanceId, networkInterfaces },
        notes: [],
        output: {},
        async apply() {
          await Promise.all(
            networkInterfaces.map((eni) =>
              context.clients.ec2.send(
                new ModifyNetworkInterfaceAttributeCommand({
                  NetworkInterfaceId: eni.networkInterfaceId,
                  Groups: [isolationGroups[eni.vpcId] ?? ''],
                }),
              ),
            ),
          );
          return {};
        },
      };
    },
  };
}

/**
 * The web fleet's instance contained by everything release undoes: ENIs in two VPCs (isolation groups ready),
 * the shared instance profile, Auto Scaling group `web`, target groups by id and by IP, a classic load balancer.
 */
function seededSandbox() {
  const clock = movableClock();
  const sandbox = testSandbox({ clock });
  sandbox.iam
    .addRole({ roleName: 'web-role' })
    .addInstanceProfile({ name: 'web', roleName: 'web-role' })
    .addInstanceProfile({ name: 'cordon-quarantine' });
  const web = aWebFleet(sandbox);
  sandbox.ec2.addVpc({ vpcId: VPC_B });
  const app = sandbox.ec2.addSecurityGroup({ groupName: 'app', vpcId: VPC_A });
  const mgmt = sandbox.ec2.addSecurityGroup({ groupName: 'mgmt', vpcId: VPC_B });
  // Isolation groups exist before the containment here (the real isolate-instance creates them once per VPC).
  const isolationGroups = {
    [VPC_A]: sandbox.ec2.addSecurityGroup({ groupName: 'cordon-isolation', vpcId: VPC_A, egress: [] }),
    [VPC_B]: sandbox.ec2.addSecurityGroup({ groupName: 'cordon-isolation', vpcId: VPC_B, egress: [] }),
  };
  sandbox.ec2.addInstance({
    instanceId: INSTANCE_ID,
    vpcId: VPC_A,
    subnetId: 'subnet-0123456789abcdef0',
    networkInterfaces: [
      { networkInterfaceId: ENI_PRIMARY, groupIds: [web, app], privateIpAddress: '10.0.0.10' },
      { networkInterfaceId: ENI_SECOND_VPC, groupIds: [mgmt], vpcId: VPC_B, privateIpAddress: '10.1.0.10' },
    ],
    volumes: [{ volumeId: 'vol-0123456789abcdef0', deviceName: '/dev/xvda', deleteOnTermination: true }],
    shutdownBehavior: 'terminate',
    iamInstanceProfileArn: PROFILE_ARN,
    tags: { Name: 'web-1', team: 'payments' },
  });
  sandbox.ec2.addInstance({
    instanceId: FLEET_ID,
    vpcId: VPC_A,
    subnetId: 'subnet-0123456789abcdef0',
    networkInterfaces: [
      { networkInterfaceId: 'eni-0123456789abcdef2', groupIds: [web], privateIpAddress: '10.0.0.11' },
    ],
    iamInstanceProfileArn: PROFILE_ARN,
  });
  sandbox.autoScaling.addGroup({
    name: 'web',
    minSize: 2,
    maxSize: 4,
    instances: [{ instanceId: INSTANCE_ID }, { instanceId: FLEET_ID }],
  });
  sandbox.elbv2.addTargetGroup({
    name: 'web',
    vpcId: VPC_A,
    loadBalancerArns: [LB_ARN],
    targets: [{ id: INSTANCE_ID }, { id: FLEET_ID }],
  });
  sandbox.elbv2.addTargetGroup({
    name: 'mgmt-ip',
    vpcId: VPC_B,
    targetType: 'ip',
    port: 9100,
    loadBalancerArns: [LB_ARN],
    targets: [{ id: '10.1.0.10' }],
  });
  sandbox.elb.addLoadBalancer({ name: 'legacy-web', vpcId: VPC_A, instanceIds: [INSTANCE_ID, FLEET_ID] });
  return { sandbox, clock, isolationGroups };
}

/** What release must put back as it was: network, credentials, ASG membership, registrations, tags. */
function releasableState(sandbox: Sandbox) {
  const ec2 = sandbox.ec2.snapshot();
  const instance = ec2.instances[INSTANCE_ID];
  return {
    eniGroups: Object.fromEntries(
      (instance?.networkInterfaceIds ?? []).map((id) => [id, ec2.networkInterfaces[id]?.groupIds]),
    ),
    profiles: Object.values(ec2.profileAssociations)
      .map((association) => `${association.instanceId} ${association.arn}`)
      .sort(),
    tags: instance?.tags,
    roles: sandbox.iam.snapshot().roles,
    autoScalingInstances: sandbox.autoScaling.snapshot().groups.web?.instances,
    targetGroups: Object.values(sandbox.elbv2.snapshot().targetGroups).map((group) => ({
      name: group.name,
      targets: Object.values(group.targets)
        .filter((target) => target.state !== 'draining')
        .map((target) => `${target.id}:${target.port}`)
        .sort(),
    })),
    classic: Object.values(sandbox.elb.snapshot().loadBalancers).map((lb) => ({
      name: lb.name,
      instances: [...lb.instances].sort(),
    })),
  };
}

const input = { ...envelope(), instanceId: INSTANCE_ID };

async function contain(sandbox: Sandbox, isolationGroups: Readonly<Record<string, string>>) {
  const environment = environmentOn(sandbox);
  for (const step of [
    protectEvidence,
    detachFromAutoScaling,
    deregisterFromLoadBalancers,
    simulatedIsolation(isolationGroups),
    quarantineInstanceProfile,
  ]) {
    const outcome = await runAction(step, input, environment);
    expect(outcome.status).toBe('done');
  }
  return environment;
}

describe('release-instance (against the sandbox account)', () => {
  it('after release the instance is as it was before containment', async () => {
    const { sandbox, isolationGroups } = seededSandbox();
    const before = releasableState(sandbox);
    const environment = await contain(sandbox, isolationGroups);
    const contained = releasableState(sandbox);
    expect(contained.eniGroups).toEqual({
      [ENI_PRIMARY]: [isolationGroups[VPC_A]],
      [ENI_SECOND_VPC]: [isolationGroups[VPC_B]],
    });
    expect(contained.tags).toMatchObject({ 'cordon:quarantined': 'true' });

    const released = await runAction(releaseInstance, input, environment);

    expect(released.status).toBe('done');
    expect(releasableState(sandbox)).toEqual(before);
    // Legitimately different after release, and kept on purpose:
    // - evidence protections: termination protection, stop on shutdown, DeleteOnTermination=false;
    // - snapshots taken during containment (none here: snapshot-volumes is not part of this run);
    // - the isolation groups, kept in each VPC for reuse;
    // - the Auto Scaling group: desired capacity one higher (ExitStandby) and the replacement it launched;
    // - association ids and times, and target health (re-registered targets start `initial`).
    const ec2 = sandbox.ec2.snapshot();
    expect(ec2.instances[INSTANCE_ID]).toMatchObject({
      disableApiTermination: true,
      shutdownBehavior: 'stop',
    });
    expect(ec2.volumes['vol-0123456789abcdef0']?.attachment?.deleteOnTermination).toBe(false);
    expect(Object.values(isolationGroups).every((groupId) => ec2.securityGroups[groupId] !== undefined)).toBe(
      true,
    );
    expect(sandbox.autoScaling.snapshot().groups.web).toMatchObject({
      desiredCapacity: 3,
      replacementsPending: 1,
    });
    expect(released.notes.join(' ')).toContain('Evidence protections stay on');
  });

  it('restores in order: network, credentials and registrations before the group takes the instance back', async () => {
    const { sandbox, isolationGroups } = seededSandbox();
    const environment = await contain(sandbox, isolationGroups);
    const callsBefore = sandbox.account.mutatingCalls().length;

    await runAction(releaseInstance, input, environment);

    const commands = sandbox.account
      .mutatingCalls()
      .slice(callsBefore)
      .map((call) => call.command);
    expect(commands.indexOf('ExitStandby')).toBeGreaterThan(
      commands.lastIndexOf('ModifyNetworkInterfaceAttribute'),
    );
    expect(commands.indexOf('ExitStandby')).toBeGreaterThan(commands.lastIndexOf('RegisterTargets'));
    expect(commands.at(-1)).toBe('DeleteTags');
    // Nothing is done to the evidence protections.
    expect(commands).not.toContain('ModifyInstanceAttribute');
  });

  it('changes nothing the second time', async () => {
    const { sandbox, isolationGroups } = seededSandbox();
    const environment = await contain(sandbox, isolationGroups);
    await runAction(releaseInstance, input, environment);
    const after = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const second = await runAction(releaseInstance, input, environment);

    expect(second.status).toBe('already-done');
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
  });

  it('changes nothing at all in dry-run', async () => {
    const { sandbox, isolationGroups } = seededSandbox();
    const environment = await contain(sandbox, isolationGroups);
    const contained = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const outcome = await runAction(releaseInstance, { ...input, dryRun: true }, environment);

    expect(outcome.status).toBe('dry-run');
    expect(sandbox.account.snapshot()).toEqual(contained);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
  });

  it('fails with ActionFailedError for an incident that recorded nothing, and touches nothing', async () => {
    const { sandbox } = seededSandbox();
    await expectUnchanged(sandbox, () =>
      expect(runAction(releaseInstance, input, environmentOn(sandbox))).rejects.toMatchObject({
        name: 'ActionFailedError',
        message: expect.stringContaining('Nothing to release'),
      }),
    );
    expect(sandbox.account.calls).toEqual([]);
  });

  it('surfaces a throttled ENI restore as ThrottledError, leaves the quarantine tags on, and finishes on retry', async () => {
    const { sandbox, isolationGroups } = seededSandbox();
    const before = releasableState(sandbox);
    const environment = await contain(sandbox, isolationGroups);
    sandbox.account.injectFault({
      service: 'EC2',
      command: 'ModifyNetworkInterfaceAttribute',
      error: 'RequestLimitExceeded',
      times: 1,
    });

    await expect(runAction(releaseInstance, input, environment)).rejects.toMatchObject({
      name: 'ThrottledError',
      retryable: true,
    });
    const failed = (await environment.ledger.entries(TEST_INCIDENT)).at(-1);
    expect(failed).toMatchObject({ step: 'release-instance', outcome: 'failed' });
    // Not reported as released: the instance still says it is quarantined, and is still in Standby.
    expect(sandbox.ec2.snapshot().instances[INSTANCE_ID]?.tags['cordon:quarantined']).toBe('true');
    expect(sandbox.autoScaling.snapshot().groups.web?.instances[INSTANCE_ID]?.lifecycleState).toBe('Standby');

    const retried = await runAction(releaseInstance, input, environment);

    expect(retried.status).toBe('done');
    expect(releasableState(sandbox)).toEqual(before);
  });

  it('surfaces a denied ExitStandby as AccessDeniedError (terminal), with what was restored before it', async () => {
    const { sandbox, isolationGroups } = seededSandbox();
    const environment = await contain(sandbox, isolationGroups);
    sandbox.account.injectFault({ service: 'AutoScaling', command: 'ExitStandby', error: 'AccessDenied' });

    const error = await runAction(releaseInstance, input, environment).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'AccessDeniedError',
      retryable: false,
      partial: { notDone: ['exit Standby in web', 'remove the quarantine tags'] },
    });
    expect(sandbox.ec2.snapshot().instances[INSTANCE_ID]?.tags['cordon:quarantined']).toBe('true');
    expect(
      (await environment.ledger.entries(TEST_INCIDENT))
        .filter((entry) => entry.step === 'release-instance')
        .map((entry) => entry.outcome),
    ).toEqual(['failed']);
  });
});
