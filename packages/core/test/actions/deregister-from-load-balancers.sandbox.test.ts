import { describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  sandboxClients,
  TEST_INCIDENT,
  TEST_NOW,
} from '../../../../test/support/actions.ts';
import { createSandbox, type Sandbox } from '../../../local/src/sandbox/index.ts';
import { deregisterFromLoadBalancers } from '../../src/actions/deregister-from-load-balancers.ts';
import { releaseInstance } from '../../src/actions/release-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const OTHER_ID = 'i-0abc1234def567891';
const VPC_ID = 'vpc-0123456789abcdef0';
const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef';

function seededSandbox() {
  // A clock the test can move: draining and health checks run on the sandbox's clock.
  const clock = { now: TEST_NOW.getTime() };
  const sandbox = createSandbox({ now: () => new Date(clock.now) });
  sandbox.ec2.addVpc({ vpcId: VPC_ID });
  const web = sandbox.ec2.addSecurityGroup({ groupName: 'web', vpcId: VPC_ID });
  sandbox.ec2.addInstance({
    instanceId: INSTANCE_ID,
    vpcId: VPC_ID,
    subnetId: 'subnet-0123456789abcdef0',
    networkInterfaces: [
      { networkInterfaceId: 'eni-0123456789abcdef0', groupIds: [web], privateIpAddress: '10.0.0.10' },
      { networkInterfaceId: 'eni-0123456789abcdef1', groupIds: [web], privateIpAddress: '10.0.1.20' },
    ],
  });
  sandbox.ec2.addInstance({
    instanceId: OTHER_ID,
    vpcId: VPC_ID,
    subnetId: 'subnet-0123456789abcdef0',
    networkInterfaces: [
      { networkInterfaceId: 'eni-0123456789abcdef2', groupIds: [web], privateIpAddress: '10.0.0.99' },
    ],
  });
  const webGroup = sandbox.elbv2.addTargetGroup({
    name: 'web',
    vpcId: VPC_ID,
    loadBalancerArns: [LB_ARN],
    targets: [{ id: INSTANCE_ID }, { id: INSTANCE_ID, port: 8080 }, { id: OTHER_ID }],
  });
  const ipGroup = sandbox.elbv2.addTargetGroup({
    name: 'web-ip',
    vpcId: VPC_ID,
    targetType: 'ip',
    port: 443,
    loadBalancerArns: [LB_ARN],
    targets: [{ id: '10.0.1.20' }, { id: '10.0.0.99' }],
  });
  // Registered, but no load balancer uses the group yet: still a registration, still removed.
  const idleGroup = sandbox.elbv2.addTargetGroup({
    name: 'idle',
    vpcId: VPC_ID,
    targets: [{ id: INSTANCE_ID }],
  });
  sandbox.elb.addLoadBalancer({ name: 'legacy-web', vpcId: VPC_ID, instanceIds: [INSTANCE_ID, OTHER_ID] });
  sandbox.elb.addLoadBalancer({ name: 'legacy-other', vpcId: VPC_ID, instanceIds: [OTHER_ID] });
  return { sandbox, clock, webGroup, ipGroup, idleGroup };
}

/** Registrations (not health): `group → sorted "id:port"`, and classic LB → sorted instance ids. */
function registrations(sandbox: Sandbox) {
  const groups = Object.fromEntries(
    Object.values(sandbox.elbv2.snapshot().targetGroups).map((group) => [
      group.name,
      Object.values(group.targets)
        .filter((target) => target.state !== 'draining')
        .map((target) => `${target.id}:${target.port}`)
        .sort(),
    ]),
  );
  const classic = Object.fromEntries(
    Object.values(sandbox.elb.snapshot().loadBalancers).map((lb) => [lb.name, [...lb.instances].sort()]),
  );
  return { groups, classic };
}

const input = { ...envelope(), instanceId: INSTANCE_ID };

describe('deregister-from-load-balancers (against the sandbox account)', () => {
  it('leaves the instance and its IPs draining in every target group and out of every classic load balancer', async () => {
    const { sandbox, webGroup, ipGroup, idleGroup } = seededSandbox();

    const outcome = await runAction(
      deregisterFromLoadBalancers,
      input,
      actionEnvironment(sandboxClients(sandbox.account)),
    );

    // The action returned while the targets are still draining: it does not wait for draining.
    expect(outcome.status).toBe('done');
    const groups = sandbox.elbv2.snapshot().targetGroups;
    expect(groups[webGroup]?.targets[`${INSTANCE_ID}:80`]?.state).toBe('draining');
    expect(groups[webGroup]?.targets[`${INSTANCE_ID}:8080`]?.state).toBe('draining');
    expect(groups[webGroup]?.targets[`${OTHER_ID}:80`]?.state).toBe('healthy');
    expect(groups[ipGroup]?.targets['10.0.1.20:443']?.state).toBe('draining');
    expect(groups[ipGroup]?.targets['10.0.0.99:443']?.state).toBe('healthy');
    expect(groups[idleGroup]?.targets).toEqual({});
    expect(registrations(sandbox).classic).toEqual({ 'legacy-web': [OTHER_ID], 'legacy-other': [OTHER_ID] });
  });

  it('changes nothing the second time (draining targets count as done)', async () => {
    const { sandbox } = seededSandbox();
    const environment = actionEnvironment(sandboxClients(sandbox.account));
    await runAction(deregisterFromLoadBalancers, input, environment);
    const after = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const second = await runAction(deregisterFromLoadBalancers, input, environment);

    expect(second.status).toBe('already-done');
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
  });

  it('changes nothing at all in dry-run', async () => {
    const { sandbox } = seededSandbox();
    const before = sandbox.account.snapshot();

    const outcome = await runAction(
      deregisterFromLoadBalancers,
      { ...input, dryRun: true },
      actionEnvironment(sandboxClients(sandbox.account)),
    );

    expect(outcome.status).toBe('dry-run');
    expect(sandbox.account.snapshot()).toEqual(before);
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });

  it('has every registration back after release, healthy once the health checks pass', async () => {
    const { sandbox, clock, webGroup } = seededSandbox();
    const environment = actionEnvironment(sandboxClients(sandbox.account));
    const before = registrations(sandbox);
    await runAction(deregisterFromLoadBalancers, input, environment);

    await runAction(releaseInstance, input, environment);

    expect(registrations(sandbox)).toEqual(before);
    // Legitimately different: re-registered targets start `initial` and pass health checks later.
    expect(sandbox.elbv2.snapshot().targetGroups[webGroup]?.targets[`${INSTANCE_ID}:80`]?.state).toBe(
      'initial',
    );
    clock.now += 150_000;
    await sandbox.account.dispatch('ElasticLoadBalancingV2', 'DescribeTargetHealth', {
      TargetGroupArn: webGroup,
    });
    expect(sandbox.elbv2.snapshot().targetGroups[webGroup]?.targets[`${INSTANCE_ID}:80`]?.state).toBe(
      'healthy',
    );
  });

  it('surfaces a throttled deregistration as ThrottledError, reports what was done, and finishes on retry', async () => {
    const { sandbox, ipGroup } = seededSandbox();
    sandbox.account.injectFault({
      service: 'ElasticLoadBalancingV2',
      command: 'DeregisterTargets',
      error: 'Throttling',
      times: 1,
    });
    const environment = actionEnvironment(sandboxClients(sandbox.account));
    const before = registrations(sandbox);

    const error = await runAction(deregisterFromLoadBalancers, input, environment).catch(
      (caught: unknown) => caught,
    );

    expect(error).toMatchObject({ name: 'ThrottledError', retryable: true });
    const failed = (await environment.ledger.entries(TEST_INCIDENT)).at(-1);
    expect(failed).toMatchObject({ outcome: 'failed', error: { name: 'ThrottledError' } });
    expect(failed?.notes[1]).toMatch(/^not done: deregister from /);

    const retried = await runAction(deregisterFromLoadBalancers, input, environment);
    expect(retried.status).toBe('done');
    expect(sandbox.elbv2.snapshot().targetGroups[ipGroup]?.targets['10.0.1.20:443']?.state).toBe('draining');

    // Release reads the first plan, made before any change: everything comes back.
    await runAction(releaseInstance, input, environment);
    expect(registrations(sandbox)).toEqual(before);
  });

  it('surfaces a denied classic deregistration as AccessDeniedError (terminal), never as done', async () => {
    const { sandbox } = seededSandbox();
    sandbox.account.injectFault({
      service: 'ElasticLoadBalancing',
      command: 'DeregisterInstancesFromLoadBalancer',
      error: 'AccessDenied',
    });
    const environment = actionEnvironment(sandboxClients(sandbox.account));

    await expect(runAction(deregisterFromLoadBalancers, input, environment)).rejects.toMatchObject({
      name: 'AccessDeniedError',
      retryable: false,
      partial: { notDone: ['deregister from classic load balancer legacy-web'] },
    });
    const outcomes = (await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome);
    expect(outcomes).toEqual(['planned', 'failed']);
    expect(registrations(sandbox).classic['legacy-web']).toContain(INSTANCE_ID);
  });
});
