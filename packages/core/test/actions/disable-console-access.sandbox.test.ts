import { describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  sandboxClients,
  TEST_INCIDENT,
  TEST_NOW,
} from '../../../../test/support/actions.ts';
import { createSandbox, type Sandbox } from '../../../local/src/sandbox/index.ts';
import { disableConsoleAccess } from '../../src/actions/disable-console-access.ts';
import { runAction } from '../../src/actions/run-action.ts';

function seededSandbox(): Sandbox {
  const sandbox = createSandbox({ now: () => TEST_NOW });
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
    const environment = actionEnvironment(sandboxClients(sandbox.account));

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
    const environment = actionEnvironment(sandboxClients(sandbox.account));
    await runAction(disableConsoleAccess, { ...envelope(), userName: 'alice' }, environment);
    const after = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const second = await runAction(disableConsoleAccess, { ...envelope(), userName: 'alice' }, environment);

    expect(second.status).toBe('already-done');
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
  });

  it('changes nothing for a user that never had console access', async () => {
    const sandbox = seededSandbox();
    const before = sandbox.account.snapshot();

    const outcome = await runAction(
      disableConsoleAccess,
      { ...envelope(), userName: 'bot' },
      actionEnvironment(sandboxClients(sandbox.account)),
    );

    expect(outcome).toMatchObject({ status: 'already-done', output: { hadLoginProfile: false } });
    expect(sandbox.account.snapshot()).toEqual(before);
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const before = sandbox.account.snapshot();

    await runAction(
      disableConsoleAccess,
      { ...envelope(true), userName: 'alice' },
      actionEnvironment(sandboxClients(sandbox.account)),
    );

    expect(sandbox.account.snapshot()).toEqual(before);
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });

  it('refuses an exempt user, leaving its password', async () => {
    const sandbox = seededSandbox();

    await expect(
      runAction(
        disableConsoleAccess,
        { ...envelope(), userName: 'root-admin' },
        actionEnvironment(sandboxClients(sandbox.account)),
      ),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(hasPassword(sandbox, 'root-admin')).toBe(true);
  });

  it('reports a user that does not exist as ResourceGoneError', async () => {
    const sandbox = seededSandbox();
    await expect(
      runAction(
        disableConsoleAccess,
        { ...envelope(), userName: 'nobody' },
        actionEnvironment(sandboxClients(sandbox.account)),
      ),
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
      const environment = actionEnvironment(sandboxClients(sandbox.account));

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
        runAction(
          disableConsoleAccess,
          { ...envelope(), userName: 'alice' },
          actionEnvironment(sandboxClients(sandbox.account)),
        ),
      ).rejects.toMatchObject({ name: 'TransientServiceError', retryable: true });
      expect(sandbox.account.mutatingCalls()).toEqual([]);
    });

    it('surfaces AccessDenied as AccessDeniedError (terminal), recorded as failed', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({ service: 'IAM', command: 'DeleteLoginProfile', error: 'AccessDenied' });
      const environment = actionEnvironment(sandboxClients(sandbox.account));

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
