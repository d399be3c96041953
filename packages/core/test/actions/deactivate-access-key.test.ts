import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
  type User,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  realClients,
  TEST_INCIDENT,
  TEST_NOW,
} from '../../../../test/support/actions.ts';
import { deactivateAccessKey } from '../../src/actions/deactivate-access-key.ts';
import { runAction } from '../../src/actions/run-action.ts';

const USER = 'alice';
const USER_ID = 'AIDAJQABLZS4A3QDU576Q';
const COMPROMISED_KEY = 'AKIAIOSFODNN7EXAMPLE';
const OTHER_KEY = 'AKIAI44QH8DHBEXAMPLE';
const daysAgo = (days: number) => new Date(TEST_NOW.getTime() - days * 86_400_000);

function user(UserName: string, UserId: string): User {
  return {
    UserName,
    UserId,
    Path: '/',
    Arn: `arn:aws:iam::123456789012:user/${UserName}`,
    CreateDate: daysAgo(900),
  };
}

function awsError(name: string, code: string, message = code) {
  return Object.assign(new Error(message), { name, Code: code });
}

describe('deactivate-access-key (commands sent)', () => {
  const clients = realClients();
  const iam = mockClient(clients.iam);

  beforeEach(() => {
    iam.reset();
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: 'team', Value: 'payments' }], IsTruncated: false });
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [
        { UserName: USER, AccessKeyId: COMPROMISED_KEY, Status: 'Active', CreateDate: daysAgo(10) },
        { UserName: USER, AccessKeyId: OTHER_KEY, Status: 'Active', CreateDate: daysAgo(200) },
      ],
      IsTruncated: false,
    });
    iam.on(UpdateAccessKeyCommand).resolves({});
  });

  it('deactivates only the key named in the finding', async () => {
    const outcome = await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
      actionEnvironment(clients),
    );

    expect(outcome).toMatchObject({
      status: 'done',
      output: { userName: USER, accessKeyIds: [COMPROMISED_KEY] },
      changes: [{ resource: COMPROMISED_KEY, attribute: 'status', before: 'Active', after: 'Inactive' }],
    });
    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
      UserName: USER,
      AccessKeyId: COMPROMISED_KEY,
      Status: 'Inactive',
    });
  });

  it('never deletes a key', async () => {
    await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
      actionEnvironment(clients),
    );
    await runAction(deactivateAccessKey, { ...envelope(), userName: USER }, actionEnvironment(clients));

    expect(iam).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
    const granted = deactivateAccessKey.permissions.flatMap((permission) => permission.actions);
    expect(granted).not.toContain('iam:DeleteAccessKey');
  });

  it('resolves the user with GetAccessKeyLastUsed when the finding lacks it', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({
      UserName: USER,
      AccessKeyLastUsed: { ServiceName: 's3', Region: 'us-east-1', LastUsedDate: daysAgo(1) },
    });

    const outcome = await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY },
      actionEnvironment(clients),
    );

    expect(iam).toHaveReceivedCommandWith(GetAccessKeyLastUsedCommand, { AccessKeyId: COMPROMISED_KEY });
    expect(iam).toHaveReceivedCommandWith(ListUserTagsCommand, { UserName: USER });
    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
      UserName: USER,
      AccessKeyId: COMPROMISED_KEY,
      Status: 'Inactive',
    });
    expect(outcome.notes).toContain(
      `The finding did not name the key's user: GetAccessKeyLastUsed says ${USER}.`,
    );
  });

  it('does not look the user up when the finding names it', async () => {
    await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
      actionEnvironment(clients),
    );
    expect(iam).not.toHaveReceivedCommand(GetAccessKeyLastUsedCommand);
  });

  it('treats a key that is already inactive as done, without calling UpdateAccessKey', async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: USER, AccessKeyId: COMPROMISED_KEY, Status: 'Inactive' }],
    });

    const outcome = await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
      actionEnvironment(clients),
    );

    expect(outcome).toMatchObject({ status: 'already-done', changes: [] });
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('reports a key the user does not have as ResourceGoneError (terminal)', async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: USER, AccessKeyId: OTHER_KEY, Status: 'Active' }],
    });

    await expect(
      runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ResourceGoneError', retryable: false });
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('reports a user that no longer exists as ResourceGoneError', async () => {
    iam
      .on(ListUserTagsCommand)
      .rejects(
        awsError('NoSuchEntityException', 'NoSuchEntity', 'The user with name alice cannot be found.'),
      );

    await expect(
      runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ResourceGoneError', awsError: 'NoSuchEntity' });
  });

  it('refuses a break-glass user before reading or changing anything', async () => {
    await expect(
      runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: 'breakglass' },
        actionEnvironment(clients, { breakGlassPrincipals: ['arn:aws:iam::123456789012:user/breakglass'] }),
      ),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('refuses a user carrying the exemption tag, read live, before any change', async () => {
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] });

    await expect(
      runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({
      name: 'ExemptResourceError',
      message: `IAM user ${USER} carries the exemption tag cordon:exempt=true: Cordon notifies and never acts on it.`,
    });
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('reads every page of the user tags before deciding', async () => {
    iam
      .on(ListUserTagsCommand)
      .resolvesOnce({ Tags: [{ Key: 'team', Value: 'payments' }], IsTruncated: true, Marker: 'page-2' })
      .resolvesOnce({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }], IsTruncated: false });

    await expect(
      runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(iam).toHaveReceivedCommandWith(ListUserTagsCommand, { UserName: USER, Marker: 'page-2' });
  });

  it('makes no mutating call in dry-run, and reports what it would change', async () => {
    const outcome = await runAction(
      deactivateAccessKey,
      { ...envelope(true), accessKeyId: COMPROMISED_KEY, userName: USER },
      actionEnvironment(clients),
    );

    expect(outcome).toMatchObject({
      status: 'dry-run',
      changes: [{ resource: COMPROMISED_KEY, attribute: 'status', after: 'Inactive' }],
    });
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('records which keys it deactivates in the ledger before changing them', async () => {
    const environment = actionEnvironment(clients);
    await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
      environment,
    );

    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'done']);
    expect(entries[0]?.restore).toEqual({
      userName: USER,
      keys: [{ accessKeyId: COMPROMISED_KEY, status: 'Active' }],
    });
  });

  it('turns throttling into ThrottledError, which Step Functions retries', async () => {
    iam.on(UpdateAccessKeyCommand).rejects(awsError('Throttling', 'Throttling', 'Rate exceeded'));

    const error = await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
      actionEnvironment(clients),
    ).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ThrottledError',
      retryable: true,
      partial: { done: [], notDone: [COMPROMISED_KEY] },
    });
    expect(deactivateAccessKey.retryableErrors).toContain('ThrottledError');
  });

  it('rejects a temporary (ASIA…) key with InvalidActionInputError, without calling AWS', async () => {
    await expect(
      runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: 'ASIAIOSFODNN7EXAMPLE' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('rejects an input that names neither a key nor a user', async () => {
    await expect(
      runAction(deactivateAccessKey, { ...envelope() }, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'InvalidActionInputError',
      message: expect.stringContaining('accessKeyId'),
    });
  });

  it('rejects an input that mixes the two modes', async () => {
    await expect(
      runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, staleAfterDays: 30 },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
  });

  describe('stale credentials', () => {
    beforeEach(() => {
      iam.on(ListUsersCommand).resolves({
        Users: [user('bob', 'AIDAEXAMPLEBOB0000001'), user(USER, USER_ID)],
        IsTruncated: false,
      });
      iam.on(ListAccessKeysCommand).resolves({
        AccessKeyMetadata: [
          { UserName: USER, AccessKeyId: 'AKIAOLDACTIVE0000001', Status: 'Active', CreateDate: daysAgo(120) },
          {
            UserName: USER,
            AccessKeyId: 'AKIAOLDINACTIVE00001',
            Status: 'Inactive',
            CreateDate: daysAgo(400),
          },
          { UserName: USER, AccessKeyId: 'AKIANEWACTIVE0000001', Status: 'Active', CreateDate: daysAgo(89) },
        ],
        IsTruncated: false,
      });
    });

    it('deactivates only the stale keys named by the Config rule', async () => {
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userId: USER_ID },
        actionEnvironment(clients),
      );

      expect(iam).toHaveReceivedCommandWith(ListUserTagsCommand, { UserName: USER });
      expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
      expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
        UserName: USER,
        AccessKeyId: 'AKIAOLDACTIVE0000001',
        Status: 'Inactive',
      });
      expect(outcome.output).toEqual({
        userName: USER,
        accessKeyIds: ['AKIAOLDACTIVE0000001', 'AKIAOLDINACTIVE00001'],
      });
    });

    it('never deactivates a key in use for the unused-credentials rule, however old it is', async () => {
      iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIAOLDACTIVE0000001' }).resolves({
        UserName: USER,
        AccessKeyLastUsed: { LastUsedDate: daysAgo(1), ServiceName: 's3', Region: 'us-east-1' },
      });
      iam
        .on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIANEWACTIVE0000001' })
        .resolves({ UserName: USER });

      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userId: USER_ID, staleBy: 'last-use' },
        actionEnvironment(clients),
      );

      // The 120-day-old key was used yesterday; the 89-day-old one was never used and is not 90 days old yet.
      expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
      expect(outcome.status).toBe('already-done');
    });

    it('deactivates a key unused for longer than the threshold for the unused-credentials rule', async () => {
      iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIAOLDACTIVE0000001' }).resolves({
        UserName: USER,
        AccessKeyLastUsed: { LastUsedDate: daysAgo(95), ServiceName: 's3', Region: 'us-east-1' },
      });
      iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIANEWACTIVE0000001' }).resolves({
        UserName: USER,
        AccessKeyLastUsed: { LastUsedDate: daysAgo(2), ServiceName: 's3', Region: 'us-east-1' },
      });

      await runAction(
        deactivateAccessKey,
        { ...envelope(), userId: USER_ID, staleBy: 'last-use' },
        actionEnvironment(clients),
      );

      expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
      expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
        AccessKeyId: 'AKIAOLDACTIVE0000001',
        Status: 'Inactive',
      });
    });

    it('measures staleness from the time of the action and honours staleAfterDays', async () => {
      await runAction(
        deactivateAccessKey,
        { ...envelope(), userName: USER, staleAfterDays: 30 },
        actionEnvironment(clients),
      );

      expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 2);
      expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { AccessKeyId: 'AKIANEWACTIVE0000001' });
      expect(iam).not.toHaveReceivedCommand(ListUsersCommand);
    });

    it('finds the user on a later page of ListUsers', async () => {
      iam
        .on(ListUsersCommand)
        .resolvesOnce({ Users: [user('bob', 'AIDAEXAMPLEBOB0000001')], IsTruncated: true, Marker: 'm2' })
        .resolvesOnce({ Users: [user(USER, USER_ID)], IsTruncated: false });

      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userId: USER_ID },
        actionEnvironment(clients),
      );

      expect(iam).toHaveReceivedCommandWith(ListUsersCommand, { Marker: 'm2' });
      expect(outcome.output.userName).toBe(USER);
    });

    it('reports a user id no user has any more as ResourceGoneError', async () => {
      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), userId: 'AIDAGONEGONEGONE00001' },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({ name: 'ResourceGoneError' });
      expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    });

    it('refuses a user re-created under the same name (another id) as ResourceGoneError', async () => {
      iam.on(GetUserCommand).resolves({
        User: user(USER, 'AIDANEWUSER0000000001'),
      });

      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), userId: USER_ID, userName: USER },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({ name: 'ResourceGoneError' });
      expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    });

    it('reports which stale keys were deactivated when a later one fails', async () => {
      iam
        .on(UpdateAccessKeyCommand)
        .resolvesOnce({})
        .rejectsOnce(awsError('ServiceFailureException', 'ServiceFailure', 'Internal failure'));

      const error = await runAction(
        deactivateAccessKey,
        { ...envelope(), userName: USER, staleAfterDays: 30 },
        actionEnvironment(clients),
      ).catch((caught: unknown) => caught);

      expect(error).toMatchObject({
        name: 'TransientServiceError',
        message:
          'deactivate-access-key: UpdateAccessKey AKIANEWACTIVE0000001 failed: ServiceFailure (Internal failure)',
        partial: { done: ['AKIAOLDACTIVE0000001'], notDone: ['AKIANEWACTIVE0000001'] },
      });
    });
  });

  // Issue 18: the notes a responder reads, the input rules, paging, and the edges of "stale".
  describe('what it says and where it stops', () => {
    const keys = (...metadata: Array<{ id?: string; status?: 'Active' | 'Inactive'; created?: Date }>) =>
      iam.on(ListAccessKeysCommand).resolves({
        AccessKeyMetadata: metadata.map(({ id, status = 'Active', created }) => ({
          UserName: USER,
          ...(id === undefined ? {} : { AccessKeyId: id }),
          Status: status,
          ...(created === undefined ? {} : { CreateDate: created }),
        })),
        IsTruncated: false,
      });

    it.each([
      ['userId', { userId: USER_ID }],
      ['staleAfterDays', { staleAfterDays: 30 }],
      ['staleBy', { staleBy: 'last-use' }],
    ])('refuses a named key together with %s, naming the field', async (_field, extra) => {
      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), accessKeyId: COMPROMISED_KEY, ...extra },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidActionInputError',
        message:
          'deactivate-access-key: invalid input: accessKeyId: names one key: userId and staleAfterDays belong to the stale-credentials mode',
      });
      expect(iam.calls()).toHaveLength(0);
    });

    it('says why it needs a key or a user when it has neither', async () => {
      await expect(
        runAction(deactivateAccessKey, { ...envelope() }, actionEnvironment(clients)),
      ).rejects.toMatchObject({
        message:
          'deactivate-access-key: invalid input: accessKeyId: is required, unless userId or userName names a user whose stale keys are deactivated',
      });
    });

    it("notes that it looked the key's user up, and that a key was already inactive", async () => {
      iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: USER });
      keys({ id: COMPROMISED_KEY, status: 'Inactive', created: daysAgo(10) });
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY },
        actionEnvironment(clients),
      );
      expect(outcome.notes).toEqual([
        `The finding did not name the key's user: GetAccessKeyLastUsed says ${USER}.`,
        `Access key ${COMPROMISED_KEY} is already inactive.`,
      ]);
      expect(outcome.status).toBe('already-done');
    });

    it('has no notes for an active key of a named user', async () => {
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
        actionEnvironment(clients),
      );
      expect(outcome.notes).toEqual([]);
    });

    it('fails, naming the key, when IAM does not name its user', async () => {
      iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: '' });
      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), accessKeyId: COMPROMISED_KEY },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({
        name: 'ActionFailedError',
        message: `IAM did not name the user of access key ${COMPROMISED_KEY}.`,
      });
      expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    });

    it('says which key and which user when the key is not the user’s', async () => {
      keys({ id: OTHER_KEY, created: daysAgo(10) });
      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({
        name: 'ResourceGoneError',
        message: `Access key ${COMPROMISED_KEY} does not exist (for IAM user ${USER}).`,
      });
    });

    it('reads every page of the access keys', async () => {
      iam
        .on(ListAccessKeysCommand)
        .resolvesOnce({
          AccessKeyMetadata: [
            { UserName: USER, AccessKeyId: OTHER_KEY, Status: 'Active', CreateDate: daysAgo(10) },
          ],
          IsTruncated: true,
          Marker: 'page-2',
        })
        .resolvesOnce({
          AccessKeyMetadata: [
            { UserName: USER, AccessKeyId: COMPROMISED_KEY, Status: 'Active', CreateDate: daysAgo(10) },
          ],
          IsTruncated: false,
        });
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
        actionEnvironment(clients),
      );
      expect(outcome.status).toBe('done');
      const calls = iam.commandCalls(ListAccessKeysCommand).map((call) => call.args[0].input);
      // The first page is asked for without a Marker at all (not an undefined one).
      expect(calls).toStrictEqual([{ UserName: USER }, { UserName: USER, Marker: 'page-2' }]);
      expect(iam.commandCalls(ListUserTagsCommand).map((call) => call.args[0].input)).toStrictEqual([
        { UserName: USER },
      ]);
    });

    it('stops reading keys at the last page even when it carries a marker', async () => {
      iam.on(ListAccessKeysCommand).resolves({
        AccessKeyMetadata: [
          { UserName: USER, AccessKeyId: COMPROMISED_KEY, Status: 'Active', CreateDate: daysAgo(10) },
        ],
        IsTruncated: false,
        Marker: 'stale-marker',
      });
      await runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
        actionEnvironment(clients),
      );
      expect(iam).toHaveReceivedCommandTimes(ListAccessKeysCommand, 1);
    });

    it('checks the id of a named user with GetUser, and says what it found', async () => {
      iam.on(GetUserCommand).resolves({ User: user(USER, 'AIDAOTHERUSER00000001') });
      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), userId: USER_ID, userName: USER },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({
        name: 'ResourceGoneError',
        message: `IAM user ${USER} is not the user ${USER_ID} the finding names (it was deleted and re-created?).`,
      });
      iam.on(GetUserCommand).resolves({ User: user(USER, USER_ID) });
      keys();
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userId: USER_ID, userName: USER },
        actionEnvironment(clients),
      );
      expect(outcome.output.userName).toBe(USER);
      expect(iam).not.toHaveReceivedCommand(ListUsersCommand);
    });

    it('says which user id it could not find', async () => {
      iam
        .on(ListUsersCommand)
        .resolves({ Users: [user('bob', 'AIDAEXAMPLEBOB0000001')], IsTruncated: false });
      await expect(
        runAction(deactivateAccessKey, { ...envelope(), userId: USER_ID }, actionEnvironment(clients)),
      ).rejects.toMatchObject({ message: `No IAM user has the id ${USER_ID} (deleted since the finding?).` });
      // The first page is asked for without a Marker at all (not an undefined one).
      expect(iam.commandCalls(ListUsersCommand).map((call) => call.args[0].input)).toStrictEqual([{}]);
    });

    it('explains stale-by-age, the keys it leaves and the keys it records for a release', async () => {
      keys(
        { id: 'AKIAOLDACTIVE0000001', created: daysAgo(120) },
        { id: 'AKIAOLDINACTIVE00001', status: 'Inactive', created: daysAgo(400) },
        { id: 'AKIANEWACTIVE0000001', created: daysAgo(10) },
      );
      const environment = actionEnvironment(clients);
      const outcome = await runAction(deactivateAccessKey, { ...envelope(), userName: USER }, environment);
      const cutoff = daysAgo(90).toISOString();
      expect(outcome.notes).toEqual([
        `Keys created before ${cutoff} (90 days) are stale.`,
        `1 newer key(s) of ${USER} left as they are.`,
      ]);
      const planned = environment.ledger.all().find((entry) => entry.outcome === 'planned');
      expect(planned?.restore).toEqual({
        userName: USER,
        keys: [{ accessKeyId: 'AKIAOLDACTIVE0000001', status: 'Active' }],
      });
      expect(outcome.output.accessKeyIds).toEqual(['AKIAOLDACTIVE0000001', 'AKIAOLDINACTIVE00001']);
    });

    it('explains stale-by-last-use, and says when no active key is stale (no restore record)', async () => {
      keys(
        { id: 'AKIANEWACTIVE0000001', created: daysAgo(10) },
        { id: 'AKIAOLDINACTIVE00001', status: 'Inactive', created: daysAgo(400) },
      );
      iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: USER });
      const environment = actionEnvironment(clients);
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userName: USER, staleBy: 'last-use', staleAfterDays: 30 },
        environment,
      );
      expect(outcome.notes).toEqual([
        `Keys not used since ${daysAgo(30).toISOString()} (30 days) are stale.`,
        `IAM user ${USER} has no active stale key.`,
        `1 newer key(s) of ${USER} left as they are.`,
      ]);
      expect(outcome.status).toBe('already-done');
      expect(environment.ledger.all().some((entry) => entry.restore !== undefined)).toBe(false);
      // Only the active key's last use is asked for: an inactive key cannot be deactivated.
      expect(
        iam.commandCalls(GetAccessKeyLastUsedCommand).map((call) => call.args[0].input.AccessKeyId),
      ).toEqual(['AKIANEWACTIVE0000001']);
    });

    it('does not count a key created exactly staleAfterDays ago as stale, nor one without a creation date', async () => {
      keys(
        { id: 'AKIAEXACT00000000001', created: daysAgo(90) },
        { id: 'AKIANODATE0000000001' },
        { created: daysAgo(400) },
      );
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userName: USER },
        actionEnvironment(clients),
      );
      expect(outcome.status).toBe('already-done');
      expect(outcome.output.accessKeyIds).toEqual([]);
      expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    });

    it('uses the last use of a key that was used, and the creation of one never used', async () => {
      keys(
        { id: 'AKIAUSEDLONGAGO00001', created: daysAgo(10) },
        { id: 'AKIANEVERUSED0000001', created: daysAgo(100) },
      );
      iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIAUSEDLONGAGO00001' }).resolves({
        UserName: USER,
        AccessKeyLastUsed: { LastUsedDate: daysAgo(95), ServiceName: 's3', Region: 'us-east-1' },
      });
      iam
        .on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIANEVERUSED0000001' })
        .resolves({ UserName: USER });
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userName: USER, staleBy: 'last-use' },
        actionEnvironment(clients),
      );
      // A key created 10 days ago but "last used 95 days ago" is impossible in AWS; it shows which date counts.
      expect(outcome.output.accessKeyIds).toEqual(['AKIAUSEDLONGAGO00001', 'AKIANEVERUSED0000001']);
    });

    it('asks for no last use when staleness is by age', async () => {
      keys({ id: 'AKIAOLDACTIVE0000001', created: daysAgo(120) });
      await runAction(deactivateAccessKey, { ...envelope(), userName: USER }, actionEnvironment(clients));
      expect(iam).not.toHaveReceivedCommand(GetAccessKeyLastUsedCommand);
    });

    it('says nothing of newer keys when every key is stale', async () => {
      keys({ id: 'AKIAOLDACTIVE0000001', created: daysAgo(120) });
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userName: USER },
        actionEnvironment(clients),
      );
      expect(outcome.notes).toEqual([
        `Keys created before ${daysAgo(90).toISOString()} (90 days) are stale.`,
      ]);
    });

    it('reads a page without access keys as no key', async () => {
      iam.on(ListAccessKeysCommand).resolves({ IsTruncated: false });
      const outcome = await runAction(
        deactivateAccessKey,
        { ...envelope(), userName: USER },
        actionEnvironment(clients),
      );
      expect(outcome.notes).toEqual([
        `Keys created before ${daysAgo(90).toISOString()} (90 days) are stale.`,
        `IAM user ${USER} has no active stale key.`,
      ]);
    });

    it('fails, naming the key, when IAM gives no user name at all', async () => {
      iam.on(GetAccessKeyLastUsedCommand).resolves({});
      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), accessKeyId: COMPROMISED_KEY },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({
        name: 'ActionFailedError',
        message: `IAM did not name the user of access key ${COMPROMISED_KEY}.`,
      });
    });

    it('asks GetUser about the named user, and treats an answer without a user as a different user', async () => {
      iam.on(GetUserCommand).resolves({});
      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), userId: USER_ID, userName: USER },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({ name: 'ResourceGoneError' });
      expect(iam).toHaveReceivedCommandWith(GetUserCommand, { UserName: USER });
    });

    it('finds no user in a ListUsers page without users', async () => {
      iam.on(ListUsersCommand).resolves({ IsTruncated: false });
      await expect(
        runAction(deactivateAccessKey, { ...envelope(), userId: USER_ID }, actionEnvironment(clients)),
      ).rejects.toMatchObject({ message: `No IAM user has the id ${USER_ID} (deleted since the finding?).` });
    });

    it('stops reading tags and users at the last page even when it carries a marker', async () => {
      iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false, Marker: 'stale-marker' });
      iam
        .on(ListUsersCommand)
        .resolves({ Users: [user(USER, USER_ID)], IsTruncated: false, Marker: 'stale-marker' });
      keys();
      await runAction(deactivateAccessKey, { ...envelope(), userId: USER_ID }, actionEnvironment(clients));
      expect(iam).toHaveReceivedCommandTimes(ListUserTagsCommand, 1);
      expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 1);
      iam.on(ListUsersCommand).resolves({ Users: [], IsTruncated: false, Marker: 'stale-marker' });
      await expect(
        runAction(deactivateAccessKey, { ...envelope(), userId: USER_ID }, actionEnvironment(clients)),
      ).rejects.toMatchObject({ name: 'ResourceGoneError' });
      expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 2);
    });
  });
});
