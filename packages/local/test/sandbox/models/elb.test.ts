import {
  AccessPointNotFoundException,
  DeregisterInstancesFromLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { describe, expect, it } from 'vitest';
import { createElbModel } from '../../../src/sandbox/models/elb.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const WEB_1 = 'i-0aaaaaaaaaaaaaaa1';
const WEB_2 = 'i-0aaaaaaaaaaaaaaa2';
const NEVER_SEEN = 'i-0ccccccccccccccc1';

function prepare() {
  const sandbox = new SandboxAccount({ now: () => new Date('2025-01-01T00:00:00Z') });
  const model = createElbModel(sandbox.context);
  model.addLoadBalancer({ name: 'legacy-web', vpcId: 'vpc-0aaaaaaaaaaaaaaa1', instanceIds: [WEB_1, WEB_2] });
  sandbox.register(model);
  const elb = sandbox.attach(new ElasticLoadBalancingClient({ region: 'us-east-1' }));
  return { sandbox, model, elb };
}

describe('classic ELB model', () => {
  it('lists the instances registered with a load balancer', async () => {
    const { elb } = prepare();

    const output = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['legacy-web'] }));

    expect(output.LoadBalancerDescriptions?.[0]?.Instances).toEqual([
      { InstanceId: WEB_1 },
      { InstanceId: WEB_2 },
    ]);
  });

  it('answers an unknown load balancer with LoadBalancerNotFound, thrown as AccessPointNotFoundException', async () => {
    const { elb } = prepare();

    const error = await elb
      .send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['nope'] }))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AccessPointNotFoundException);
    expect(error).toMatchObject({ name: 'AccessPointNotFoundException', Code: 'LoadBalancerNotFound' });
  });

  it('deregisters an instance at once and answers with the instances left', async () => {
    const { elb, model } = prepare();

    const output = await elb.send(
      new DeregisterInstancesFromLoadBalancerCommand({
        LoadBalancerName: 'legacy-web',
        Instances: [{ InstanceId: WEB_1 }],
      }),
    );

    expect(output.Instances).toEqual([{ InstanceId: WEB_2 }]);
    expect(model.snapshot().loadBalancers['legacy-web']?.instances).toEqual([WEB_2]);
  });

  it('accepts deregistering an instance twice but refuses one it has never seen', async () => {
    const { elb } = prepare();
    const deregister = (InstanceId: string) =>
      elb.send(
        new DeregisterInstancesFromLoadBalancerCommand({
          LoadBalancerName: 'legacy-web',
          Instances: [{ InstanceId }],
        }),
      );
    await deregister(WEB_1);

    const again = deregister(WEB_1);
    const never = deregister(NEVER_SEEN);

    await expect(again).resolves.toBeDefined();
    await expect(never).rejects.toMatchObject({ name: 'InvalidEndPointException', Code: 'InvalidInstance' });
  });

  it('registers an instance back, once, and answers with every registered instance', async () => {
    const { elb } = prepare();
    await elb.send(
      new DeregisterInstancesFromLoadBalancerCommand({
        LoadBalancerName: 'legacy-web',
        Instances: [{ InstanceId: WEB_1 }],
      }),
    );

    const output = await elb.send(
      new RegisterInstancesWithLoadBalancerCommand({
        LoadBalancerName: 'legacy-web',
        Instances: [{ InstanceId: WEB_1 }, { InstanceId: WEB_1 }],
      }),
    );

    expect(output.Instances).toEqual([{ InstanceId: WEB_2 }, { InstanceId: WEB_1 }]);
  });

  it('returns a deep copy from snapshot()', () => {
    const { model } = prepare();

    model.snapshot().loadBalancers['legacy-web']?.instances.push('x');

    expect(model.snapshot().loadBalancers['legacy-web']?.instances).toEqual([WEB_1, WEB_2]);
  });
});
