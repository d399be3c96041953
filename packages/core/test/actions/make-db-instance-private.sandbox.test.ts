import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { makeDbInstancePrivate } from '../../src/actions/make-db-instance-private.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const RESOURCE_ID = 'db-ORDERS7Q2XK4M5N6P7R8S9T0UV';

/** Two public instances: the one a Config result names (by resource id), and another that must stay as it is. */
function twoPublicInstances(sandbox: Sandbox): void {
  sandbox.rds
    .addInstance({
      identifier: 'orders',
      resourceId: RESOURCE_ID,
      publiclyAccessible: true,
      tags: { team: 'orders' },
    })
    .addInstance({ identifier: 'reporting', publiclyAccessible: true });
}

const input = { ...envelope(), dbiResourceId: RESOURCE_ID };

describe('make-db-instance-private (against the sandbox account)', () => {
  it('makes the named instance private, every other setting and instance as it was', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoPublicInstances(sandbox);
    const before = sandbox.rds.snapshot();

    // Act
    const outcome = await runAction(makeDbInstancePrivate, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    expect(outcome.output).toEqual({
      dbInstanceIdentifier: 'orders',
      dbiResourceId: RESOURCE_ID,
      madePrivate: true,
    });
    const after = sandbox.rds.snapshot();
    expect(after.instances.orders).toEqual({ ...before.instances.orders, publiclyAccessible: false });
    expect(after.instances.reporting).toEqual(before.instances.reporting);
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoPublicInstances(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () => runAction(makeDbInstancePrivate, input, environment));
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoPublicInstances(sandbox);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(makeDbInstancePrivate, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
  });

  it('refuses an exempt instance, with nothing changed', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.rds.addInstance({
      identifier: 'orders',
      resourceId: RESOURCE_ID,
      publiclyAccessible: true,
      tags: { 'cordon:exempt': 'true' },
    });

    // Act + Assess
    await expectUnchanged(sandbox, () =>
      expect(runAction(makeDbInstancePrivate, input, environmentOn(sandbox))).rejects.toMatchObject({
        name: 'ExemptResourceError',
      }),
    );
  });

  it('is released exactly: the instance public again, the account as it was', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoPublicInstances(sandbox);
    const before = sandbox.rds.snapshot();
    const environment = environmentOn(sandbox);
    await runAction(makeDbInstancePrivate, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(release.output.releasedSteps).toEqual(['make-db-instance-private']);
    expect(sandbox.rds.snapshot()).toEqual(before);
  });

  it('reports a busy instance as retryable, records the failure, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoPublicInstances(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({ command: 'ModifyDBInstance', error: 'InvalidDBInstanceState', times: 1 });

    // Act
    const failed = runAction(makeDbInstancePrivate, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'EventualConsistencyError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(makeDbInstancePrivate, input, environment);
    expect(retry.status).toBe('done');
    expect(sandbox.rds.snapshot().instances.orders?.publiclyAccessible).toBe(false);
  });
});
