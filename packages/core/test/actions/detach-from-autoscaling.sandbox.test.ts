import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import {
  anInstanceInAutoScalingGroup,
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
  WEB,
} from '../../../../test/support/sandbox.ts';
import { detachFromAutoScaling } from '../../src/actions/detach-from-autoscaling.ts';
import { releaseInstance } from '../../src/actions/release-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const { instanceId: INSTANCE_ID, otherInstanceId: OTHER_ID } = WEB;

/** Two instances of the web fleet in Auto Scaling group `web` (min 2): the first, unless `inGroup` is false. */
function seededSandbox(options: { inGroup?: boolean } = {}) {
  const sandbox = testSandbox();
  anInstanceInAutoScalingGroup(sandbox, options);
  return sandbox;
}
const input = { ...envelope(), instanceId: INSTANCE_ID };

describe('detach-from-autoscaling (against the sandbox account)', () => {
  it('leaves the instance in Standby, the desired capacity unchanged and a replacement on its way', async () => {
    const sandbox = seededSandbox();

    await runAction(detachFromAutoScaling, input, environmentOn(sandbox));

    const group = sandbox.autoScaling.snapshot().groups.web;
    expect(group?.instances[INSTANCE_ID]?.lifecycleState).toBe('Standby');
    expect(group?.instances[OTHER_ID]?.lifecycleState).toBe('InService');
    expect(group?.desiredCapacity).toBe(2);
    expect(group?.replacementsPending).toBe(1);
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toEqual(['EnterStandby']);
  });

  it('leaves an instance that is in no group alone', async () => {
    const sandbox = seededSandbox({ inGroup: false });
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(detachFromAutoScaling, input, environmentOn(sandbox)),
    );

    expect(outcome.status).toBe('already-done');
  });

  it('changes nothing the second time', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);

    await expectSecondRunChangesNothing(sandbox, () => runAction(detachFromAutoScaling, input, environment));
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(detachFromAutoScaling, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    expect(outcome.status).toBe('dry-run');
  });

  it('is back in service after release', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);
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
    const environment = environmentOn(sandbox);

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
    const environment = environmentOn(sandbox);

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
