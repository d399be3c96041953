import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { createElbV2Model } from '../../../src/sandbox/models/elbv2.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const WEB_1 = 'i-0aaaaaaaaaaaaaaa1';
const WEB_2 = 'i-0aaaaaaaaaaaaaaa2';
const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef';
const MISSING_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/0000000000000000';

/** An instance target group behind a load balancer, an IP target group, and a movable clock. */
function prepare() {
  let now = Date.parse('2025-01-01T00:00:00Z');
  const sandbox = new SandboxAccount({ now: () => new Date(now) });
  const model = createElbV2Model(sandbox.context, { instanceExists: (id) => id !== 'i-0000000000000dead' });
  const web = model.addTargetGroup({
    name: 'web',
    vpcId: 'vpc-0aaaaaaaaaaaaaaa1',
    loadBalancerArns: [LB_ARN],
    deregistrationDelaySeconds: 300,
    targets: [{ id: WEB_1 }, { id: WEB_2 }],
  });
  const ips = model.addTargetGroup({
    name: 'ips',
    vpcId: 'vpc-0aaaaaaaaaaaaaaa1',
    targetType: 'ip',
    port: 8080,
    loadBalancerArns: [LB_ARN],
    targets: [{ id: '10.0.0.10' }],
  });
  sandbox.register(model);
  const elbv2 = sandbox.attach(new ElasticLoadBalancingV2Client({ region: 'us-east-1' }));
  const advance = (seconds: number) => {
    now += seconds * 1000;
  };
  return { sandbox, model, elbv2, web, ips, advance };
}

describe('ELBv2 model', () => {
  it('finds the target groups of a load balancer', async () => {
    const { elbv2, web, ips } = prepare();

    const output = await elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: LB_ARN }));

    expect(output.TargetGroups?.map((g) => [g.TargetGroupArn, g.TargetType])).toEqual([
      [web, 'instance'],
      [ips, 'ip'],
    ]);
  });

  it('answers TargetGroupNotFound as the SDK exception class, with the wire code', async () => {
    const { elbv2 } = prepare();

    const error = await elbv2
      .send(new DescribeTargetHealthCommand({ TargetGroupArn: MISSING_TG }))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TargetGroupNotFoundException);
    expect(error).toMatchObject({ name: 'TargetGroupNotFoundException', Code: 'TargetGroupNotFound' });
  });

  it('leaves a deregistered target draining, then drops it once the deregistration delay has passed', async () => {
    const { elbv2, web, advance } = prepare();

    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: WEB_1 }] }));
    const draining = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web }));
    advance(300);
    const after = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web }));

    expect(draining.TargetHealthDescriptions?.map((d) => [d.Target?.Id, d.TargetHealth?.State])).toEqual([
      [WEB_1, 'draining'],
      [WEB_2, 'healthy'],
    ]);
    expect(draining.TargetHealthDescriptions?.[0]?.TargetHealth?.Reason).toBe(
      'Target.DeregistrationInProgress',
    );
    expect(after.TargetHealthDescriptions?.map((d) => d.Target?.Id)).toEqual([WEB_2]);
  });

  it('deregisters IP targets by address and port', async () => {
    const { elbv2, ips, model } = prepare();

    await elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: ips, Targets: [{ Id: '10.0.0.10', Port: 8080 }] }),
    );

    expect(model.snapshot().targetGroups[ips]?.targets['10.0.0.10:8080']?.state).toBe('draining');
  });

  it('answers success and changes nothing when the target named is not registered on that port', async () => {
    const { elbv2, ips, model } = prepare();
    const before = model.snapshot();

    await elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: ips, Targets: [{ Id: '10.0.0.10', Port: 9999 }] }),
    );

    expect(model.snapshot()).toEqual(before);
  });

  it('registers a target as initial and reports it healthy once the health checks have passed', async () => {
    const { elbv2, web, advance } = prepare();
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: WEB_1 }] }));

    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: WEB_1 }] }));
    const initial = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: web, Targets: [{ Id: WEB_1 }] }),
    );
    advance(150);
    const healthy = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: web, Targets: [{ Id: WEB_1 }] }),
    );

    expect(initial.TargetHealthDescriptions?.[0]?.TargetHealth?.State).toBe('initial');
    expect(healthy.TargetHealthDescriptions?.[0]?.TargetHealth?.State).toBe('healthy');
  });

  it('reports a target that is not registered as unused rather than failing', async () => {
    const { elbv2, web } = prepare();

    const output = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: web, Targets: [{ Id: 'i-0ccccccccccccccc1' }] }),
    );

    expect(output.TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: 'unused',
      Reason: 'Target.NotRegistered',
    });
  });

  it('refuses to register an instance that does not exist', async () => {
    const { elbv2, web } = prepare();

    const call = elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: 'i-0000000000000dead' }] }),
    );

    await expect(call).rejects.toMatchObject({ name: 'InvalidTargetException', Code: 'InvalidTarget' });
  });

  it('returns a deep copy from snapshot()', () => {
    const { model, web } = prepare();

    const copy = model.snapshot();
    copy.targetGroups[web]?.loadBalancerArns.push('x');

    expect(model.snapshot().targetGroups[web]?.loadBalancerArns).toEqual([LB_ARN]);
  });
});
