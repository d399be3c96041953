import { describe, expect, it } from 'vitest';
import { envelope, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import { enforcePasswordPolicy } from '../../src/actions/enforce-password-policy.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const input = { ...envelope(), accountId: TEST_ACCOUNT };

/** A weak policy with a minimum length stronger than the settings' 14. */
const WEAK = {
  MinimumPasswordLength: 16,
  RequireNumbers: true,
  AllowUsersToChangePassword: true,
  PasswordReusePrevention: 5,
};

describe('enforce-password-policy (against the sandbox account)', () => {
  it('raises the weak requirements, keeps the stricter length, and changes nothing else of IAM', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.iam.setPasswordPolicy(WEAK);
    const before = sandbox.iam.snapshot();

    // Act
    const outcome = await runAction(enforcePasswordPolicy, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    expect(sandbox.iam.snapshot()).toEqual({
      ...before,
      passwordPolicy: {
        minimumPasswordLength: 16,
        requireSymbols: true,
        requireNumbers: true,
        requireUppercaseCharacters: true,
        requireLowercaseCharacters: true,
        allowUsersToChangePassword: true,
        maxPasswordAge: 90,
        passwordReusePrevention: 24,
        hardExpiry: false,
      },
    });
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () => runAction(enforcePasswordPolicy, input, environment));
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.iam.setPasswordPolicy(WEAK);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(enforcePasswordPolicy, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
  });

  it('is released exactly: the weak policy back, every parameter as it was', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.iam.setPasswordPolicy(WEAK);
    const before = sandbox.iam.snapshot();
    const environment = environmentOn(sandbox);
    await runAction(enforcePasswordPolicy, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(sandbox.iam.snapshot()).toEqual(before);
  });

  it('is released exactly on an account that had no policy: deleted again', async () => {
    // Prepare
    const sandbox = testSandbox();
    const before = sandbox.iam.snapshot();
    const environment = environmentOn(sandbox);
    await runAction(enforcePasswordPolicy, input, environment);
    expect(sandbox.iam.snapshot().passwordPolicy).toBeDefined();

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(sandbox.iam.snapshot()).toEqual(before);
    expect(sandbox.iam.snapshot().passwordPolicy).toBeUndefined();
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({ command: 'UpdateAccountPasswordPolicy', error: 'Throttling', times: 1 });

    // Act
    const failed = runAction(enforcePasswordPolicy, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(enforcePasswordPolicy, input, environment);
    expect(retry.status).toBe('done');
    expect(sandbox.iam.snapshot().passwordPolicy?.minimumPasswordLength).toBe(14);
  });
});
