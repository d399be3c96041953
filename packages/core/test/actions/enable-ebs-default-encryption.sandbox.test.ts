import { describe, expect, it } from 'vitest';
import { envelope, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import { enableEbsDefaultEncryption } from '../../src/actions/enable-ebs-default-encryption.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const input = { ...envelope(), accountId: TEST_ACCOUNT };

describe('enable-ebs-default-encryption (against the sandbox account)', () => {
  it('turns the setting on and changes nothing else of the account', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.ec2.setEbsEncryptionByDefault(false);
    const before = sandbox.ec2.snapshot();

    // Act
    const outcome = await runAction(enableEbsDefaultEncryption, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    expect(sandbox.ec2.snapshot()).toEqual({ ...before, ebsEncryptionByDefault: true });
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(enableEbsDefaultEncryption, input, environment),
    );
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(enableEbsDefaultEncryption, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
  });

  it('is released exactly: off again, the account as it was', async () => {
    // Prepare
    const sandbox = testSandbox();
    const before = sandbox.ec2.snapshot();
    const environment = environmentOn(sandbox);
    await runAction(enableEbsDefaultEncryption, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(sandbox.ec2.snapshot()).toEqual(before);
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({
      command: 'EnableEbsEncryptionByDefault',
      error: 'RequestLimitExceeded',
      times: 1,
    });

    // Act
    const failed = runAction(enableEbsDefaultEncryption, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(enableEbsDefaultEncryption, input, environment);
    expect(retry.status).toBe('done');
    expect(sandbox.ec2.snapshot().ebsEncryptionByDefault).toBe(true);
  });
});
