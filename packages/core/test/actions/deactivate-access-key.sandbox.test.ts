import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT, TEST_NOW } from '../../../../test/support/actions.ts';
import {
  ALICE,
  anIamUserWithTwoKeys,
  environmentOn,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { FaultSpec, Sandbox } from '../../../local/src/sandbox/index.ts';
import { deactivateAccessKey } from '../../src/actions/deactivate-access-key.ts';
import { runAction } from '../../src/actions/run-action.ts';

const { userName: USER, compromisedKey: COMPROMISED_KEY, otherKey: OTHER_KEY } = ALICE;
const daysAgo = (days: number) => new Date(TEST_NOW.getTime() - days * 86_400_000);

function seededSandbox(): Sandbox {
  const sandbox = testSandbox();
  // Alice's compromised key was used today; stale-sam's keys are older than 90 days, fresh-fay's is not.
  anIamUserWithTwoKeys(sandbox);
  sandbox.iam.addUser({
    userName: 'stale-sam',
    userId: 'AIDASTALESAM000000001',
    accessKeys: [
      { accessKeyId: 'AKIASTALE00000000001', createDate: daysAgo(365) },
      { accessKeyId: 'AKIASTALE00000000002', createDate: daysAgo(91) },
    ],
  });
  sandbox.iam.addUser({
    userName: 'fresh-fay',
    userId: 'AIDAFRESHFAY000000001',
    accessKeys: [{ accessKeyId: 'AKIAFRESH00000000001', createDate: daysAgo(5) }],
  });
  return sandbox;
}

const statuses = (sandbox: Sandbox, userName: string) =>
  Object.fromEntries(sandbox.iam.accessKeys(userName).map((key) => [key.accessKeyId, key.status]));

/**
 * Arms `fault` just before the `nth` call of its command, to fail a step half-way (the sandbox's own faults
 * hit the first calls). Wraps the account's dispatcher, which every attached client goes through.
 */
function failNthCall(sandbox: Sandbox, nth: number, fault: FaultSpec): void {
  const dispatch = sandbox.account.dispatch.bind(sandbox.account);
  let seen = 0;
  sandbox.account.dispatch = (service, command, input) => {
    if (command === fault.command) {
      seen += 1;
      if (seen === nth) sandbox.account.injectFault({ ...fault, times: 1 });
    }
    return dispatch(service, command, input);
  };
}

describe('deactivate-access-key (against the sandbox account)', () => {
  it("leaves the user's other keys untouched", async () => {
    const sandbox = seededSandbox();
    await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
      environmentOn(sandbox),
    );

    expect(statuses(sandbox, USER)).toEqual({ [COMPROMISED_KEY]: 'Inactive', [OTHER_KEY]: 'Active' });
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toEqual(['UpdateAccessKey']);
  });

  it('never deletes a key', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);
    await runAction(deactivateAccessKey, { ...envelope(), accessKeyId: COMPROMISED_KEY }, environment);
    await runAction(deactivateAccessKey, { ...envelope(), userName: 'stale-sam' }, environment);

    expect(sandbox.iam.accessKeys(USER)).toHaveLength(2);
    expect(sandbox.iam.accessKeys('stale-sam')).toHaveLength(2);
    expect(sandbox.account.calls.map((call) => call.command)).not.toContain('DeleteAccessKey');
  });

  it('resolves the user with GetAccessKeyLastUsed when the finding lacks it', async () => {
    const sandbox = seededSandbox();
    const outcome = await runAction(
      deactivateAccessKey,
      { ...envelope(), accessKeyId: COMPROMISED_KEY },
      environmentOn(sandbox),
    );

    expect(outcome.output).toEqual({ userName: USER, accessKeyIds: [COMPROMISED_KEY] });
    expect(statuses(sandbox, USER)[COMPROMISED_KEY]).toBe('Inactive');
    expect(sandbox.account.calls[0]).toMatchObject({
      command: 'GetAccessKeyLastUsed',
      input: { AccessKeyId: COMPROMISED_KEY },
    });
  });

  it('deactivates only the stale keys named by the Config rule', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);
    await runAction(deactivateAccessKey, { ...envelope(), userId: 'AIDASTALESAM000000001' }, environment);
    await runAction(deactivateAccessKey, { ...envelope(), userId: 'AIDAFRESHFAY000000001' }, environment);

    expect(statuses(sandbox, 'stale-sam')).toEqual({
      AKIASTALE00000000001: 'Inactive',
      AKIASTALE00000000002: 'Inactive',
    });
    expect(statuses(sandbox, 'fresh-fay')).toEqual({ AKIAFRESH00000000001: 'Active' });
    expect(statuses(sandbox, USER)).toEqual({ [COMPROMISED_KEY]: 'Active', [OTHER_KEY]: 'Active' });
  });

  it('changes nothing the second time', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);
    const input = { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER };
    await runAction(deactivateAccessKey, input, environment);
    const after = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const second = await runAction(deactivateAccessKey, input, environment);

    expect(second.status).toBe('already-done');
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(
        deactivateAccessKey,
        { ...envelope(true), userId: 'AIDASTALESAM000000001' },
        environmentOn(sandbox),
      ),
    );

    expect(outcome.changes.map((change) => change.resource)).toEqual([
      'AKIASTALE00000000001',
      'AKIASTALE00000000002',
    ]);
  });

  it('reports a key the user does not have as ResourceGoneError, changing nothing', async () => {
    const sandbox = seededSandbox();
    await expectUnchanged(sandbox, () =>
      expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), accessKeyId: 'AKIANOTINTHEACCOUNT1', userName: USER },
          environmentOn(sandbox),
        ),
      ).rejects.toMatchObject({ name: 'ResourceGoneError', retryable: false }),
    );
  });

  it('refuses a key IAM cannot place in the account, as IAM answers: AccessDenied (terminal)', async () => {
    // GetAccessKeyLastUsed has no NoSuchEntity: a foreign or unknown key is refused as access denied.
    const sandbox = seededSandbox();

    await expect(
      runAction(
        deactivateAccessKey,
        { ...envelope(), accessKeyId: 'AKIANOTINTHEACCOUNT1' },
        environmentOn(sandbox),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedError', retryable: false });
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });

  it('refuses an exempt user before any change', async () => {
    const sandbox = testSandbox();
    sandbox.iam.addUser({
      userName: USER,
      tags: { 'cordon:exempt': 'true' },
      accessKeys: [{ accessKeyId: COMPROMISED_KEY }],
    });

    await expect(
      runAction(deactivateAccessKey, { ...envelope(), accessKeyId: COMPROMISED_KEY }, environmentOn(sandbox)),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(statuses(sandbox, USER)).toEqual({ [COMPROMISED_KEY]: 'Active' });
  });

  describe('fault injection', () => {
    it('surfaces throttling as ThrottledError with the key still active, and a retry finishes the job', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({
        service: 'IAM',
        command: 'UpdateAccessKey',
        error: 'Throttling',
        times: 1,
      });
      const environment = environmentOn(sandbox);
      const input = { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER };

      await expect(runAction(deactivateAccessKey, input, environment)).rejects.toMatchObject({
        name: 'ThrottledError',
        retryable: true,
      });
      expect(statuses(sandbox, USER)[COMPROMISED_KEY]).toBe('Active');

      const retried = await runAction(deactivateAccessKey, input, environment);

      expect(retried.status).toBe('done');
      expect(statuses(sandbox, USER)[COMPROMISED_KEY]).toBe('Inactive');
      expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
        'planned',
        'failed',
        'planned',
        'done',
      ]);
    });

    it('surfaces a 5xx while reading the keys as TransientServiceError, before any change', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({ service: 'IAM', command: 'ListAccessKeys', error: 'ServiceUnavailable' });

      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
          environmentOn(sandbox),
        ),
      ).rejects.toMatchObject({ name: 'TransientServiceError', retryable: true });
      expect(sandbox.account.mutatingCalls()).toEqual([]);
    });

    it('surfaces AccessDenied as AccessDeniedError (terminal), changing nothing', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({ service: 'IAM', command: 'UpdateAccessKey', error: 'AccessDenied' });
      const before = sandbox.account.snapshot();
      const environment = environmentOn(sandbox);

      await expect(
        runAction(
          deactivateAccessKey,
          { ...envelope(), accessKeyId: COMPROMISED_KEY, userName: USER },
          environment,
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedError', retryable: false, awsError: 'AccessDenied' });
      expect(sandbox.account.snapshot()).toEqual(before);
      expect((await environment.ledger.entries(TEST_INCIDENT)).at(-1)).toMatchObject({
        outcome: 'failed',
        error: { name: 'AccessDeniedError' },
      });
    });

    it('reports a stale key left active after a fault half-way as not done, and the retry deactivates only it', async () => {
      const sandbox = seededSandbox();
      const environment = environmentOn(sandbox);
      failNthCall(sandbox, 2, {
        service: 'IAM',
        command: 'UpdateAccessKey',
        error: 'InternalError',
      });
      const input = { ...envelope(), userName: 'stale-sam' };

      const error = await runAction(deactivateAccessKey, input, environment).catch(
        (caught: unknown) => caught,
      );

      expect(error).toMatchObject({
        name: 'TransientServiceError',
        partial: { done: ['AKIASTALE00000000001'], notDone: ['AKIASTALE00000000002'] },
      });
      expect(statuses(sandbox, 'stale-sam')).toEqual({
        AKIASTALE00000000001: 'Inactive',
        AKIASTALE00000000002: 'Active',
      });
      const entries = await environment.ledger.entries(TEST_INCIDENT);
      expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
      expect(entries[1]?.notes).toEqual([
        'done before the failure: AKIASTALE00000000001',
        'not done: AKIASTALE00000000002',
      ]);

      const retried = await runAction(deactivateAccessKey, input, environment);

      expect(retried.changes.map((change) => change.resource)).toEqual(['AKIASTALE00000000002']);
      expect(statuses(sandbox, 'stale-sam')).toEqual({
        AKIASTALE00000000001: 'Inactive',
        AKIASTALE00000000002: 'Inactive',
      });
    });
  });
});
