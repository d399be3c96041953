import {
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  realClients,
  TEST_INCIDENT,
  TEST_NOW,
} from '../../../../test/support/actions.ts';
import {
  quarantineInstanceStatement,
  revokeOlderSessionsStatement,
  statementSid,
} from '../../src/actions/deny-policy.ts';
import { CORDON_DENY_POLICY_NAME } from '../../src/actions/guardrails.ts';
import { revokeSessions } from '../../src/actions/revoke-sessions.ts';
import { runAction } from '../../src/actions/run-action.ts';

const SID = statementSid('CordonRevokeSessions', TEST_INCIDENT);
const INSTANCE_ARN = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890';

function role(overrides: Partial<Role> = {}): Role {
  return {
    RoleName: 'app-role',
    RoleId: 'AROAEXAMPLE0000000001',
    Path: '/',
    Arn: 'arn:aws:iam::123456789012:role/app-role',
    CreateDate: new Date('2025-01-01T00:00:00Z'),
    ...overrides,
  };
}

function noSuchEntity(message: string) {
  return Object.assign(new Error(message), { name: 'NoSuchEntityException', Code: 'NoSuchEntity' });
}

/** IAM answers policy documents URL-encoded. */
function asIamReturnsIt(document: unknown): string {
  return encodeURIComponent(JSON.stringify(document));
}

describe('revoke-sessions (commands sent)', () => {
  const clients = realClients();
  const iam = mockClient(clients.iam);

  /** The documents of every Put*Policy sent, parsed. */
  const written = () =>
    [...iam.commandCalls(PutUserPolicyCommand), ...iam.commandCalls(PutRolePolicyCommand)].map((call) => ({
      policyName: call.args[0].input.PolicyName,
      document: JSON.parse(String(call.args[0].input.PolicyDocument)) as {
        Statement: Array<{ Sid: string; Condition: Record<string, Record<string, string>> }>;
      },
    }));

  beforeEach(() => {
    iam.reset();
    iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });
    iam.on(ListRoleTagsCommand).resolves({ Tags: [], IsTruncated: false });
    iam.on(GetRoleCommand).resolves({ Role: role() });
    iam
      .on(GetUserPolicyCommand)
      .rejects(noSuchEntity('The user policy with name cordon-deny cannot be found.'));
    iam
      .on(GetRolePolicyCommand)
      .rejects(noSuchEntity('The role policy with name cordon-deny cannot be found.'));
    iam.on(PutUserPolicyCommand).resolves({});
    iam.on(PutRolePolicyCommand).resolves({});
  });

  it("denies sessions issued before now, using the action's time, not the finding's", async () => {
    const actionTime = new Date('2026-11-28T10:07:42.000Z');
    const environment = { ...actionEnvironment(clients), now: () => actionTime };

    const outcome = await runAction(
      revokeSessions,
      // A finding's last-seen time passed along by mistake is not part of the input, and is not used.
      { ...envelope(), principalType: 'role', name: 'app-role', lastSeen: '2026-11-28T09:00:00.000Z' },
      environment,
    );

    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, {
      RoleName: 'app-role',
      PolicyName: CORDON_DENY_POLICY_NAME,
    });
    expect(written()[0]?.document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: SID,
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-28T10:07:42.000Z' } },
        },
      ],
    });
    expect(outcome.output).toEqual({
      principalType: 'role',
      name: 'app-role',
      statementSid: SID,
      issuedBefore: '2026-11-28T10:07:42.000Z',
    });
  });

  it('a TokenIssueTime deny is not used alone against a long-term key', async () => {
    const outcome = await runAction(
      revokeSessions,
      { ...envelope(), principalType: 'user', name: 'alice' },
      actionEnvironment(clients),
    );

    // The statement only reaches temporary credentials: its one condition is aws:TokenIssueTime…
    const [statement] = written()[0]?.document.Statement ?? [];
    expect(statement?.Condition).toEqual({ DateLessThan: { 'aws:TokenIssueTime': TEST_NOW.toISOString() } });
    // …so the step says that the long-term key is deactivate-access-key's job, not this one's.
    expect(outcome.notes).toEqual([
      expect.stringMatching(/aws:TokenIssueTime exists only on temporary credentials.*deactivate-access-key/),
    ]);
    expect(iam).toHaveReceivedCommandWith(PutUserPolicyCommand, {
      UserName: 'alice',
      PolicyName: CORDON_DENY_POLICY_NAME,
    });
  });

  it('says that a role statement hits every session of the role', async () => {
    const outcome = await runAction(
      revokeSessions,
      { ...envelope(), principalType: 'role', name: 'app-role' },
      actionEnvironment(clients),
    );
    expect(outcome.notes).toEqual([expect.stringContaining('every session of role app-role')]);
  });

  it('refuses service-linked roles with UnmodifiableRoleError', async () => {
    iam.on(GetRoleCommand).resolves({
      Role: role({ RoleName: 'AWSServiceRoleForECS', Path: '/aws-service-role/ecs.amazonaws.com/' }),
    });

    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name: 'AWSServiceRoleForECS' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'UnmodifiableRoleError', retryable: false });
    expect(iam).not.toHaveReceivedCommand(GetRolePolicyCommand);
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('refuses Identity Center roles', async () => {
    const name = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
    iam.on(GetRoleCommand).resolves({
      Role: role({ RoleName: name, Path: '/aws-reserved/sso.amazonaws.com/' }),
    });

    await expect(
      runAction(revokeSessions, { ...envelope(), principalType: 'role', name }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'UnmodifiableRoleError' });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it("keeps the other statements of Cordon's deny policy", async () => {
    const otherIncident = revokeOlderSessionsStatement('another-incident', new Date('2026-11-01T00:00:00Z'));
    const quarantine = quarantineInstanceStatement(INSTANCE_ARN);
    iam.on(GetRolePolicyCommand).resolves({
      RoleName: 'app-role',
      PolicyName: CORDON_DENY_POLICY_NAME,
      PolicyDocument: asIamReturnsIt({ Version: '2012-10-17', Statement: [otherIncident, quarantine] }),
    });

    await runAction(
      revokeSessions,
      { ...envelope(), principalType: 'role', name: 'app-role' },
      actionEnvironment(clients),
    );

    expect(written()[0]?.document.Statement).toEqual([
      otherIncident,
      quarantine,
      revokeOlderSessionsStatement(TEST_INCIDENT, TEST_NOW),
    ]);
  });

  it('keeps a statement another incident added between the plan and the write', async () => {
    const otherIncident = revokeOlderSessionsStatement('another-incident', new Date('2026-11-01T00:00:00Z'));
    iam
      .on(GetUserPolicyCommand)
      .rejectsOnce(noSuchEntity('The user policy with name cordon-deny cannot be found.'))
      .resolvesOnce({
        UserName: 'alice',
        PolicyName: CORDON_DENY_POLICY_NAME,
        PolicyDocument: asIamReturnsIt({ Version: '2012-10-17', Statement: [otherIncident] }),
      });

    await runAction(
      revokeSessions,
      { ...envelope(), principalType: 'user', name: 'alice' },
      actionEnvironment(clients),
    );

    expect(written()[0]?.document.Statement.map((statement) => statement.Sid)).toEqual([
      otherIncident.Sid,
      SID,
    ]);
  });

  it("only ever writes Cordon's own policy name", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('user' as const, 'role' as const),
        fc.stringMatching(/^[\w+=,.@-]{1,64}$/),
        async (principalType, name) => {
          iam.resetHistory();
          await runAction(revokeSessions, { ...envelope(), principalType, name }, actionEnvironment(clients));
          const policies = written();
          expect(policies).toHaveLength(1);
          expect(policies.every((policy) => policy.policyName === CORDON_DENY_POLICY_NAME)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
    const putActions = revokeSessions.permissions
      .flatMap((permission) => permission.actions)
      .filter((action) => /Put|Attach|Create/.test(action));
    expect(putActions).toEqual(['iam:PutUserPolicy', 'iam:PutRolePolicy']);
  });

  it('never overwrites a policy named cordon-deny that Cordon did not write', async () => {
    iam.on(GetUserPolicyCommand).resolves({
      UserName: 'alice',
      PolicyName: CORDON_DENY_POLICY_NAME,
      PolicyDocument: asIamReturnsIt({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
    });

    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'user', name: 'alice' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ActionFailedError', retryable: false });
    expect(iam).not.toHaveReceivedCommand(PutUserPolicyCommand);
  });

  it("treats this incident's statement already in place as done, keeping its original time", async () => {
    const earlier = revokeOlderSessionsStatement(TEST_INCIDENT, new Date('2026-11-28T09:59:00.000Z'));
    iam.on(GetUserPolicyCommand).resolves({
      UserName: 'alice',
      PolicyName: CORDON_DENY_POLICY_NAME,
      PolicyDocument: asIamReturnsIt({ Version: '2012-10-17', Statement: [earlier] }),
    });

    const outcome = await runAction(
      revokeSessions,
      { ...envelope(), principalType: 'user', name: 'alice' },
      actionEnvironment(clients),
    );

    expect(outcome).toMatchObject({
      status: 'already-done',
      output: { issuedBefore: '2026-11-28T09:59:00.000Z' },
    });
    expect(iam).not.toHaveReceivedCommand(PutUserPolicyCommand);
  });

  it('refuses a break-glass role and an exempt role before any change', async () => {
    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name: 'app-role' },
        actionEnvironment(clients, { breakGlassPrincipals: ['arn:aws:iam::123456789012:role/app-role'] }),
      ),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });

    iam.on(ListRoleTagsCommand).resolves({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] });
    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name: 'app-role' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('refuses an exempt user before any change', async () => {
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] });
    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'user', name: 'alice' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(iam).not.toHaveReceivedCommand(GetUserPolicyCommand);
    expect(iam).not.toHaveReceivedCommand(PutUserPolicyCommand);
  });

  it('makes no mutating call in dry-run, and records the statement it would add', async () => {
    const environment = actionEnvironment(clients);
    const outcome = await runAction(
      revokeSessions,
      { ...envelope(true), principalType: 'role', name: 'app-role' },
      environment,
    );

    expect(outcome).toMatchObject({
      status: 'dry-run',
      changes: [{ resource: 'app-role', attribute: 'inlinePolicy:cordon-deny', before: null }],
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('records the statement to remove on release before writing it', async () => {
    const environment = actionEnvironment(clients);
    await runAction(revokeSessions, { ...envelope(), principalType: 'role', name: 'app-role' }, environment);

    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'done']);
    expect(entries[0]?.restore).toEqual({ principalType: 'role', name: 'app-role', statementSid: SID });
  });

  it("turns IAM's refusal of a protected role into UnmodifiableRoleError", async () => {
    iam.on(PutRolePolicyCommand).rejects(
      Object.assign(new Error('Cannot perform the operation on the protected role'), {
        name: 'UnmodifiableEntityException',
        Code: 'UnmodifiableEntity',
      }),
    );

    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name: 'app-role' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({
      name: 'UnmodifiableRoleError',
      awsError: 'UnmodifiableEntity',
      message: 'IAM refused to change the protected role app-role.',
    });
  });

  it('reports a role that no longer exists as ResourceGoneError', async () => {
    iam.on(GetRoleCommand).rejects(noSuchEntity('The role with name app-role cannot be found.'));
    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name: 'app-role' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'ResourceGoneError', awsError: 'NoSuchEntity' });
  });

  it('rejects a principal type other than user or role', async () => {
    await expect(
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'group', name: 'admins' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  // Issue 18: the sentences on-call and auditors read, word for word.
  describe('what it says', () => {
    const at = TEST_NOW.toISOString();

    it('tells, for a user, that only STS sessions are denied and the key itself needs deactivate-access-key', async () => {
      const outcome = await runAction(
        revokeSessions,
        { ...envelope(), principalType: 'user', name: 'alice' },
        actionEnvironment(clients),
      );
      expect(outcome.notes).toEqual([
        `aws:TokenIssueTime exists only on temporary credentials: this denies STS sessions minted from alice's keys before ${at}, and does nothing against a long-term access key itself (deactivate-access-key handles that).`,
      ]);
      expect(outcome.output).toEqual({
        principalType: 'user',
        name: 'alice',
        statementSid: SID,
        issuedBefore: at,
      });
      expect(outcome.changes).toEqual([
        {
          resource: 'alice',
          attribute: 'inlinePolicy:cordon-deny',
          before: null,
          after: {
            Version: '2012-10-17',
            Statement: [revokeOlderSessionsStatement(TEST_INCIDENT, TEST_NOW)],
          },
        },
      ]);
    });

    it('tells, for a role, that every session of the role is denied, and when it already holds the statement', async () => {
      const earlier = new Date(TEST_NOW.getTime() - 60_000);
      iam.on(GetRolePolicyCommand).resolves({
        PolicyDocument: asIamReturnsIt({
          Version: '2012-10-17',
          Statement: [revokeOlderSessionsStatement(TEST_INCIDENT, earlier)],
        }),
      });
      const outcome = await runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name: 'app-role' },
        actionEnvironment(clients),
      );
      expect(outcome.notes).toEqual([
        `This denies every session of role app-role issued before ${earlier.toISOString()}, not only the suspicious one: workloads using the role must assume it again.`,
        "cordon-deny already holds this incident's statement.",
      ]);
      expect(outcome.status).toBe('already-done');
    });

    it('says how to get past a cordon-deny policy it did not write', async () => {
      iam.on(GetUserPolicyCommand).resolves({
        PolicyDocument: asIamReturnsIt({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      });
      await expect(
        runAction(
          revokeSessions,
          { ...envelope(), principalType: 'user', name: 'alice' },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({
        name: 'ActionFailedError',
        message:
          'The user alice has an inline policy named cordon-deny that Cordon did not write: refusing to overwrite it. Rename or remove it, then run the step again.',
      });
    });

    it('passes on a failed write that is not a protected role', async () => {
      iam
        .on(PutRolePolicyCommand)
        .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', Code: 'AccessDenied' }));
      await expect(
        runAction(
          revokeSessions,
          { ...envelope(), principalType: 'role', name: 'app-role' },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedError' });
    });
  });

  // Issue 18: which roles are refused and why, the role's tags on every page, and a statement written by a
  // concurrent run of this same step.
  describe('which roles it refuses', () => {
    const revokeRole = (name = 'app-role', settings: Record<string, unknown> = {}) =>
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name },
        actionEnvironment(clients, settings),
      );

    it('names a service-linked role and says only AWS may change it', async () => {
      iam.on(GetRoleCommand).resolves({
        Role: role({ RoleName: 'AWSServiceRoleForECS', Path: '/aws-service-role/ecs.amazonaws.com/' }),
      });
      await expect(revokeRole('AWSServiceRoleForECS')).rejects.toMatchObject({
        message: expect.stringMatching(
          /^AWSServiceRoleForECS is a service-linked role: only AWS may change it/,
        ),
      });
    });

    it('tells an Identity Center role by its name alone, or by its path alone', async () => {
      const message =
        "is an IAM Identity Center role: revoke the user's sessions in Identity Center instead.";
      iam
        .on(GetRoleCommand)
        .resolves({ Role: role({ RoleName: 'AWSReservedSSO_ReadOnly_0123', Path: '/' }) });
      await expect(revokeRole('AWSReservedSSO_ReadOnly_0123')).rejects.toMatchObject({
        name: 'UnmodifiableRoleError',
        message: `AWSReservedSSO_ReadOnly_0123 ${message}`,
      });
      iam.on(GetRoleCommand).resolves({
        Role: role({ RoleName: 'renamed', Path: '/aws-reserved/sso.amazonaws.com/eu-west-1/' }),
      });
      await expect(revokeRole('renamed')).rejects.toMatchObject({ name: 'UnmodifiableRoleError' });
      iam.on(GetRoleCommand).resolves({
        Role: role({ RoleName: 'team-AWSReservedSSO_x', Path: '/team/aws-reserved/sso.amazonaws.com/' }),
      });
      await expect(revokeRole('team-AWSReservedSSO_x')).resolves.toMatchObject({ status: 'done' });
    });

    it('refuses a role listed as break-glass by name, and one listed by its ARN', async () => {
      await expect(revokeRole('app-role', { breakGlassPrincipals: ['app-role'] })).rejects.toMatchObject({
        message: 'app-role is a break-glass principal: Cordon notifies and never acts on it.',
      });
      iam
        .on(GetRoleCommand)
        .resolves({ Role: role({ Path: '/ops/', Arn: 'arn:aws:iam::123456789012:role/ops/app-role' }) });
      await expect(
        revokeRole('app-role', { breakGlassPrincipals: ['arn:aws:iam::123456789012:role/ops/app-role'] }),
      ).rejects.toMatchObject({ name: 'ExemptResourceError' });
    });

    it('treats a role without a path as at the root, and reads every page of its tags', async () => {
      iam.on(GetRoleCommand).resolves({ Role: { ...role(), Path: undefined } as never });
      iam
        .on(ListRoleTagsCommand)
        .resolvesOnce({ Tags: [{ Key: 'team', Value: 'payments' }], IsTruncated: true, Marker: 'page-2' })
        .resolvesOnce({
          Tags: [{ Key: 'cordon:exempt', Value: 'true' }],
          IsTruncated: false,
          Marker: 'ignored',
        });
      await expect(revokeRole()).rejects.toMatchObject({
        name: 'ExemptResourceError',
        message:
          'IAM role app-role carries the exemption tag cordon:exempt=true: Cordon notifies and never acts on it.',
      });
      expect(iam.commandCalls(ListRoleTagsCommand).map((call) => call.args[0].input)).toEqual([
        { RoleName: 'app-role' },
        { RoleName: 'app-role', Marker: 'page-2' },
      ]);
    });

    it('keeps the time of a concurrent run of this step that wrote its statement first, and writes nothing', async () => {
      const earlier = new Date(TEST_NOW.getTime() - 5_000);
      iam
        .on(GetRolePolicyCommand)
        .rejectsOnce(noSuchEntity('The role policy with name cordon-deny cannot be found.'))
        .resolves({
          PolicyDocument: asIamReturnsIt({
            Version: '2012-10-17',
            Statement: [revokeOlderSessionsStatement(TEST_INCIDENT, earlier)],
          }),
        });
      const outcome = await revokeRole();
      expect(outcome.status).toBe('done');
      expect(outcome.output).toEqual({
        principalType: 'role',
        name: 'app-role',
        statementSid: SID,
        issuedBefore: earlier.toISOString(),
      });
      expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    });
  });

  describe('the time it reports', () => {
    const revokeRole = () =>
      runAction(
        revokeSessions,
        { ...envelope(), principalType: 'role', name: 'app-role' },
        actionEnvironment(clients),
      );
    const policyOf = (...statements: unknown[]) => ({
      PolicyDocument: asIamReturnsIt({ Version: '2012-10-17', Statement: statements }),
    });

    it("is now, whatever time another incident's statement holds", async () => {
      iam
        .on(GetRolePolicyCommand)
        .resolves(
          policyOf(revokeOlderSessionsStatement('another-incident', new Date('2026-11-01T00:00:00Z'))),
        );
      expect((await revokeRole()).output.issuedBefore).toBe(TEST_NOW.toISOString());
    });

    it("is now when this incident's statement holds no readable time", async () => {
      const own = revokeOlderSessionsStatement(TEST_INCIDENT, TEST_NOW);
      iam
        .on(GetRolePolicyCommand)
        .resolves(policyOf({ ...own, Condition: { DateLessThan: { 'aws:TokenIssueTime': ['x'] } } }));
      expect((await revokeRole()).output.issuedBefore).toBe(TEST_NOW.toISOString());
      iam
        .on(GetRolePolicyCommand)
        .resolves(policyOf({ ...own, Condition: { StringEquals: { 'aws:userid': 'x' } } }));
      expect((await revokeRole()).output.issuedBefore).toBe(TEST_NOW.toISOString());
    });

    it('works on a role IAM describes without details', async () => {
      iam.on(GetRoleCommand).resolves({});
      expect((await revokeRole()).status).toBe('done');
    });
  });
});
