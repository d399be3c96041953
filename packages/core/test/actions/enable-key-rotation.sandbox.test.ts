import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import { enableKeyRotation } from '../../src/actions/enable-key-rotation.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const input = { ...envelope(), keyId: KEY_ID };

/** A key that does not rotate, beside an AWS managed key; the sandbox's KMS model. */
function keys() {
  const sandbox = testSandbox();
  sandbox.kms.addKey({ keyId: KEY_ID, rotation: false, aliases: ['orders'], tags: { team: 'payments' } });
  const managed = sandbox.kms.addKey({ keyManager: 'AWS', aliases: ['aws/s3'] });
  return { sandbox, managed };
}

describe('enable-key-rotation (against the sandbox account)', () => {
  it('turns rotation on with the yearly default, and changes no other key', async () => {
    // Prepare
    const { sandbox } = keys();
    const before = sandbox.kms.snapshot();

    // Act
    const outcome = await runAction(enableKeyRotation, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    const after = sandbox.kms.snapshot();
    expect(after.keys[KEY_ID]?.rotation?.periodInDays).toBe(365);
    expect({ ...after.keys, [KEY_ID]: before.keys[KEY_ID] }).toEqual(before.keys);
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const { sandbox } = keys();
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () => runAction(enableKeyRotation, input, environment));
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const { sandbox } = keys();

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(enableKeyRotation, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
  });

  it('refuses the AWS managed key, named, changing nothing', async () => {
    // Prepare
    const { sandbox, managed } = keys();

    // Act
    const refused = expectUnchanged(sandbox, () =>
      runAction(enableKeyRotation, { ...input, keyId: managed }, environmentOn(sandbox)),
    );

    // Assess
    await expect(refused).rejects.toThrow(/AWS managed key/);
  });

  it('refuses an asymmetric key and imported key material, named, changing nothing', async () => {
    // Prepare
    const { sandbox } = keys();
    const rsa = sandbox.kms.addKey({ keySpec: 'RSA_2048' });
    const imported = sandbox.kms.addKey({ origin: 'EXTERNAL' });

    // Act
    const asymmetric = expectUnchanged(sandbox, () =>
      runAction(enableKeyRotation, { ...input, keyId: rsa }, environmentOn(sandbox)),
    );
    const external = expectUnchanged(sandbox, () =>
      runAction(enableKeyRotation, { ...input, keyId: imported }, environmentOn(sandbox)),
    );

    // Assess
    await expect(asymmetric).rejects.toThrow(/RSA_2048 key/);
    await expect(external).rejects.toThrow(/origin EXTERNAL/);
  });

  it('is released exactly: rotation off again, every key as it was', async () => {
    // Prepare
    const { sandbox } = keys();
    const before = sandbox.kms.snapshot();
    const environment = environmentOn(sandbox);
    await runAction(enableKeyRotation, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(sandbox.kms.snapshot()).toEqual(before);
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const { sandbox } = keys();
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({ command: 'EnableKeyRotation', error: 'ThrottlingException', times: 1 });

    // Act
    const failed = runAction(enableKeyRotation, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(enableKeyRotation, input, environment);
    expect(retry.status).toBe('done');
    expect(sandbox.kms.findKey(KEY_ID)?.rotation).toBeDefined();
  });
});
