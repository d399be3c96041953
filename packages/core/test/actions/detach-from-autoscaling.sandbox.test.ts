import { describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  sandboxClients,
  TEST_INCIDENT,
  TEST_NOW,
} from '../../../../test/support/actions.ts';
import { createSandbox } from '../../../local/src/sandbox/index.ts';
import { detachFromAutoScaling } from '../../src/actions/detach-from-autoscaling.ts';
import { releaseInstance } from '../../src/actions/release-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const OTHER_ID = 'i-0abc1234def567891';
const VPC_ID = 'vpc-0123456789abcdef0';

function seededSandbox(options: { inGroup?: boolean } = {}) {
  const sandbox = createSandbox({ now: () => TEST_NOW });
  sandbox.ec2.addVpc({ vpcId: VPC_ID });
  const web = sandbox.ec2.addSecurityGroup({ groupName: 'web', vpcId: VPC_ID });
  for (const [index, instanceId] of [INSTANCE_ID, OTHER_ID].entries()) {
    sandbox.ec2.addInstance({
      instanceId,
      vpcId: VPC_ID,
      subnetId: 'subnet-0123456789abcdef0',
      networkInterfaces: [{ networkInterfaceId: `eni-0123456789abcdef${index}`, groupIds: [web] }],
      tags: { Name: `web-${index}` },
    });
  }
  sandbox.autoScaling.addGroup({
    name: 'web',
    minSize: 2,
    maxSize: 4,
    instances:
      (options.inGroup ?? true)
        ? [{ instanceId: INSTANCE_ID }, { instanceId: OTHER_ID }]
        : [{ instanceId: OTHER_ID }],
  });
  return sandbox;
}

const input = { ...envelope(), instanceId: INSTANCE_ID };

describe('detach-from-autoscaling (against the sandbox account)', () => {
  it('leaves the instance in Standby, the desired capacity unchanged and a replacement on its way', async () => {
    const sandbox = seededSandbox();

    await runAction(detachFromAutoScaling, input, actionEnvironment(sandboxClients(sandbox.account)));

    const group = sandbox.autoScaling.snapshot().groups.web;
    expect(group?.instances[INSTANCE_ID]?.lifecycleState).toBe('Standby');
    expect(group?.instances[OTHER_ID]?.lifecycleState).toBe('InService');
    expect(group?.desiredCapacity).toBe(2);
    expect(group?.replacementsPending).toBe(1);
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toEqual(['EnterStandby']);
  });

  it('leaves an instance that is in no group alone', async () => {
    const sandbox = seededSandbox({ inGroup: false });
    const before = sandbox.account.snapshot();

    const outcome = await runAction(
      detachFromAutoScaling,
      input,
      actionEnvironment(sandboxClients(sandbox.account)),
    );

    expect(outcome.status).toBe('already-done');
    expect(sandbox.account.snapshot()).toEqual(before);
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });

  it('changes nothing the second time', async () => {
    const sandbox = seededSandbox();
    const environment = actionEnvironment(sandboxClients(sandbox.account));
    await runAction(detachFromAutoScaling, input, environment);
    const after = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const second = await runAction(detachFromAutoScaling, input, environment);

    expect(second.status).toBe('already-done');
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const before = sandbox.account.snapshot();

    const outcome = await runAction(
      detachFromAutoScaling,
      { ...input, dryRun: true },
      actionEnvironment(sandboxClients(sandbox.account)),
    );

    expect(outcome.status).toBe('dry-run');
    expect(sandbox.account.snapshot()).toEqual(before);
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });

  it('is back in service after release', async () => {
    const sandbox = seededSandbox();
    const environment = actionEnvironment(sandboxClients(sandbox.account));
    const before = sandbox.autoScaling.snapshot().groups.web;
    await runAction(detachFromAutoScaling, input, environment);

    const released = await runAction(releaseInstance, input, environment);

    const after = sandbox.autoScaling.snapshot().groups.web;
    expect(released.status).toBe('done');
    expect(after?.instances).toEqual(before?.instances);
    // Legitimately different: ExitStandby raises the desired capacity by one (2 → 3), and the replacement
    // the group launched while the instance was in Standby is not taken back; the group scales in later.
    expect(after?.desiredCapacity).toBe(3);
    expect(after?.replacementsPending).toBe(1);
  });

  it('surfaces a throttled EnterStandby as ThrottledError with the instance still in service, and finishes on retry', async () => {
    const sandbox = seededSandbox();
    sandbox.account.injectFault({
      service: 'AutoScaling',
      command: 'EnterStandby',
      error: 'Throttling',
      times: 1,
    });
    const environment = actionEnvironment(sandboxClients(sandbox.account));

    await expect(runAction(detachFromAutoScaling, input, environment)).rejects.toMatchObject({
      name: 'ThrottledError',
      retryable: true,
    });
    expect(sandbox.autoScaling.snapshot().groups.web?.instances[INSTANCE_ID]?.lifecycleState).toBe(
      'InService',
    );
    expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
      'planned',
      'failed',
    ]);

    const retried = await runAction(detachFromAutoScaling, input, environment);

    expect(retried.status).toBe('done');
    expect(sandbox.autoScaling.snapshot().groups.web?.instances[INSTANCE_ID]?.lifecycleState).toBe('Standby');
  });

  it('surfaces a denied EnterStandby as AccessDeniedError (terminal), nothing reported as done', async () => {
    const sandbox = seededSandbox();
    sandbox.account.injectFault({ service: 'AutoScaling', command: 'EnterStandby', error: 'AccessDenied' });
    const environment = actionEnvironment(sandboxClients(sandbox.account));

    await expect(runAction(detachFromAutoScaling, input, environment)).rejects.toMatchObject({
      name: 'AccessDeniedError',
      retryable: false,
    });
    const outcomes = (await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome);
    expect(outcomes).not.toContain('done');
    expect(sandbox.autoScaling.snapshot().groups.web?.instances[INSTANCE_ID]?.lifecycleState).toBe(
      'InService',
    );
  });
});
