import {
  type AutoScalingInstanceDetails,
  DescribeAutoScalingInstancesCommand,
  EnterStandbyCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import { detachFromAutoScaling } from '../../src/actions/detach-from-autoscaling.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';

function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    ...overrides,
  };
}

function member(lifecycleState: string): AutoScalingInstanceDetails {
  return {
    InstanceId: INSTANCE_ID,
    AutoScalingGroupName: 'web',
    AvailabilityZone: 'us-east-1a',
    LifecycleState: lifecycleState,
    HealthStatus: 'HEALTHY',
    ProtectedFromScaleIn: false,
  };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('detach-from-autoscaling (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const autoScaling = mockClient(clients.autoScaling);

  beforeEach(() => {
    ec2.reset();
    autoScaling.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolves({ AutoScalingInstances: [member('InService')] });
    autoScaling.on(EnterStandbyCommand).resolves({ Activities: [] });
  });

  it('takes the instance out of its Auto Scaling group before the network is touched, without decrementing desired capacity', async () => {
    const environment = actionEnvironment(clients);

    const outcome = await runAction(
      detachFromAutoScaling,
      { ...envelope(), instanceId: INSTANCE_ID },
      environment,
    );

    expect(outcome).toMatchObject({
      status: 'done',
      output: { instanceId: INSTANCE_ID, autoScalingGroupName: 'web', lifecycleState: 'Standby' },
    });
    expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingInstancesCommand, {
      InstanceIds: [INSTANCE_ID],
    });
    expect(autoScaling).toHaveReceivedCommandTimes(EnterStandbyCommand, 1);
    expect(autoScaling).toHaveReceivedCommandWith(EnterStandbyCommand, {
      AutoScalingGroupName: 'web',
      InstanceIds: [INSTANCE_ID],
      ShouldDecrementDesiredCapacity: false,
    });
    // Only read calls on EC2: this step changes nothing on the network.
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(ec2.calls()).toHaveLength(1);
    const [planned] = await environment.ledger.entries(TEST_INCIDENT);
    expect(planned).toMatchObject({
      outcome: 'planned',
      restore: { instanceId: INSTANCE_ID, autoScalingGroupName: 'web', lifecycleState: 'InService' },
    });
  });

  it('leaves an instance that is in no group alone', async () => {
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    const environment = actionEnvironment(clients);

    const outcome = await runAction(
      detachFromAutoScaling,
      { ...envelope(), instanceId: INSTANCE_ID },
      environment,
    );

    expect(outcome).toMatchObject({
      status: 'already-done',
      changes: [],
      output: { autoScalingGroupName: null, lifecycleState: null },
    });
    expect(outcome.notes.join(' ')).toContain('in no Auto Scaling group');
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
    expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
      'already-done',
    ]);
  });

  it('changes nothing for an instance already in Standby, and records no restore for it', async () => {
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolves({ AutoScalingInstances: [member('Standby')] });
    const environment = actionEnvironment(clients);

    const outcome = await runAction(
      detachFromAutoScaling,
      { ...envelope(), instanceId: INSTANCE_ID },
      environment,
    );

    expect(outcome.status).toBe('already-done');
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
    // A Standby it was already in is not Cordon's doing: release must not take it out of Standby.
    expect(
      (await environment.ledger.entries(TEST_INCIDENT)).some((entry) => entry.restore !== undefined),
    ).toBe(false);
  });

  it('asks to be retried while the instance is still Pending (EventualConsistencyError)', async () => {
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolves({ AutoScalingInstances: [member('Pending:Wait')] });

    await expect(
      runAction(
        detachFromAutoScaling,
        { ...envelope(), instanceId: INSTANCE_ID },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'EventualConsistencyError', retryable: true });
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
    expect(detachFromAutoScaling.retryableErrors).toContain('EventualConsistencyError');
  });

  it('reports an instance the group is terminating as ResourceGoneError (terminal)', async () => {
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolves({ AutoScalingInstances: [member('Terminating:Wait')] });

    await expect(
      runAction(
        detachFromAutoScaling,
        { ...envelope(), instanceId: INSTANCE_ID },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ResourceGoneError', retryable: false });
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
  });

  it('fails loudly on a state Standby cannot be entered from (a warm-pool instance)', async () => {
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolves({ AutoScalingInstances: [member('Warmed:Running')] });

    await expect(
      runAction(
        detachFromAutoScaling,
        { ...envelope(), instanceId: INSTANCE_ID },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ActionFailedError', retryable: false });
  });

  it('makes no mutating call in dry-run, and reports what it would change', async () => {
    const outcome = await runAction(
      detachFromAutoScaling,
      { ...envelope(true), instanceId: INSTANCE_ID },
      actionEnvironment(clients),
    );

    expect(outcome).toMatchObject({
      status: 'dry-run',
      output: { instanceId: INSTANCE_ID, autoScalingGroupName: 'web', lifecycleState: 'InService' },
      changes: [
        {
          resource: INSTANCE_ID,
          attribute: 'autoScaling:web:lifecycleState',
          before: 'InService',
          after: 'Standby',
        },
      ],
    });
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
  });

  it('refuses an exempt instance with ExemptResourceError, before any change', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] })] }],
    });

    await expect(
      runAction(
        detachFromAutoScaling,
        { ...envelope(), instanceId: INSTANCE_ID },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
  });

  it('turns a throttled EnterStandby into ThrottledError, which Step Functions retries', async () => {
    autoScaling.on(EnterStandbyCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(
      runAction(
        detachFromAutoScaling,
        { ...envelope(), instanceId: INSTANCE_ID },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ThrottledError', retryable: true, awsError: 'Throttling' });
  });

  // Issue 18: the sentence the responder reads for each lifecycle state, and the refused EnterStandby.
  const detach = () =>
    runAction(detachFromAutoScaling, { ...envelope(), instanceId: INSTANCE_ID }, actionEnvironment(clients));

  it('says what Standby does to the group and its load balancers', async () => {
    const outcome = await detach();
    expect(outcome.notes).toEqual([
      `web keeps its desired capacity: it launches a replacement for ${INSTANCE_ID}.`,
      'Entering Standby also deregisters the instance from the load balancers and target groups attached to the group.',
    ]);
    expect(outcome.changes).toEqual([
      {
        resource: INSTANCE_ID,
        attribute: 'autoScaling:web:lifecycleState',
        before: 'InService',
        after: 'Standby',
      },
    ]);
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      autoScalingGroupName: 'web',
      lifecycleState: 'Standby',
    });
  });

  it.each(['Standby', 'EnteringStandby', 'Detaching', 'Detached'])(
    'leaves an instance that is %s alone, saying why',
    async (state) => {
      autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [member(state)] });
      const outcome = await detach();
      expect(outcome.status).toBe('already-done');
      expect(outcome.notes).toEqual([
        `${INSTANCE_ID} is already ${state} in Auto Scaling group web: the group neither health-checks nor terminates it.`,
      ]);
      expect(outcome.output).toEqual({
        instanceId: INSTANCE_ID,
        autoScalingGroupName: 'web',
        lifecycleState: state,
      });
    },
  );

  it('says an instance outside any group has nothing to detach', async () => {
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    const outcome = await detach();
    expect(outcome.notes).toEqual([`${INSTANCE_ID} is in no Auto Scaling group: nothing to detach.`]);
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      autoScalingGroupName: null,
      lifecycleState: null,
    });
  });

  it.each([
    ['Pending:Wait', 'EventualConsistencyError', 'it can enter Standby once it is InService.'],
    [
      'Terminating:Wait',
      'ResourceGoneError',
      'the group is terminating it (termination protection does not stop an ASG).',
    ],
    ['Warmed:Running', 'ActionFailedError', 'Cordon cannot move it to Standby.'],
    ['ReadyPending', 'ActionFailedError', 'Cordon cannot move it to Standby.'],
    ['NotTerminating', 'ActionFailedError', 'Cordon cannot move it to Standby.'],
  ])('refuses an instance that is %s with %s, saying why', async (state, name, why) => {
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [member(state)] });
    await expect(detach()).rejects.toMatchObject({
      name,
      message: `${INSTANCE_ID} is ${state} in Auto Scaling group web: ${why}`,
    });
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
  });

  it('passes on a refused EnterStandby when the instance is still InService', async () => {
    autoScaling.on(EnterStandbyCommand).rejects(awsError('ValidationError', 'refused'));
    await expect(detach()).rejects.toMatchObject({ name: 'ActionFailedError' });
    expect(autoScaling).toHaveReceivedCommandTimes(DescribeAutoScalingInstancesCommand, 2);
  });

  it('passes on a refused EnterStandby when the instance has left its group meanwhile', async () => {
    autoScaling.on(EnterStandbyCommand).rejects(awsError('ValidationError', 'refused'));
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolvesOnce({ AutoScalingInstances: [member('InService')] })
      .resolves({ AutoScalingInstances: [] });
    // The refusal itself, not a failure to read the instance's state.
    await expect(detach()).rejects.toMatchObject({
      name: 'ActionFailedError',
      message: expect.stringContaining('ValidationError (refused)'),
    });
  });

  it('refuses an instance whose lifecycle state is not given, calling it unknown', async () => {
    // The SDK types both fields as possibly undefined.
    const stateless = { ...member('InService'), LifecycleState: undefined };
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [stateless] });
    await expect(detach()).rejects.toMatchObject({
      name: 'ActionFailedError',
      message: `${INSTANCE_ID} is unknown in Auto Scaling group web: Cordon cannot move it to Standby.`,
    });
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
  });

  it('treats a membership that names no group as no group', async () => {
    const groupless = { ...member('InService'), AutoScalingGroupName: undefined };
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [groupless] });
    const outcome = await detach();
    expect(outcome.notes).toEqual([`${INSTANCE_ID} is in no Auto Scaling group: nothing to detach.`]);
    expect(autoScaling).not.toHaveReceivedCommand(EnterStandbyCommand);
  });

  it('counts a refused EnterStandby as done when the instance has meanwhile left service, with its state', async () => {
    autoScaling.on(EnterStandbyCommand).rejects(awsError('ValidationError', 'not InService'));
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolvesOnce({ AutoScalingInstances: [member('InService')] })
      .resolves({ AutoScalingInstances: [member('Detaching')] });
    const outcome = await detach();
    expect(outcome.status).toBe('done');
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      autoScalingGroupName: 'web',
      lifecycleState: 'Detaching',
    });
  });

  it('does not look again after a refusal that is not a ValidationError', async () => {
    autoScaling.on(EnterStandbyCommand).rejects(awsError('AccessDenied', 'no'));
    await expect(detach()).rejects.toMatchObject({ name: 'AccessDeniedError' });
    expect(autoScaling).toHaveReceivedCommandTimes(DescribeAutoScalingInstancesCommand, 1);
  });
});
