import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT, TEST_NOW } from '../../../../test/support/actions.ts';
import { environmentOn, expectUnchanged, testSandbox } from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import {
  parseDenyPolicy,
  quarantineInstanceStatement,
  revokeOlderSessionsStatement,
} from '../../src/actions/deny-policy.ts';
import { CORDON_DENY_POLICY_NAME } from '../../src/actions/guardrails.ts';
import { revokeSessions } from '../../src/actions/revoke-sessions.ts';
import { runAction } from '../../src/actions/run-action.ts';

const QUARANTINE = quarantineInstanceStatement(
  'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890',
);
const SSO_ROLE = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const FOREIGN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
});

function seededSandbox(): Sandbox {
  const sandbox = testSandbox();
  sandbox.iam
    .addUser({ userName: 'alice', accessKeys: [{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }] })
    .addUser({ userName: 'mallory', inlinePolicies: { [CORDON_DENY_POLICY_NAME]: FOREIGN_POLICY } })
    .addRole({ roleName: 'app-role' })
    .addRole({
      roleName: 'web-role',
      inlinePolicies: {
        [CORDON_DENY_POLICY_NAME]: JSON.stringify({ Version: '2012-10-17', Statement: [QUARANTINE] }),
        'app-permissions': JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
        }),
      },
    })
    .addRole({ roleName: 'AWSServiceRoleForECS', serviceLinked: { service: 'ecs.amazonaws.com' } })
    .addRole({ roleName: SSO_ROLE, path: '/aws-reserved/sso.amazonaws.com/' });
  return sandbox;
}

function denyPolicyOf(sandbox: Sandbox, kind: 'users' | 'roles', name: string) {
  const principal = sandbox.iam.snapshot()[kind][name];
  return parseDenyPolicy(principal?.inlinePolicies[CORDON_DENY_POLICY_NAME]);
}

describe('revoke-sessions (against the sandbox account)', () => {
  it("leaves the role with Cordon's deny policy denying sessions issued before the action", async () => {
    const sandbox = seededSandbox();
    await runAction(
      revokeSessions,
      { ...envelope(), principalType: 'role', name: 'app-role' },
      environmentOn(sandbox),
    );

    expect(denyPolicyOf(sandbox, 'roles', 'app-role')).toEqual({
      Version: '2012-10-17',
      Statement: [revokeOlderSessionsStatement(TEST_INCIDENT, TEST_NOW)],
    });
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toEqual(['PutRolePolicy']);
  });

  it("keeps the other statements of Cordon's deny policy, and the principal's other policies", async () => {
    const sandbox = seededSandbox();
    const before = sandbox.iam.snapshot().roles['web-role']?.inlinePolicies['app-permissions'];

    await runAction(
      revokeSessions,
      { ...envelope(), principalType: 'role', name: 'web-role' },
      environmentOn(sandbox),
    );

    expect(denyPolicyOf(sandbox, 'roles', 'web-role')?.Statement).toEqual([
      QUARANTINE,
      revokeOlderSessionsStatement(TEST_INCIDENT, TEST_NOW),
    ]);
    expect(sandbox.iam.snapshot().roles['web-role']?.inlinePolicies['app-permissions']).toBe(before);
  });

  it("puts the deny on a user without touching the user's keys", async () => {
    const sandbox = seededSandbox();
    await runAction(
      revokeSessions,
      { ...envelope(), principalType: 'user', name: 'alice' },
      environmentOn(sandbox),
    );

    expect(denyPolicyOf(sandbox, 'users', 'alice')?.Statement).toEqual([
      revokeOlderSessionsStatement(TEST_INCIDENT, TEST_NOW),
    ]);
    expect(sandbox.iam.accessKeys('alice').map((key) => key.status)).toEqual(['Active']);
  });

  it('changes nothing the second time, even later', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);
    const input = { ...envelope(), principalType: 'role', name: 'app-role' };
    await runAction(revokeSessions, input, environment);
    const after = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const second = await runAction(revokeSessions, input, {
      ...environment,
      now: () => new Date(TEST_NOW.getTime() + 3_600_000),
    });

    expect(second.status).toBe('already-done');
    expect(second.output.issuedBefore).toBe(TEST_NOW.toISOString());
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(
        revokeSessions,
        { ...envelope(true), principalType: 'role', name: 'web-role' },
        environmentOn(sandbox),
      ),
    );

    expect(outcome.status).toBe('dry-run');
  });

  it('refuses service-linked roles with UnmodifiableRoleError', async () => {
    const sandbox = seededSandbox();
    await expectUnchanged(sandbox, () =>
      expect(
        runAction(
          revokeSessions,
          { ...envelope(), principalType: 'role', name: 'AWSServiceRoleForECS' },
          environmentOn(sandbox),
        ),
      ).rejects.toMatchObject({ name: 'UnmodifiableRoleError', retryable: false }),
    );
  });

  it('refuses Identity Center roles', async () => {
    const sandbox = seededSandbox();

    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name: SSO_ROLE },
        environmentOn(sandbox),
      ),
    ).rejects.toMatchObject({ name: 'UnmodifiableRoleError' });
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });

  it('leaves a cordon-deny policy Cordon did not write as it was', async () => {
    const sandbox = seededSandbox();

    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'user', name: 'mallory' },
        environmentOn(sandbox),
      ),
    ).rejects.toMatchObject({ name: 'ActionFailedError' });
    expect(sandbox.iam.snapshot().users.mallory?.inlinePolicies[CORDON_DENY_POLICY_NAME]).toBe(
      FOREIGN_POLICY,
    );
  });

  describe('fault injection', () => {
    it('surfaces throttling as ThrottledError with no statement written, and a retry writes it', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({
        service: 'IAM',
        command: 'PutRolePolicy',
        error: 'Throttling',
        times: 1,
      });
      const environment = environmentOn(sandbox);
      const input = { ...envelope(), principalType: 'role', name: 'app-role' };

      await expect(runAction(revokeSessions, input, environment)).rejects.toMatchObject({
        name: 'ThrottledError',
        retryable: true,
      });
      expect(denyPolicyOf(sandbox, 'roles', 'app-role')).toBeUndefined();

      const retried = await runAction(revokeSessions, input, environment);

      expect(retried.status).toBe('done');
      expect(denyPolicyOf(sandbox, 'roles', 'app-role')?.Statement).toHaveLength(1);
    });

    it('surfaces a 5xx while reading the policy as TransientServiceError, before any change', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({ service: 'IAM', command: 'GetUserPolicy', error: 'ServiceUnavailable' });

      await expect(
        runAction(
          revokeSessions,
          { ...envelope(), principalType: 'user', name: 'alice' },
          environmentOn(sandbox),
        ),
      ).rejects.toMatchObject({ name: 'TransientServiceError', retryable: true });
      expect(sandbox.account.mutatingCalls()).toEqual([]);
    });

    it('surfaces AccessDenied as AccessDeniedError (terminal), recorded as failed', async () => {
      const sandbox = seededSandbox();
      sandbox.account.injectFault({ service: 'IAM', command: 'PutUserPolicy', error: 'AccessDenied' });
      const environment = environmentOn(sandbox);

      await expect(
        runAction(revokeSessions, { ...envelope(), principalType: 'user', name: 'alice' }, environment),
      ).rejects.toMatchObject({ name: 'AccessDeniedError', retryable: false });
      expect(denyPolicyOf(sandbox, 'users', 'alice')).toBeUndefined();
      expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
        'planned',
        'failed',
      ]);
    });

    it("treats IAM's inline-policy quota as terminal, not as throttling: DenyPolicyFullError", async () => {
      // IAM's LimitExceeded here is a size quota: retrying cannot help.
      const sandbox = testSandbox();
      sandbox.iam.addUser({
        userName: 'alice',
        inlinePolicies: {
          big: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(1900)}` },
            ],
          }),
        },
      });

      await expect(
        runAction(
          revokeSessions,
          { ...envelope(), principalType: 'user', name: 'alice' },
          environmentOn(sandbox),
        ),
      ).rejects.toMatchObject({ name: 'DenyPolicyFullError', retryable: false, awsError: 'LimitExceeded' });
    });
  });
});
