import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
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
import {
  type DenyPolicyDocument,
  quarantineInstanceStatement,
  revokeOlderSessionsStatement,
  statementSid,
} from '../../src/actions/deny-policy.ts';
import { CORDON_DENY_POLICY_NAME } from '../../src/actions/guardrails.ts';
import {
  type ReleaseCredentialsOutput,
  releaseCredentials,
  revokedSessions,
  whatStays,
} from '../../src/actions/release-credentials.ts';
import { runAction } from '../../src/actions/run-action.ts';
import type { LedgerEntry } from '../../src/ledger/ledger.ts';

const SID = statementSid('CordonRevokeSessions', TEST_INCIDENT);
const OURS = revokeOlderSessionsStatement(TEST_INCIDENT, TEST_NOW);
const OTHER_INCIDENT = revokeOlderSessionsStatement(
  'guardduty-other-incident',
  new Date('2026-11-01T00:00:00Z'),
);
const QUARANTINE = quarantineInstanceStatement(
  'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890',
);

function policy(...statements: DenyPolicyDocument['Statement']): DenyPolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

function entry(step: string, fields: Partial<LedgerEntry>): LedgerEntry {
  return {
    incidentId: TEST_INCIDENT,
    step: step as LedgerEntry['step'],
    at: '2026-11-28T10:00:00.000Z',
    outcome: 'planned',
    dryRun: false,
    settingsVersion: 'v',
    input: {},
    changes: [],
    notes: [],
    ...fields,
  };
}

const revoked = (principalType: 'user' | 'role', name: string) =>
  entry('revoke-sessions', { restore: { principalType, name, statementSid: SID } });

function noSuchEntity() {
  return Object.assign(new Error('The policy with name cordon-deny cannot be found.'), {
    name: 'NoSuchEntityException',
    Code: 'NoSuchEntity',
  });
}

describe('release-credentials (commands sent)', () => {
  const clients = realClients();
  const iam = mockClient(clients.iam);

  beforeEach(() => {
    iam.reset();
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
    iam.on(DeleteRolePolicyCommand).resolves({});
    iam.on(DeleteUserPolicyCommand).resolves({});
  });

  it("removes only this incident's statement from a role's cordon-deny, keeping other incidents' and quarantines", async () => {
    // Prepare
    iam.on(GetRolePolicyCommand).resolves({
      PolicyDocument: encodeURIComponent(JSON.stringify(policy(OTHER_INCIDENT, OURS, QUARANTINE))),
    });
    const environment = actionEnvironment(clients);
    await environment.ledger.append(revoked('role', 'app-role'));

    // Act
    const outcome = await runAction(releaseCredentials, envelope(), environment);

    // Assess
    expect(outcome.status).toBe('done');
    const put = iam.commandCalls(PutRolePolicyCommand);
    expect(put).toHaveLength(1);
    expect(put[0]?.args[0].input.PolicyName).toBe(CORDON_DENY_POLICY_NAME);
    expect(put[0]?.args[0].input.RoleName).toBe('app-role');
    expect(JSON.parse(String(put[0]?.args[0].input.PolicyDocument))).toEqual(
      policy(OTHER_INCIDENT, QUARANTINE),
    );
    expect(iam).not.toHaveReceivedCommand(DeleteRolePolicyCommand);
    const output = outcome.output as ReleaseCredentialsOutput;
    expect(output.statements).toEqual([
      { principalType: 'role', name: 'app-role', statementSid: SID, result: 'removed', policyDeleted: false },
    ]);
  });

  it("deletes a user's cordon-deny when this incident's statement was all it held", async () => {
    // Prepare
    iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: JSON.stringify(policy(OURS)) });
    const environment = actionEnvironment(clients);
    await environment.ledger.append(revoked('user', 'alice'));

    // Act
    const outcome = await runAction(releaseCredentials, envelope(), environment);

    // Assess
    expect(iam).toHaveReceivedCommandWith(DeleteUserPolicyCommand, {
      UserName: 'alice',
      PolicyName: CORDON_DENY_POLICY_NAME,
    });
    expect(iam).not.toHaveReceivedCommand(PutUserPolicyCommand);
    expect((outcome.output as ReleaseCredentialsOutput).statements[0]).toMatchObject({
      result: 'removed',
      policyDeleted: true,
    });
  });

  it('reports a statement already gone as already-gone and changes nothing', async () => {
    // Prepare: someone removed it by hand; another incident's statement is still there.
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: JSON.stringify(policy(OTHER_INCIDENT)) });
    const environment = actionEnvironment(clients);
    await environment.ledger.append(revoked('role', 'app-role'));

    // Act
    const outcome = await runAction(releaseCredentials, envelope(), environment);

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(iam).not.toHaveReceivedCommand(DeleteRolePolicyCommand);
    expect((outcome.output as ReleaseCredentialsOutput).statements[0]?.result).toBe('already-gone');
    expect(outcome.notes.join('\n')).toContain(`${SID} is no longer in cordon-deny on role app-role`);
  });

  it('reports a policy that no longer exists as already-gone', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    const environment = actionEnvironment(clients);
    await environment.ledger.append(revoked('role', 'app-role'));

    const outcome = await runAction(releaseCredentials, envelope(), environment);

    expect(outcome.status).toBe('already-done');
    expect((outcome.output as ReleaseCredentialsOutput).statements[0]?.result).toBe('already-gone');
  });

  it('changes nothing in a dry run, and says what it would remove', async () => {
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: JSON.stringify(policy(OURS)) });
    const environment = actionEnvironment(clients);
    await environment.ledger.append(revoked('role', 'app-role'));

    const outcome = await runAction(releaseCredentials, envelope(true), environment);

    expect(outcome.status).toBe('dry-run');
    expect((outcome.output as ReleaseCredentialsOutput).statements.map((each) => each.result)).toEqual([
      'would-remove',
    ]);
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(iam).not.toHaveReceivedCommand(DeleteRolePolicyCommand);
    expect(outcome.changes).toEqual([
      { resource: 'app-role', attribute: 'inlinePolicy:cordon-deny', before: policy(OURS), after: null },
    ]);
  });

  it('refuses a cordon-deny Cordon did not write, changing nothing', async () => {
    iam.on(GetRolePolicyCommand).resolves({
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      }),
    });
    const environment = actionEnvironment(clients);
    await environment.ledger.append(revoked('role', 'app-role'));

    await expect(runAction(releaseCredentials, envelope(), environment)).rejects.toMatchObject({
      name: 'ActionFailedError',
      message: expect.stringContaining('Cordon did not write'),
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(iam).not.toHaveReceivedCommand(DeleteRolePolicyCommand);
  });

  it('fails with nothing to release when the incident recorded no session deny', async () => {
    const environment = actionEnvironment(clients);
    await environment.ledger.append(
      entry('deactivate-access-key', {
        outcome: 'done',
        changes: [
          { resource: 'AKIAIOSFODNN7EXAMPLE', attribute: 'status', before: 'Active', after: 'Inactive' },
        ],
      }),
    );

    await expect(runAction(releaseCredentials, envelope(), environment)).rejects.toMatchObject({
      name: 'ActionFailedError',
      message: expect.stringContaining('Nothing to release'),
    });
    expect(iam.calls()).toHaveLength(0);
  });

  it('reports an IAM refusal as a failed step, naming what was not done', async () => {
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: JSON.stringify(policy(OTHER_INCIDENT, OURS)) });
    iam.on(PutRolePolicyCommand).rejects(
      Object.assign(new Error('not authorized to perform: iam:PutRolePolicy'), {
        name: 'AccessDenied',
        Code: 'AccessDenied',
      }),
    );
    const environment = actionEnvironment(clients);
    await environment.ledger.append(revoked('role', 'app-role'));

    await expect(runAction(releaseCredentials, envelope(), environment)).rejects.toMatchObject({
      name: 'AccessDeniedError',
    });
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.at(-1)?.outcome).toBe('failed');
    expect(entries.at(-1)?.notes.join('\n')).toContain('not done: role app-role');
  });
});

describe('release-credentials (reading the ledger)', () => {
  it('reads each principal once, from its earliest record, and ignores other steps and outcomes', () => {
    const records = revokedSessions(
      [
        entry('revoke-sessions', {
          at: '2026-11-28T10:00:02.000Z',
          restore: { principalType: 'role', name: 'app-role', statementSid: SID },
        }),
        entry('revoke-sessions', {
          at: '2026-11-28T10:00:01.000Z',
          restore: { principalType: 'role', name: 'app-role', statementSid: SID },
        }),
        entry('revoke-sessions', { outcome: 'done' }),
        entry('quarantine-instance-profile', {
          restore: { principalType: 'role', name: 'other', statementSid: SID },
        }),
        // A dry run added nothing: its record is not a statement to remove.
        entry('revoke-sessions', {
          dryRun: true,
          restore: { principalType: 'user', name: 'dry-run-only', statementSid: SID },
        }),
      ],
      TEST_INCIDENT,
    );
    expect(records).toEqual([{ principalType: 'role', name: 'app-role', statementSid: SID }]);
  });

  it('refuses a record whose Sid is not a revoke-sessions Sid (never removes a statement it cannot account for)', () => {
    expect(() =>
      revokedSessions(
        [
          entry('revoke-sessions', {
            restore: { principalType: 'role', name: 'app-role', statementSid: 'CordonQuarantineInstances' },
          }),
        ],
        TEST_INCIDENT,
      ),
    ).toThrow(/statementSid: must be a revoke-sessions statement's Sid/);
  });

  it("refuses a record naming another incident's session deny (a corrupted or crafted record), changing nothing", () => {
    const othersSid = statementSid('CordonRevokeSessions', 'guardduty-111122223333-us-east-1-another');

    expect(() =>
      revokedSessions(
        [
          entry('revoke-sessions', {
            restore: { principalType: 'role', name: 'app-role', statementSid: othersSid },
          }),
        ],
        TEST_INCIDENT,
      ),
    ).toThrow(
      new RegExp(
        `names statement ${othersSid}, which is not the one incident ${TEST_INCIDENT} adds.*Nothing was changed`,
      ),
    );
  });

  it('names the keys that stay inactive and the console access that stays removed', () => {
    const stays = whatStays([
      entry('deactivate-access-key', {
        outcome: 'done',
        changes: [
          { resource: 'AKIAIOSFODNN7EXAMPLE', attribute: 'status', before: 'Active', after: 'Inactive' },
        ],
      }),
      entry('disable-console-access', {
        outcome: 'done',
        changes: [{ resource: 'alice', attribute: 'loginProfile', before: {}, after: null }],
      }),
      entry('deactivate-access-key', {
        outcome: 'dry-run',
        changes: [
          { resource: 'AKIADRYRUN0000000000', attribute: 'status', before: 'Active', after: 'Inactive' },
        ],
      }),
    ]);
    expect(stays).toHaveLength(2);
    expect(stays[0]).toContain('Access key AKIAIOSFODNN7EXAMPLE stays inactive');
    expect(stays[1]).toContain('Console access of alice stays removed');
  });
});
