import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import {
  anInstanceBehindLoadBalancers,
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  movableClock,
  testSandbox,
  WEB,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { deregisterFromLoadBalancers } from '../../src/actions/deregister-from-load-balancers.ts';
import { releaseInstance } from '../../src/actions/release-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const { instanceId: INSTANCE_ID, otherInstanceId: OTHER_ID } = WEB;

function seededSandbox() {
  // A clock the test can move: draining and health checks run on the sandbox's clock.
  const clock = movableClock();
  const sandbox = testSandbox({ clock });
  return { sandbox, clock, ...anInstanceBehindLoadBalancers(sandbox) };
}

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

    const outcome = await runAction(deregisterFromLoadBalancers, input, environmentOn(sandbox));

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
    const environment = environmentOn(sandbox);

    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(deregisterFromLoadBalancers, input, environment),
    );
  });

  it('changes nothing at all in dry-run', async () => {
    const { sandbox } = seededSandbox();
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(deregisterFromLoadBalancers, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    expect(outcome.status).toBe('dry-run');
  });

  it('has every registration back after release, healthy once the health checks pass', async () => {
    const { sandbox, clock, webGroup } = seededSandbox();
    const environment = environmentOn(sandbox);
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
    const environment = environmentOn(sandbox);
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
    const environment = environmentOn(sandbox);

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
