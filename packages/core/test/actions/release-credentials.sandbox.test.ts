import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import {
  parseDenyPolicy,
  quarantineInstanceStatement,
  revokeOlderSessionsStatement,
} from '../../src/actions/deny-policy.ts';
import { CORDON_DENY_POLICY_NAME } from '../../src/actions/guardrails.ts';
import { type ReleaseCredentialsOutput, releaseCredentials } from '../../src/actions/release-credentials.ts';
import { revokeSessions } from '../../src/actions/revoke-sessions.ts';
import { runAction } from '../../src/actions/run-action.ts';

const QUARANTINE = quarantineInstanceStatement(
  'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890',
);
const OTHER_INCIDENT = revokeOlderSessionsStatement(
  'guardduty-other-incident',
  new Date('2026-11-01T00:00:00Z'),
);
const WEB_ROLE_DENY = JSON.stringify({ Version: '2012-10-17', Statement: [OTHER_INCIDENT, QUARANTINE] });

function seededSandbox(): Sandbox {
  const sandbox = testSandbox();
  sandbox.iam
    .addUser({ userName: 'alice', accessKeys: [{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }] })
    .addRole({ roleName: 'web-role', inlinePolicies: { [CORDON_DENY_POLICY_NAME]: WEB_ROLE_DENY } });
  return sandbox;
}

function denyPolicyOf(sandbox: Sandbox, kind: 'users' | 'roles', name: string) {
  const principal = sandbox.iam.snapshot()[kind][name];
  return parseDenyPolicy(principal?.inlinePolicies[CORDON_DENY_POLICY_NAME]);
}

/** Contains both principals under one incident (what credential-compromise's revoke-sessions does). */
async function contained(sandbox: Sandbox) {
  const environment = environmentOn(sandbox);
  for (const [principalType, name] of [
    ['role', 'web-role'],
    ['user', 'alice'],
  ] as const) {
    await runAction(revokeSessions, { ...envelope(), principalType, name }, environment);
  }
  return environment;
}

describe('release-credentials (against the sandbox account)', () => {
  it("puts cordon-deny back exactly as it was before the containment, other incidents' statements untouched", async () => {
    // Prepare
    const sandbox = seededSandbox();
    const before = denyPolicyOf(sandbox, 'roles', 'web-role');
    const environment = await contained(sandbox);
    expect(denyPolicyOf(sandbox, 'roles', 'web-role')?.Statement).toHaveLength(3);
    expect(denyPolicyOf(sandbox, 'users', 'alice')?.Statement).toHaveLength(1);

    // Act
    const outcome = await runAction(releaseCredentials, envelope(), environment);

    // Assess
    expect(outcome.status).toBe('done');
    expect(denyPolicyOf(sandbox, 'roles', 'web-role')).toEqual(before);
    // alice had no cordon-deny before: the policy is gone, her key untouched (still Active here: never deactivated).
    expect(sandbox.iam.snapshot().users.alice?.inlinePolicies[CORDON_DENY_POLICY_NAME]).toBeUndefined();
    expect(
      sandbox.account
        .mutatingCalls()
        .map((call) => call.command)
        .slice(-2),
    ).toEqual(['PutRolePolicy', 'DeleteUserPolicy']);
    expect((outcome.output as ReleaseCredentialsOutput).statements.map((each) => each.result)).toEqual([
      'removed',
      'removed',
    ]);
  });

  it('changes nothing on a second release, and says the statements are already gone', async () => {
    const sandbox = seededSandbox();
    const environment = await contained(sandbox);

    const { second } = await expectSecondRunChangesNothing(sandbox, () =>
      runAction(releaseCredentials, envelope(), environment),
    );

    expect((second.output as ReleaseCredentialsOutput).statements.map((each) => each.result)).toEqual([
      'already-gone',
      'already-gone',
    ]);
  });

  it('changes nothing in a dry run', async () => {
    const sandbox = seededSandbox();
    const environment = await contained(sandbox);

    const outcome = await expectUnchanged(sandbox, () =>
      runAction(releaseCredentials, envelope(true), environment),
    );

    expect(outcome.status).toBe('dry-run');
    expect(outcome.changes).toHaveLength(2);
  });

  it('reports a fault mid-way as failed, keeps what was done, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = seededSandbox();
    const before = denyPolicyOf(sandbox, 'roles', 'web-role');
    const environment = await contained(sandbox);
    sandbox.account.injectFault({
      service: 'IAM',
      command: 'DeleteUserPolicy',
      error: 'AccessDenied',
      times: 1,
    });

    // Act
    await expect(runAction(releaseCredentials, envelope(), environment)).rejects.toMatchObject({
      name: 'AccessDeniedError',
    });

    // Assess: the role is released, alice's statement is still there, and the ledger says so.
    expect(denyPolicyOf(sandbox, 'roles', 'web-role')).toEqual(before);
    expect(denyPolicyOf(sandbox, 'users', 'alice')?.Statement).toHaveLength(1);
    const entries = await environment.ledger.entries(envelope().incidentId);
    expect(entries.at(-1)?.notes).toEqual(['done before the failure: role web-role', 'not done: user alice']);

    const retry = await runAction(releaseCredentials, envelope(), environment);
    expect((retry.output as ReleaseCredentialsOutput).statements.map((each) => each.result)).toEqual([
      'already-gone',
      'removed',
    ]);
    expect(sandbox.iam.snapshot().users.alice?.inlinePolicies[CORDON_DENY_POLICY_NAME]).toBeUndefined();
  });
});
