import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { enableLogFileValidation } from '../../src/actions/enable-log-file-validation.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

/** Two trails without validation: the one a Config result names, and another that must stay as it is. */
function twoTrailsWithoutValidation(sandbox: Sandbox): void {
  sandbox.cloudTrail
    .addTrail({
      name: 'management-events',
      s3BucketName: 'org-logs',
      isMultiRegionTrail: true,
      kmsKeyId: 'alias/trail',
    })
    .addTrail({ name: 'app-audit', s3BucketName: 'app-logs' });
}

const input = { ...envelope(), trail: 'management-events' };

describe('enable-log-file-validation (against the sandbox account)', () => {
  it('turns validation on for the named trail only, every other setting and trail as it was', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoTrailsWithoutValidation(sandbox);
    const before = sandbox.cloudTrail.snapshot();

    // Act
    const outcome = await runAction(enableLogFileValidation, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    const after = sandbox.cloudTrail.snapshot();
    const arn = outcome.output.trail;
    expect(after.trails[arn]).toEqual({ ...before.trails[arn], logFileValidationEnabled: true });
    expect({ ...after.trails, [arn]: undefined }).toEqual({ ...before.trails, [arn]: undefined });
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoTrailsWithoutValidation(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(enableLogFileValidation, input, environment),
    );
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoTrailsWithoutValidation(sandbox);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(enableLogFileValidation, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
  });

  it('is released exactly: validation off again, the account as it was', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoTrailsWithoutValidation(sandbox);
    const before = sandbox.cloudTrail.snapshot();
    const environment = environmentOn(sandbox);
    await runAction(enableLogFileValidation, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(release.output.releasedSteps).toEqual(['enable-log-file-validation']);
    expect(sandbox.cloudTrail.snapshot()).toEqual(before);
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoTrailsWithoutValidation(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({ command: 'UpdateTrail', error: 'ThrottlingException', times: 1 });

    // Act
    const failed = runAction(enableLogFileValidation, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(enableLogFileValidation, input, environment);
    expect(retry.status).toBe('done');
    expect(sandbox.cloudTrail.findTrail('management-events')?.logFileValidationEnabled).toBe(true);
  });
});
