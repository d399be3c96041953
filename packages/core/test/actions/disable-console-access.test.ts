import {
  CreateLoginProfileCommand,
  DeleteLoginProfileCommand,
  GetLoginProfileCommand,
  ListUserTagsCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import { disableConsoleAccess } from '../../src/actions/disable-console-access.ts';
import { runAction } from '../../src/actions/run-action.ts';

const USER = 'alice';
const CREATED = new Date('2026-01-05T08:00:00.000Z');

function awsError(name: string, code: string, message = code) {
  return Object.assign(new Error(message), { name, Code: code });
}

describe('disable-console-access (commands sent)', () => {
  const clients = realClients();
  const iam = mockClient(clients.iam);

  beforeEach(() => {
    iam.reset();
    iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });
    iam.on(GetLoginProfileCommand).resolves({
      LoginProfile: { UserName: USER, CreateDate: CREATED, PasswordResetRequired: true },
    });
    iam.on(DeleteLoginProfileCommand).resolves({});
  });

  it('removes console access and records that it existed', async () => {
    const environment = actionEnvironment(clients);

    const outcome = await runAction(disableConsoleAccess, { ...envelope(), userName: USER }, environment);

    expect(outcome).toMatchObject({ status: 'done', output: { userName: USER, hadLoginProfile: true } });
    expect(iam).toHaveReceivedCommandTimes(DeleteLoginProfileCommand, 1);
    expect(iam).toHaveReceivedCommandWith(DeleteLoginProfileCommand, { UserName: USER });
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'done']);
    expect(entries[0]?.restore).toEqual({
      userName: USER,
      hadLoginProfile: true,
      passwordResetRequired: true,
    });
    expect(entries[0]?.changes).toEqual([
      {
        resource: USER,
        attribute: 'loginProfile',
        before: { passwordResetRequired: true, createDate: CREATED.toISOString() },
        after: null,
      },
    ]);
  });

  it('never sets a password: no CreateLoginProfile or UpdateLoginProfile is sent or granted', async () => {
    await runAction(disableConsoleAccess, { ...envelope(), userName: USER }, actionEnvironment(clients));

    expect(iam).not.toHaveReceivedCommand(CreateLoginProfileCommand);
    expect(iam).not.toHaveReceivedCommand(UpdateLoginProfileCommand);
    expect(disableConsoleAccess.permissions.flatMap((permission) => permission.actions)).toEqual([
      'iam:ListUserTags',
      'iam:GetLoginProfile',
      'iam:DeleteLoginProfile',
    ]);
  });

  it('treats a user without a console password as done, and says so', async () => {
    iam
      .on(GetLoginProfileCommand)
      .rejects(
        awsError('NoSuchEntityException', 'NoSuchEntity', 'Login Profile for User alice cannot be found.'),
      );

    const outcome = await runAction(
      disableConsoleAccess,
      { ...envelope(), userName: USER },
      actionEnvironment(clients),
    );

    expect(outcome).toMatchObject({ status: 'already-done', output: { hadLoginProfile: false } });
    expect(outcome.notes).toEqual([expect.stringContaining('no console access')]);
    expect(iam).not.toHaveReceivedCommand(DeleteLoginProfileCommand);
  });

  it('treats a login profile gone between the read and the delete as done', async () => {
    iam.on(DeleteLoginProfileCommand).rejects(awsError('NoSuchEntityException', 'NoSuchEntity'));

    const outcome = await runAction(
      disableConsoleAccess,
      { ...envelope(), userName: USER },
      actionEnvironment(clients),
    );

    expect(outcome.status).toBe('done');
  });

  it('reports a user that no longer exists as ResourceGoneError, before reading its password', async () => {
    iam.on(ListUserTagsCommand).rejects(awsError('NoSuchEntityException', 'NoSuchEntity'));

    await expect(
      runAction(disableConsoleAccess, { ...envelope(), userName: USER }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'ResourceGoneError' });
    expect(iam).not.toHaveReceivedCommand(GetLoginProfileCommand);
  });

  it('refuses an exempt or break-glass user before any change', async () => {
    await expect(
      runAction(
        disableConsoleAccess,
        { ...envelope(), userName: 'breakglass' },
        actionEnvironment(clients, { breakGlassPrincipals: ['breakglass'] }),
      ),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });

    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] });
    await expect(
      runAction(disableConsoleAccess, { ...envelope(), userName: USER }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(iam).not.toHaveReceivedCommand(DeleteLoginProfileCommand);
  });

  it('makes no mutating call in dry-run', async () => {
    const outcome = await runAction(
      disableConsoleAccess,
      { ...envelope(true), userName: USER },
      actionEnvironment(clients),
    );

    expect(outcome).toMatchObject({
      status: 'dry-run',
      changes: [{ attribute: 'loginProfile', after: null }],
    });
    expect(iam).not.toHaveReceivedCommand(DeleteLoginProfileCommand);
  });

  it('retries a user IAM holds as temporarily unmodifiable (EventualConsistencyError)', async () => {
    iam
      .on(DeleteLoginProfileCommand)
      .rejects(awsError('EntityTemporarilyUnmodifiableException', 'EntityTemporarilyUnmodifiable'));

    await expect(
      runAction(disableConsoleAccess, { ...envelope(), userName: USER }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'EventualConsistencyError', retryable: true });
    expect(disableConsoleAccess.retryableErrors).toContain('EventualConsistencyError');
  });

  it('rejects a malformed user name without calling AWS', async () => {
    await expect(
      runAction(disableConsoleAccess, { ...envelope(), userName: 'not a user' }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  // Issue 18: what the responder reads, and the failures that are not "no password".
  it('says exactly why nothing is removed, and why the password cannot come back', async () => {
    iam
      .on(GetLoginProfileCommand)
      .rejectsOnce(awsError('NoSuchEntityException', 'NoSuchEntity'))
      .resolves({ LoginProfile: { UserName: USER, CreateDate: CREATED, PasswordResetRequired: true } });
    const none = await runAction(
      disableConsoleAccess,
      { ...envelope(), userName: USER },
      actionEnvironment(clients),
    );
    expect(none.notes).toEqual([
      `IAM user ${USER} has no console access (no login profile): nothing to remove.`,
    ]);
    expect(none.output).toEqual({ userName: USER, hadLoginProfile: false });
    const removed = await runAction(
      disableConsoleAccess,
      { ...envelope(), userName: USER },
      actionEnvironment(clients),
    );
    expect(removed.notes).toEqual([
      'The console password cannot be restored: a new one must be set by an administrator.',
    ]);
  });

  it('records a profile without a reset flag or creation date as it was', async () => {
    iam.on(GetLoginProfileCommand).resolves({ LoginProfile: { UserName: USER } as never });
    const environment = actionEnvironment(clients);
    const outcome = await runAction(disableConsoleAccess, { ...envelope(), userName: USER }, environment);
    expect(outcome.changes).toEqual([
      { resource: USER, attribute: 'loginProfile', before: { passwordResetRequired: false }, after: null },
    ]);
    expect((await environment.ledger.entries(TEST_INCIDENT))[0]?.restore).toEqual({
      userName: USER,
      hadLoginProfile: true,
      passwordResetRequired: false,
    });
  });

  it('passes on a refused read of the password as the access error it is, changing nothing', async () => {
    iam
      .on(GetLoginProfileCommand)
      .rejects(awsError('AccessDeniedException', 'AccessDenied', 'no GetLoginProfile'));
    await expect(
      runAction(disableConsoleAccess, { ...envelope(), userName: USER }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'AccessDeniedError' });
    expect(iam).not.toHaveReceivedCommand(DeleteLoginProfileCommand);
  });

  it('reports a refused delete as terminal, naming the call', async () => {
    iam
      .on(DeleteLoginProfileCommand)
      .rejects(awsError('AccessDeniedException', 'AccessDenied', 'explicit deny'));
    await expect(
      runAction(disableConsoleAccess, { ...envelope(), userName: USER }, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: 'disable-console-access: DeleteLoginProfile failed: AccessDenied (explicit deny)',
    });
  });
});
