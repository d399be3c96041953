import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
} from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { createAutoScalingModel } from '../../../src/sandbox/models/autoscaling.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const WEB_1 = 'i-0aaaaaaaaaaaaaaa1';
const WEB_2 = 'i-0aaaaaaaaaaaaaaa2';
const LONER = 'i-0bbbbbbbbbbbbbbb1';

/** A group `web` with two InService instances, min 1, max 3, desired 2. */
function prepare(minSize = 1) {
  const sandbox = new SandboxAccount({ now: () => new Date('2025-01-01T00:00:00Z') });
  const model = createAutoScalingModel(sandbox.context);
  model.addGroup({
    name: 'web',
    minSize,
    maxSize: 3,
    instances: [{ instanceId: WEB_1 }, { instanceId: WEB_2 }],
    tags: { team: 'payments' },
  });
  sandbox.register(model);
  const autoscaling = sandbox.attach(new AutoScalingClient({ region: 'us-east-1' }));
  return { sandbox, model, autoscaling };
}

describe('Auto Scaling model', () => {
  it('tells which group an instance belongs to, and leaves out an instance in no group', async () => {
    const { autoscaling } = prepare();

    const output = await autoscaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [WEB_1, LONER] }),
    );

    expect(output.AutoScalingInstances).toEqual([
      expect.objectContaining({
        InstanceId: WEB_1,
        AutoScalingGroupName: 'web',
        LifecycleState: 'InService',
        HealthStatus: 'HEALTHY',
      }),
    ]);
  });

  it('describes groups with their instances and capacity, filtered by tag', async () => {
    const { autoscaling } = prepare();

    const tagged = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:team', Values: ['payments'] }] }),
    );
    const unknown = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['nope'] }),
    );

    const group = tagged.AutoScalingGroups?.[0];
    expect(group).toMatchObject({ AutoScalingGroupName: 'web', MinSize: 1, MaxSize: 3, DesiredCapacity: 2 });
    expect(group?.Instances?.map((i) => [i.InstanceId, i.HealthStatus])).toEqual([
      [WEB_1, 'Healthy'],
      [WEB_2, 'Healthy'],
    ]);
    expect(unknown.AutoScalingGroups).toEqual([]);
  });

  it('keeps desired capacity when asked not to decrement on EnterStandby, and counts a replacement', async () => {
    const { autoscaling, model } = prepare();

    const output = await autoscaling.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'web',
        InstanceIds: [WEB_1],
        ShouldDecrementDesiredCapacity: false,
      }),
    );

    const group = model.snapshot().groups.web;
    expect(group?.instances[WEB_1]?.lifecycleState).toBe('Standby');
    expect(group?.desiredCapacity).toBe(2);
    expect(group?.replacementsPending).toBe(1);
    expect(output.Activities?.[0]).toMatchObject({
      AutoScalingGroupName: 'web',
      Description: `Moving EC2 instance to Standby: ${WEB_1}`,
      StatusCode: 'InProgress',
    });
  });

  it('lowers desired capacity when asked to decrement on EnterStandby', async () => {
    const { autoscaling, model } = prepare();

    await autoscaling.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'web',
        InstanceIds: [WEB_1],
        ShouldDecrementDesiredCapacity: true,
      }),
    );

    expect(model.snapshot().groups.web).toMatchObject({ desiredCapacity: 1, replacementsPending: 0 });
  });

  it('refuses to decrement below the minimum size', async () => {
    const { autoscaling, model } = prepare(2);

    const call = autoscaling.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'web',
        InstanceIds: [WEB_1],
        ShouldDecrementDesiredCapacity: true,
      }),
    );

    await expect(call).rejects.toMatchObject({ name: 'ValidationError' });
    expect(model.snapshot().groups.web?.instances[WEB_1]?.lifecycleState).toBe('InService');
  });

  it('answers ValidationError for an instance that is not InService, or not in the group', async () => {
    const { autoscaling } = prepare();
    const standby = {
      AutoScalingGroupName: 'web',
      InstanceIds: [WEB_1],
      ShouldDecrementDesiredCapacity: false,
    };
    await autoscaling.send(new EnterStandbyCommand(standby));

    const again = autoscaling.send(new EnterStandbyCommand(standby));
    const stranger = autoscaling.send(new EnterStandbyCommand({ ...standby, InstanceIds: [LONER] }));

    await expect(again).rejects.toMatchObject({
      name: 'ValidationError',
      message: `The instance ${WEB_1} is not in InService.`,
    });
    await expect(stranger).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('puts a Standby instance back in service and raises desired capacity by one', async () => {
    const { autoscaling, model } = prepare();
    await autoscaling.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'web',
        InstanceIds: [WEB_1],
        ShouldDecrementDesiredCapacity: true,
      }),
    );

    await autoscaling.send(new ExitStandbyCommand({ AutoScalingGroupName: 'web', InstanceIds: [WEB_1] }));

    expect(model.snapshot().groups.web).toMatchObject({ desiredCapacity: 2 });
    expect(model.snapshot().groups.web?.instances[WEB_1]?.lifecycleState).toBe('InService');
  });

  it('answers ValidationError for an unknown group', async () => {
    const { autoscaling } = prepare();

    const call = autoscaling.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'nope',
        InstanceIds: [WEB_1],
        ShouldDecrementDesiredCapacity: false,
      }),
    );

    await expect(call).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('returns a deep copy from snapshot()', () => {
    const { model } = prepare();

    const copy = model.snapshot();
    if (copy.groups.web !== undefined) copy.groups.web.desiredCapacity = 99;

    expect(model.snapshot().groups.web?.desiredCapacity).toBe(2);
  });
});
