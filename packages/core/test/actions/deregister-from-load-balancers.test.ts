import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import {
  DeregisterInstancesFromLoadBalancerCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type TargetHealthDescription,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import {
  DESCRIBE_CONCURRENCY,
  deregisterFromLoadBalancers,
} from '../../src/actions/deregister-from-load-balancers.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const OTHER_ID = 'i-0abc1234def567891';
const TG = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const WEB = TG('web');
const IP = TG('web-ip');
const OTHER = TG('other');
const LAMBDA = TG('fn');
const ELSEWHERE = TG('same-ip-other-vpc');

function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    PrivateIpAddress: '10.0.0.10',
    VpcId: 'vpc-0123456789abcdef0',
    NetworkInterfaces: [
      {
        NetworkInterfaceId: 'eni-0123456789abcdef0',
        VpcId: 'vpc-0123456789abcdef0',
        PrivateIpAddress: '10.0.0.10',
        PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.10' }, { PrivateIpAddress: '10.0.0.11' }],
      },
      { NetworkInterfaceId: 'eni-0123456789abcdef1', PrivateIpAddress: '10.0.1.20' },
    ],
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    ...overrides,
  };
}

function target(
  Id: string,
  Port: number,
  State: TargetHealthStateEnum = 'healthy',
  extra: { AvailabilityZone?: string } = {},
): TargetHealthDescription {
  return { Target: { Id, Port, ...extra }, TargetHealth: { State } };
}

function awsError(name: string, message: string, Code = name): Error {
  return Object.assign(new Error(message), { name, Code });
}

const input = { ...envelope(), instanceId: INSTANCE_ID };

describe('deregister-from-load-balancers (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const elbv2 = mockClient(clients.elbv2);
  const elb = mockClient(clients.elb);

  beforeEach(() => {
    ec2.reset();
    elbv2.reset();
    elb.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    // Two pages of target groups, to prove every page is read.
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        { TargetGroupArn: WEB, TargetType: 'instance' },
        { TargetGroupArn: IP, TargetType: 'ip', VpcId: 'vpc-0123456789abcdef0' },
        { TargetGroupArn: ELSEWHERE, TargetType: 'ip', VpcId: 'vpc-0fff456789abcdef0' },
      ],
      NextMarker: 'page-2',
    });
    elbv2.on(DescribeTargetGroupsCommand, { Marker: 'page-2' }).resolves({
      TargetGroups: [
        { TargetGroupArn: OTHER, TargetType: 'instance' },
        { TargetGroupArn: LAMBDA, TargetType: 'lambda' },
      ],
    });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: WEB }).resolves({
      TargetHealthDescriptions: [
        target(INSTANCE_ID, 80),
        target(OTHER_ID, 80),
        target(INSTANCE_ID, 8080, 'unhealthy'),
      ],
    });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: IP }).resolves({
      TargetHealthDescriptions: [
        target('10.0.0.11', 443, 'healthy', { AvailabilityZone: 'all' }),
        target('10.9.9.9', 443),
      ],
    });
    // Another VPC reuses the instance's address for another machine: not the instance.
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: ELSEWHERE }).resolves({
      TargetHealthDescriptions: [target('10.0.0.10', 80, 'healthy', { AvailabilityZone: 'us-east-1a' })],
    });
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: OTHER })
      .resolves({ TargetHealthDescriptions: [target(OTHER_ID, 80)] });
    elbv2.on(DeregisterTargetsCommand).resolves({});
    elb.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancerDescriptions: [
        { LoadBalancerName: 'legacy-web', Instances: [{ InstanceId: INSTANCE_ID }] },
      ],
      NextMarker: 'page-2',
    });
    elb.on(DescribeLoadBalancersCommand, { Marker: 'page-2' }).resolves({
      LoadBalancerDescriptions: [{ LoadBalancerName: 'legacy-other', Instances: [{ InstanceId: OTHER_ID }] }],
    });
    elb.on(DeregisterInstancesFromLoadBalancerCommand).resolves({ Instances: [] });
  });

  it('deregisters instance and IP targets from every target group', async () => {
    const outcome = await runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients));

    expect(outcome.status).toBe('done');
    expect(elbv2).toHaveReceivedCommandWith(DescribeTargetGroupsCommand, { Marker: 'page-2' });
    // Exactly the registrations found, each with its own port and zone.
    expect(elbv2).toHaveReceivedCommandTimes(DeregisterTargetsCommand, 2);
    expect(elbv2).toHaveReceivedCommandWith(DeregisterTargetsCommand, {
      TargetGroupArn: WEB,
      Targets: [
        { Id: INSTANCE_ID, Port: 80 },
        { Id: INSTANCE_ID, Port: 8080 },
      ],
    });
    expect(elbv2).toHaveReceivedCommandWith(DeregisterTargetsCommand, {
      TargetGroupArn: IP,
      Targets: [{ Id: '10.0.0.11', Port: 443, AvailabilityZone: 'all' }],
    });
    expect(elbv2).not.toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: ELSEWHERE });
    // Lambda target groups cannot hold an instance: their health is not even read.
    expect(elbv2).not.toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: LAMBDA });
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      targetGroupArns: [WEB, IP],
      classicLoadBalancers: ['legacy-web'],
    });
  });

  it('does not read the health of an instance target group in a VPC the instance is not in', async () => {
    const FOREIGN = TG('instance-other-vpc');
    elbv2.on(DescribeTargetGroupsCommand, { Marker: 'page-2' }).resolves({
      TargetGroups: [
        { TargetGroupArn: OTHER, TargetType: 'instance', VpcId: 'vpc-0123456789abcdef0' },
        { TargetGroupArn: FOREIGN, TargetType: 'instance', VpcId: 'vpc-0fff456789abcdef0' },
      ],
    });

    await runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients));

    // RegisterTargets refuses an instance of another VPC: that group cannot hold it, no call is spent on it.
    expect(elbv2).not.toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: FOREIGN });
    expect(elbv2).toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: OTHER });
    // An ip group of another VPC may hold a peered address: still read.
    expect(elbv2).toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: ELSEWHERE });
  });

  it(`reads target health at most ${DESCRIBE_CONCURRENCY} groups at a time, however many groups there are`, async () => {
    const many = Array.from({ length: 40 }, (_, index) => ({
      TargetGroupArn: TG(`fleet-${index}`),
      TargetType: 'instance' as const,
    }));
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: many });
    let inFlight = 0;
    let most = 0;
    elbv2.on(DescribeTargetHealthCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      return { TargetHealthDescriptions: [target(OTHER_ID, 80)] };
    });

    await runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients));

    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 40);
    expect(most).toBe(DESCRIBE_CONCURRENCY);
  });

  it('deregisters from classic load balancers', async () => {
    await runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients));

    expect(elb).toHaveReceivedCommandWith(DescribeLoadBalancersCommand, { Marker: 'page-2' });
    expect(elb).toHaveReceivedCommandTimes(DeregisterInstancesFromLoadBalancerCommand, 1);
    expect(elb).toHaveReceivedCommandWith(DeregisterInstancesFromLoadBalancerCommand, {
      LoadBalancerName: 'legacy-web',
      Instances: [{ InstanceId: INSTANCE_ID }],
    });
  });

  it('does not wait for draining', async () => {
    const outcome = await runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients));

    // One health read per group, all before deregistering; nothing polls the draining targets afterwards.
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 4);
    const commands = elbv2.calls().map((call) => call.args[0].constructor.name);
    expect(commands.slice(-2)).toEqual(['DeregisterTargetsCommand', 'DeregisterTargetsCommand']);
    expect(outcome.changes).toContainEqual({
      resource: WEB,
      attribute: `target:${INSTANCE_ID}:80`,
      before: 'healthy',
      after: 'draining',
    });
    expect(outcome.notes.join(' ')).toContain('draining is not awaited');
  });

  it('leaves targets already draining, or not registered, alone', async () => {
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: WEB }).resolves({
      TargetHealthDescriptions: [
        target(INSTANCE_ID, 80, 'draining'),
        {
          Target: { Id: INSTANCE_ID, Port: 8080 },
          TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' },
        },
      ],
    });

    await runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients));

    expect(elbv2).not.toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: WEB });
    expect(elbv2).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: IP });
  });

  it('records every registration it removes, for release', async () => {
    const environment = actionEnvironment(clients);

    await runAction(deregisterFromLoadBalancers, input, environment);

    const [planned] = await environment.ledger.entries(TEST_INCIDENT);
    expect(planned?.restore).toEqual({
      instanceId: INSTANCE_ID,
      targetGroups: [
        {
          targetGroupArn: WEB,
          targets: [
            { Id: INSTANCE_ID, Port: 80 },
            { Id: INSTANCE_ID, Port: 8080 },
          ],
        },
        { targetGroupArn: IP, targets: [{ Id: '10.0.0.11', Port: 443, AvailabilityZone: 'all' }] },
      ],
      classicLoadBalancers: ['legacy-web'],
    });
  });

  it('changes nothing for an instance registered nowhere', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({ InstanceId: INSTANCE_ID, PrivateIpAddress: '10.7.7.7', NetworkInterfaces: [] }),
          ],
        },
      ],
    });
    elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancerDescriptions: [] });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: WEB }).resolves({ TargetHealthDescriptions: [] });

    const outcome = await runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients));

    expect(outcome.status).toBe('already-done');
    expect(outcome.notes.join(' ')).toContain('nothing to deregister');
    expect(elbv2).not.toHaveReceivedCommand(DeregisterTargetsCommand);
    expect(elb).not.toHaveReceivedCommand(DeregisterInstancesFromLoadBalancerCommand);
  });

  it('skips a target group deleted while it was being read', async () => {
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: OTHER })
      .rejects(
        awsError(
          'TargetGroupNotFoundException',
          'One or more target groups not found',
          'TargetGroupNotFound',
        ),
      );

    const outcome = await runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients));

    expect(outcome.status).toBe('done');
  });

  it('makes no mutating call in dry-run', async () => {
    const outcome = await runAction(
      deregisterFromLoadBalancers,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    expect(outcome.status).toBe('dry-run');
    expect(outcome.changes).toHaveLength(4);
    expect(elbv2).not.toHaveReceivedCommand(DeregisterTargetsCommand);
    expect(elb).not.toHaveReceivedCommand(DeregisterInstancesFromLoadBalancerCommand);
  });

  it('refuses an exempt instance with ExemptResourceError, before any change', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] })] }],
    });

    await expect(
      runAction(deregisterFromLoadBalancers, input, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'ExemptResourceError',
    });
    expect(elbv2).not.toHaveReceivedCommand(DeregisterTargetsCommand);
    expect(elb).not.toHaveReceivedCommand(DeregisterInstancesFromLoadBalancerCommand);
  });

  it('reports what was deregistered when one call is throttled (ThrottledError, retryable)', async () => {
    elbv2
      .on(DeregisterTargetsCommand, { TargetGroupArn: IP })
      .rejects(awsError('ThrottlingException', 'Rate exceeded', 'Throttling'));
    const environment = actionEnvironment(clients);

    const error = await runAction(deregisterFromLoadBalancers, input, environment).catch(
      (caught: unknown) => caught,
    );

    expect(error).toMatchObject({
      name: 'ThrottledError',
      retryable: true,
      partial: {
        done: [`deregister from ${WEB}`, 'deregister from classic load balancer legacy-web'],
        notDone: [`deregister from ${IP}`],
      },
    });
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    expect(entries[1]?.notes[1]).toBe(`not done: deregister from ${IP}`);
  });
});
