import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { disableConsoleAccess } from '../../src/actions/disable-console-access.ts';
import { runAction } from '../../src/actions/run-action.ts';

function seededSandbox(): Sandbox {
  const sandbox = testSandbox();
  sandbox.iam
    .addUser({ userName: 'alice', loginProfile: true, accessKeys: [{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }] })
    .addUser({ userName: 'bot', accessKeys: [{ accessKeyId: 'AKIAI44QH8DHBEXAMPLE' }] })
    .addUser({ userName: 'root-admin', loginProfile: true, tags: { 'cordon:exempt': 'true' } });
  return sandbox;
}

const hasPassword = (sandbox: Sandbox, userName: string) =>
  sandbox.iam.snapshot().users[userName]?.loginProfile !== undefined;

describe('disable-console-access (against the sandbox account)', () => {
  it('removes console access and records that it existed', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);

    await runAction(disableConsoleAccess, { ...envelope(), userName: 'alice' }, environment);

    expect(hasPassword(sandbox, 'alice')).toBe(false);
    // Only the password: the user and its keys stay.
    expect(sandbox.iam.accessKeys('alice').map((key) => key.status)).toEqual(['Active']);
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toEqual(['DeleteLoginProfile']);
    expect((await environment.ledger.entries(TEST_INCIDENT))[0]?.restore).toEqual({
      userName: 'alice',
      hadLoginProfile: true,
      passwordResetRequired: false,
    });
  });

  it('changes nothing the second time', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);

    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(disableConsoleAccess, { ...envelope(), userName: 'alice' }, environment),
    );
  });

  it('changes nothing for a user that never had console access', async () => {
    const sandbox = seededSandbox();
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(disableConsoleAccess, { ...envelope(), userName: 'bot' }, environmentOn(sandbox)),
    );

    expect(outcome).toMatchObject({ status: 'already-done', output: { hadLoginProfile: false } });
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    await expectUnchanged(sandbox, () =>
      runAction(disableConsoleAccess, { ...envelope(true), userName: 'alice' }, environmentOn(sandbox)),
    );
  });

  it('refuses an exempt user, leaving its password', async () => {
    const sandbox = seededSandbox();

    await expect(
      runAction(disableConsoleAccess, { ...envelope(), userName: 'root-admin' }, environmentOn(sandbox)),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(hasPassword(sandbox, 'root-admin')).toBe(true);
  });

  it('reports a user that does not exist as ResourceGoneError', async () => {
    const sandbox = seededSandbox();
    await expect(
      runAction(disableConsoleAccess, { ...envelope(), userName: 'nobody' }, environmentOn(sandbox)),
    ).rejects.toMatchObject({ name: 'ResourceGoneError', retryable: false });
  });

  describe('fault injection', () => {
    it('surfaces throttling as ThrottledError with the password still there, and a retry removes it', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({
        service: 'IAM',
        command: 'DeleteLoginProfile',
        error: 'Throttling',
        times: 1,
      });
      const environment = environmentOn(sandbox);

      await expect(
        runAction(disableConsoleAccess, { ...envelope(), userName: 'alice' }, environment),
      ).rejects.toMatchObject({ name: 'ThrottledError', retryable: true });
      expect(hasPassword(sandbox, 'alice')).toBe(true);

      const retried = await runAction(
        disableConsoleAccess,
        { ...envelope(), userName: 'alice' },
        environment,
      );

      expect(retried.status).toBe('done');
      expect(hasPassword(sandbox, 'alice')).toBe(false);
    });

    it('surfaces a 5xx on the read as TransientServiceError, before any change', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({ service: 'IAM', command: 'GetLoginProfile', error: 'InternalError' });

      await expect(
        runAction(disableConsoleAccess, { ...envelope(), userName: 'alice' }, environmentOn(sandbox)),
      ).rejects.toMatchObject({ name: 'TransientServiceError', retryable: true });
      expect(sandbox.account.mutatingCalls()).toEqual([]);
    });

    it('surfaces AccessDenied as AccessDeniedError (terminal), recorded as failed', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({ service: 'IAM', command: 'DeleteLoginProfile', error: 'AccessDenied' });
      const environment = environmentOn(sandbox);

      await expect(
        runAction(disableConsoleAccess, { ...envelope(), userName: 'alice' }, environment),
      ).rejects.toMatchObject({ name: 'AccessDeniedError', retryable: false });
      expect(hasPassword(sandbox, 'alice')).toBe(true);
      expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
        'planned',
        'failed',
      ]);
    });
  });
});
