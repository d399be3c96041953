import { createHash } from 'node:crypto';
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  changeDenyPolicy,
  type DenyPolicyDocument,
  denyEntries,
  hasStatement,
  INLINE_POLICY_QUOTA,
  isQuarantined,
  parseDenyPolicy,
  policySize,
  QUARANTINE_SID,
  quarantinedInstances,
  quarantineInstanceStatement,
  readDenyPolicy,
  revokeOlderSessionsStatement,
  statementSid,
  withoutQuarantinedInstance,
  withoutStatement,
  withQuarantinedInstance,
  withStatement,
} from '../../src/actions/deny-policy.ts';
import { DenyPolicyFullError, EventualConsistencyError, UnmodifiableRoleError } from '../../src/errors.ts';
import { MemoryLedger } from '../../src/ledger/ledger.ts';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const INSTANCE_ARN = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890';
const sha16 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('the statements Cordon adds to its deny policy', () => {
  it('names a statement by its purpose and a hash of its key, so the same incident or instance gets the same Sid', () => {
    expect(statementSid('CordonRevokeSessions', 'incident-1')).toBe(
      `CordonRevokeSessions${sha16('incident-1')}`,
    );
    expect(statementSid('CordonQuarantineInstance', 'incident-1')).toBe(
      `CordonQuarantineInstance${sha16('incident-1')}`,
    );
    expect(statementSid('CordonRevokeSessions', 'incident-2')).not.toBe(
      statementSid('CordonRevokeSessions', 'incident-1'),
    );
  });

  it('revokes the sessions issued before now: deny everything to a token issued earlier', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
    expect(revokeOlderSessionsStatement('incident-1', NOW)).toEqual({
      Sid: `CordonRevokeSessions${sha16('incident-1')}`,
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-28T10:00:00.000Z' } },
    });
  });

  it("quarantines an instance's role credentials: deny everything to a call from that instance", () => {
    expect(quarantineInstanceStatement(INSTANCE_ARN)).toEqual({
      Sid: `CordonQuarantineInstance${sha16(INSTANCE_ARN)}`,
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { ArnEquals: { 'ec2:SourceInstanceARN': INSTANCE_ARN } },
    });
  });
});

describe('parseDenyPolicy', () => {
  const statement = revokeOlderSessionsStatement('incident-1', NOW);
  const document = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

  it('reads a JSON document, and the URL-encoded one IAM returns', () => {
    // GetUserPolicy/GetRolePolicy return the document URL-encoded (RFC 3986):
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUserPolicy.html
    const expected = { Version: '2012-10-17', Statement: [statement] };
    expect(parseDenyPolicy(document)).toEqual(expected);
    expect(parseDenyPolicy(`  ${document}`)).toEqual(expected);
    expect(parseDenyPolicy(encodeURIComponent(document))).toEqual(expected);
  });

  it('decodes only a document that is not already JSON: a plain one keeps its percent signs', () => {
    const withPercent = { ...statement, Condition: { StringLike: { 'aws:userid': 'AROA%2F*' } } };
    const plain = JSON.stringify({ Version: '2012-10-17', Statement: [withPercent] });
    expect(parseDenyPolicy(`  ${plain}`)?.Statement[0]?.Condition).toEqual({
      StringLike: { 'aws:userid': 'AROA%2F*' },
    });
    expect(parseDenyPolicy(encodeURIComponent(plain))?.Statement[0]?.Condition).toEqual({
      StringLike: { 'aws:userid': 'AROA%2F*' },
    });
  });

  it('reads nothing from no document, an empty one, bad encoding or bad JSON', () => {
    expect(parseDenyPolicy(undefined)).toBeUndefined();
    expect(parseDenyPolicy('')).toBeUndefined();
    expect(parseDenyPolicy('%E0%A4%A')).toBeUndefined();
    expect(parseDenyPolicy('{"Statement": [')).toBeUndefined();
    expect(parseDenyPolicy(encodeURIComponent('{"Statement": ['))).toBeUndefined();
  });

  it('does not take a policy that is not all Cordon-shaped denies as its own', () => {
    const policy = (statements: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
    expect(parseDenyPolicy(policy(statement))).toBeUndefined();
    expect(parseDenyPolicy(policy([statement, { ...statement, Effect: 'Allow' }]))).toBeUndefined();
    expect(parseDenyPolicy(policy([{ ...statement, Sid: undefined }]))).toBeUndefined();
    expect(parseDenyPolicy(JSON.stringify({ Version: '2012-10-17' }))).toBeUndefined();
  });
});

describe('withStatement, withoutStatement, hasStatement', () => {
  const first = revokeOlderSessionsStatement('incident-1', NOW);
  const second = quarantineInstanceStatement(INSTANCE_ARN);
  const both: DenyPolicyDocument = { Version: '2012-10-17', Statement: [first, second] };

  it('adds a statement once: the same Sid replaces the earlier one', () => {
    expect(withStatement(undefined, first)).toEqual({ Version: '2012-10-17', Statement: [first] });
    const later = revokeOlderSessionsStatement('incident-1', new Date('2026-11-28T11:00:00.000Z'));
    expect(withStatement(both, later)).toEqual({ Version: '2012-10-17', Statement: [second, later] });
  });

  it('removes only the statement with that Sid, and leaves no policy once none is left', () => {
    expect(withoutStatement(both, first.Sid)).toEqual({ Version: '2012-10-17', Statement: [second] });
    expect(withoutStatement({ Version: '2012-10-17', Statement: [first] }, first.Sid)).toBeUndefined();
    expect(withoutStatement(undefined, first.Sid)).toBeUndefined();
    expect(withoutStatement(both, 'CordonOther')).toEqual(both);
  });

  it('tells whether a policy has a statement', () => {
    expect(hasStatement(both, second.Sid)).toBe(true);
    expect(hasStatement({ Version: '2012-10-17', Statement: [first] }, second.Sid)).toBe(false);
    expect(hasStatement(undefined, first.Sid)).toBe(false);
  });
});

describe('readDenyPolicy', () => {
  // The instance, not the class: a class-wide mock would also answer other test files' IAM clients.
  const client = new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
  });
  const iam = mockClient(client);
  const statement = revokeOlderSessionsStatement('incident-1', NOW);
  const document = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }));

  beforeEach(() => {
    iam.reset();
  });

  it("reads a user's cordon-deny policy with GetUserPolicy and a role's with GetRolePolicy", async () => {
    iam
      .on(GetUserPolicyCommand)
      .resolves({ UserName: 'alice', PolicyName: 'cordon-deny', PolicyDocument: document });
    iam
      .on(GetRolePolicyCommand)
      .resolves({ RoleName: 'app', PolicyName: 'cordon-deny', PolicyDocument: document });
    const expected = { kind: 'cordon', policy: { Version: '2012-10-17', Statement: [statement] } };
    expect(await readDenyPolicy(client, { type: 'user', name: 'alice' })).toEqual(expected);
    expect(await readDenyPolicy(client, { type: 'role', name: 'app' })).toEqual(expected);
    expect(iam).toHaveReceivedCommandWith(GetUserPolicyCommand, {
      UserName: 'alice',
      PolicyName: 'cordon-deny',
    });
    expect(iam).toHaveReceivedCommandWith(GetRolePolicyCommand, {
      RoleName: 'app',
      PolicyName: 'cordon-deny',
    });
    expect(iam).toHaveReceivedCommandTimes(GetUserPolicyCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GetRolePolicyCommand, 1);
  });

  it('says absent when there is no such policy, and foreign when one of that name is not Cordon’s', async () => {
    iam
      .on(GetUserPolicyCommand)
      .rejects(
        Object.assign(new Error('not found'), { name: 'NoSuchEntityException', Code: 'NoSuchEntity' }),
      );
    expect(await readDenyPolicy(client, { type: 'user', name: 'alice' })).toEqual({ kind: 'absent' });
    iam.on(GetRolePolicyCommand).resolves({
      PolicyDocument: encodeURIComponent(
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] }),
      ),
    });
    expect(await readDenyPolicy(client, { type: 'role', name: 'app' })).toEqual({ kind: 'foreign' });
  });

  it('passes on any other failure', async () => {
    iam
      .on(GetRolePolicyCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDenied', Code: 'AccessDenied' }));
    await expect(readDenyPolicy(client, { type: 'role', name: 'app' })).rejects.toThrow('no');
  });
});

// Issue 18 (third wave): the quarantine list (one statement for every instance), the size IAM counts, and
// changeDenyPolicy's lease, quota and answers from IAM.
describe('the quarantine list', () => {
  const other = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0fff0000aaaa11112';
  const revoke = revokeOlderSessionsStatement('incident-1', NOW);

  it('folds every quarantined instance into one statement, once each, keeping the other statements first', () => {
    const policy = withQuarantinedInstance(
      withQuarantinedInstance(withStatement(undefined, revoke), INSTANCE_ARN),
      other,
    );
    expect(withQuarantinedInstance(policy, other)).toEqual(policy);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        revoke,
        {
          Sid: QUARANTINE_SID,
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { ArnEquals: { 'ec2:SourceInstanceARN': [INSTANCE_ARN, other] } },
        },
      ],
    });
    expect(quarantinedInstances(policy)).toEqual([INSTANCE_ARN, other]);
    expect(isQuarantined(policy, other)).toBe(true);
    expect(isQuarantined(withoutQuarantinedInstance(policy, other), other)).toBe(false);
    expect(denyEntries(policy)).toEqual([revoke.Sid, INSTANCE_ARN, other]);
  });

  it('reads and folds the older form, a statement per instance, into the list when next written', () => {
    const old = withStatement(undefined, quarantineInstanceStatement(INSTANCE_ARN));
    expect(quarantinedInstances(old)).toEqual([INSTANCE_ARN]);
    expect(withQuarantinedInstance(old, other).Statement).toEqual([
      expect.objectContaining({
        Sid: QUARANTINE_SID,
        Condition: { ArnEquals: { 'ec2:SourceInstanceARN': [INSTANCE_ARN, other] } },
      }),
    ]);
  });

  it('takes a statement for a quarantine by its Sid only: another Sid with the same condition is left alone', () => {
    const lookalike = { ...quarantineInstanceStatement(INSTANCE_ARN), Sid: 'SomeoneElses' };
    const policy = withStatement(undefined, lookalike);
    expect(quarantinedInstances(policy)).toEqual([]);
    expect(denyEntries(policy)).toEqual(['SomeoneElses']);
    expect(withQuarantinedInstance(policy, other).Statement[0]).toEqual(lookalike);
    // A quarantine Sid without the condition denies no instance.
    const bare = withStatement(undefined, { ...revoke, Sid: QUARANTINE_SID });
    expect(quarantinedInstances(bare)).toEqual([]);
  });

  it('leaves no policy once the last instance is released and nothing else is denied; keeps the rest otherwise', () => {
    const one = withQuarantinedInstance(undefined, INSTANCE_ARN);
    expect(withoutQuarantinedInstance(one, INSTANCE_ARN)).toBeUndefined();
    expect(withoutQuarantinedInstance(undefined, INSTANCE_ARN)).toBeUndefined();
    const mixed = withQuarantinedInstance(withStatement(undefined, revoke), INSTANCE_ARN);
    expect(withoutQuarantinedInstance(mixed, INSTANCE_ARN)).toEqual({
      Version: '2012-10-17',
      Statement: [revoke],
    });
    expect(quarantinedInstances(undefined)).toEqual([]);
    expect(denyEntries(undefined)).toEqual([]);
  });

  it('counts the characters IAM counts: the JSON without any white space', () => {
    const policy = withQuarantinedInstance(undefined, INSTANCE_ARN);
    expect(policySize(policy)).toBe(JSON.stringify(policy).length);
    const spaced = {
      ...policy,
      Statement: [{ ...policy.Statement[0], Sid: 'A B C' }],
    } as DenyPolicyDocument;
    expect(policySize(spaced)).toBe(JSON.stringify(spaced).length - 2);
    expect(INLINE_POLICY_QUOTA).toEqual({ role: 10_240, user: 2_048 });
  });
});

describe('changeDenyPolicy', () => {
  const client = new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
  });
  const iam = mockClient(client);
  const statement = revokeOlderSessionsStatement('incident-1', NOW);
  const stored = (policy: DenyPolicyDocument) => ({
    PolicyDocument: encodeURIComponent(JSON.stringify(policy)),
  });
  const noSuchEntity = Object.assign(new Error('not found'), {
    name: 'NoSuchEntityException',
    Code: 'NoSuchEntity',
  });
  const foreign = () => new Error('foreign policy');
  const role = { type: 'role', name: 'web-role' } as const;
  const user = { type: 'user', name: 'alice' } as const;

  function context(
    ledger: MemoryLedger | { append: () => Promise<void>; entries: () => Promise<[]> } = new MemoryLedger(),
  ) {
    const warnings: unknown[][] = [];
    return {
      warnings,
      context: {
        clients: { iam: client },
        ledger,
        account: '123456789012',
        incidentId: 'incident-1',
        step: 'revoke-sessions',
        now: () => NOW,
        logger: { warn: (...args: unknown[]) => warnings.push(args) },
      } as unknown as Parameters<typeof changeDenyPolicy>[0],
    };
  }

  beforeEach(() => {
    iam.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes a user's policy with PutUserPolicy and a role's with PutRolePolicy, named cordon-deny, saying before and after", async () => {
    iam.on(GetUserPolicyCommand).rejects(noSuchEntity);
    iam.on(GetRolePolicyCommand).resolves(stored(withStatement(undefined, statement)));
    iam.on(PutUserPolicyCommand).resolves({});
    iam.on(PutRolePolicyCommand).resolves({});
    const added = withQuarantinedInstance(undefined, INSTANCE_ARN);
    const forUser = await changeDenyPolicy(context().context, user, () => added, foreign);
    expect(forUser).toEqual({ before: undefined, after: added, written: true });
    expect(iam).toHaveReceivedCommandWith(PutUserPolicyCommand, {
      UserName: 'alice',
      PolicyName: 'cordon-deny',
      PolicyDocument: JSON.stringify(added),
    });
    const forRole = await changeDenyPolicy(
      context().context,
      role,
      (current) => withQuarantinedInstance(current, INSTANCE_ARN),
      foreign,
    );
    expect(forRole.before).toEqual(withStatement(undefined, statement));
    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, {
      RoleName: 'web-role',
      PolicyName: 'cordon-deny',
      PolicyDocument: JSON.stringify(
        withQuarantinedInstance(withStatement(undefined, statement), INSTANCE_ARN),
      ),
    });
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(PutUserPolicyCommand, 1);
  });

  it('writes nothing when the change says unchanged, and refuses a policy Cordon did not write with the error it is given', async () => {
    const current = withStatement(undefined, statement);
    iam.on(GetRolePolicyCommand).resolves(stored(current));
    expect(await changeDenyPolicy(context().context, role, () => 'unchanged', foreign)).toEqual({
      before: current,
      after: current,
      written: false,
    });
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: '{"Statement":[{"Effect":"Allow"}]}' });
    await expect(changeDenyPolicy(context().context, role, () => current, foreign)).rejects.toThrow(
      'foreign policy',
    );
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 0);
  });

  it("deletes a role's or a user's emptied policy (release-credentials empties a user's), taking an already deleted one as done; deletes nothing when the policy is absent", async () => {
    const current = withStatement(undefined, statement);
    iam.on(GetRolePolicyCommand).resolves(stored(current));
    iam.on(DeleteRolePolicyCommand).resolvesOnce({}).rejects(noSuchEntity);
    for (let round = 0; round < 2; round += 1) {
      expect(await changeDenyPolicy(context().context, role, () => undefined, foreign)).toEqual({
        before: current,
        after: undefined,
        written: true,
      });
    }
    expect(iam).toHaveReceivedCommandWith(DeleteRolePolicyCommand, {
      RoleName: 'web-role',
      PolicyName: 'cordon-deny',
    });
    iam
      .on(DeleteRolePolicyCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'NoSuchEntityException' }));
    expect((await changeDenyPolicy(context().context, role, () => undefined, foreign)).written).toBe(true);
    const denied = Object.assign(new Error('denied'), { name: 'AccessDenied', Code: 'AccessDenied' });
    iam.on(DeleteRolePolicyCommand).rejects(denied);
    await expect(changeDenyPolicy(context().context, role, () => undefined, foreign)).rejects.toBe(denied);

    iam.reset();
    iam.on(GetUserPolicyCommand).resolves(stored(current));
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity);
    iam.on(DeleteUserPolicyCommand).resolves({});
    expect(await changeDenyPolicy(context().context, user, () => undefined, foreign)).toEqual({
      before: current,
      after: undefined,
      written: true,
    });
    expect(iam).toHaveReceivedCommandWith(DeleteUserPolicyCommand, {
      UserName: user.name,
      PolicyName: 'cordon-deny',
    });
    expect(await changeDenyPolicy(context().context, role, () => undefined, foreign)).toEqual({
      before: undefined,
      after: undefined,
      written: false,
    });
    expect(iam).toHaveReceivedCommandTimes(DeleteRolePolicyCommand, 0);
  });

  it("refuses, before any write, a policy past the principal's quota, and takes IAM's LimitExceeded the same way", async () => {
    iam.on(GetUserPolicyCommand).rejects(noSuchEntity);
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity);
    // A user's quota is 2,048 characters: some 20 instances of 100 characters do not fit.
    let big: DenyPolicyDocument | undefined;
    for (
      let n = 0;
      policySize(big ?? withQuarantinedInstance(undefined, INSTANCE_ARN)) <= INLINE_POLICY_QUOTA.user;
      n += 1
    ) {
      big = withQuarantinedInstance(big, `${INSTANCE_ARN}${'0'.repeat(40)}${n}`);
    }
    const size = policySize(big as DenyPolicyDocument);
    const full = changeDenyPolicy(context().context, user, () => big, foreign);
    await expect(full).rejects.toBeInstanceOf(DenyPolicyFullError);
    await expect(changeDenyPolicy(context().context, user, () => big, foreign)).rejects.toMatchObject({
      awsError: 'PolicySizeQuota',
      message: `The user alice's cordon-deny would hold ${size} characters: IAM allows 2,048 characters for all of a user's inline policies (white space not counted). Nothing was written. To deny its sessions anyway, approve revoking every session of user alice (docs/actions.md, "When cordon-deny is full").`,
    });
    expect(iam).toHaveReceivedCommandTimes(PutUserPolicyCommand, 0);
    // The same policy fits a role's 10,240.
    iam.on(PutRolePolicyCommand).resolves({});
    expect((await changeDenyPolicy(context().context, role, () => big, foreign)).written).toBe(true);

    const small = withQuarantinedInstance(undefined, INSTANCE_ARN);
    const smallSize = policySize(small);
    for (const name of ['LimitExceeded', 'LimitExceededException']) {
      const limit = Object.assign(new Error('too big'), { name });
      iam.on(PutRolePolicyCommand).rejects(limit);
      await expect(changeDenyPolicy(context().context, role, () => small, foreign)).rejects.toMatchObject({
        name: 'DenyPolicyFullError',
        awsError: name,
        cause: limit,
        message: expect.stringContaining(
          `The role web-role's cordon-deny with its other inline policies would pass IAM's quota (${smallSize} characters of its own): IAM allows 10,240 characters`,
        ),
      });
    }
  });

  it("writes a policy of exactly the principal's quota, and refuses one a character over it", async () => {
    iam.on(GetUserPolicyCommand).rejects(noSuchEntity);
    iam.on(PutUserPolicyCommand).resolves({});
    const sized = (length: number) => withQuarantinedInstance(undefined, 'a'.repeat(length));
    const exact = INLINE_POLICY_QUOTA.user - policySize(sized(0));
    expect(policySize(sized(exact))).toBe(INLINE_POLICY_QUOTA.user);
    expect((await changeDenyPolicy(context().context, user, () => sized(exact), foreign)).written).toBe(true);
    await expect(
      changeDenyPolicy(context().context, user, () => sized(exact + 1), foreign),
    ).rejects.toBeInstanceOf(DenyPolicyFullError);
    expect(iam).toHaveReceivedCommandTimes(PutUserPolicyCommand, 1);
  });

  it('says a protected role is unmodifiable, and passes any other failure of the write on', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity);
    const small = withQuarantinedInstance(undefined, INSTANCE_ARN);
    for (const name of ['UnmodifiableEntity', 'UnmodifiableEntityException']) {
      const refusal = Object.assign(new Error('protected'), { name });
      iam.on(PutRolePolicyCommand).rejects(refusal);
      const attempt = changeDenyPolicy(context().context, role, () => small, foreign);
      await expect(attempt).rejects.toBeInstanceOf(UnmodifiableRoleError);
      await expect(changeDenyPolicy(context().context, role, () => small, foreign)).rejects.toMatchObject({
        message: 'IAM refused to change the protected role web-role.',
        awsError: name,
        cause: refusal,
      });
    }
    const throttled = Object.assign(new Error('slow down'), { name: 'Throttling' });
    iam.on(PutRolePolicyCommand).rejects(throttled);
    await expect(changeDenyPolicy(context().context, role, () => small, foreign)).rejects.toBe(throttled);
  });

  it("holds the principal's lease in the account while it reads and writes, and gives it back after, even after a failure", async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity);
    iam.on(PutRolePolicyCommand).resolves({});
    const ledger = new MemoryLedger();
    const acquire = vi.spyOn(ledger, 'acquireLease');
    const release = vi.spyOn(ledger, 'releaseLease');
    await changeDenyPolicy(
      context(ledger).context,
      role,
      () => withQuarantinedInstance(undefined, INSTANCE_ARN),
      foreign,
    );
    expect(acquire).toHaveBeenCalledWith(
      'deny-policy#123456789012#role#web-role',
      'incident-1#revoke-sessions',
      new Date(NOW.getTime() + 60_000),
      NOW,
    );
    expect(release).toHaveBeenCalledWith(
      'deny-policy#123456789012#role#web-role',
      'incident-1#revoke-sessions',
    );
    // The lease is free again: another incident takes it at once.
    expect(
      await ledger.acquireLease('deny-policy#123456789012#role#web-role', 'other#step', NOW, NOW),
    ).toEqual({ acquired: true });

    const failing = new MemoryLedger();
    iam.on(PutRolePolicyCommand).rejects(Object.assign(new Error('slow down'), { name: 'Throttling' }));
    await expect(
      changeDenyPolicy(
        context(failing).context,
        role,
        () => withQuarantinedInstance(undefined, INSTANCE_ARN),
        foreign,
      ),
    ).rejects.toThrow('slow down');
    expect(
      await failing.acquireLease('deny-policy#123456789012#role#web-role', 'other#step', NOW, NOW),
    ).toEqual({ acquired: true });
  });

  it('runs at once on a ledger without leases, and logs a lease it could not give back without failing the change', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity);
    iam.on(PutRolePolicyCommand).resolves({});
    const bare = { append: async () => undefined, entries: async () => [] as [] };
    const change = () => withQuarantinedInstance(undefined, INSTANCE_ARN);
    expect((await changeDenyPolicy(context(bare).context, role, change, foreign)).written).toBe(true);

    const ledger = new MemoryLedger();
    vi.spyOn(ledger, 'releaseLease').mockRejectedValue(new Error('table gone'));
    const { context: withWarnings, warnings } = context(ledger);
    expect((await changeDenyPolicy(withWarnings, role, change, foreign)).written).toBe(true);
    expect(warnings).toEqual([
      [
        "revoke-sessions: could not give back the lease on web-role's deny policy",
        { error: 'Error: table gone' },
      ],
    ]);
  });

  it('waits for another writer, and gives up with EventualConsistencyError naming it after about six seconds', async () => {
    vi.useFakeTimers();
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity);
    iam.on(PutRolePolicyCommand).resolves({});
    const key = 'deny-policy#123456789012#role#web-role';
    const change = () => withQuarantinedInstance(undefined, INSTANCE_ARN);

    // Held by another step, then given back: the change goes through after a wait, writing once.
    const ledger = new MemoryLedger();
    await ledger.acquireLease(key, 'incident-2#quarantine', new Date(NOW.getTime() + 60_000), NOW);
    const waited = changeDenyPolicy(context(ledger).context, role, change, foreign);
    await vi.advanceTimersByTimeAsync(10);
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 0);
    await ledger.releaseLease(key, 'incident-2#quarantine');
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await waited).written).toBe(true);

    // Held throughout: eight waits of 25 ms to 2.4 s (each half to all of it), then the step fails, writing nothing.
    iam.resetHistory();
    const held = new MemoryLedger();
    await held.acquireLease(key, 'incident-2#quarantine', new Date(NOW.getTime() + 60_000), NOW);
    const acquire = vi.spyOn(held, 'acquireLease');
    const blocked = changeDenyPolicy(context(held).context, role, change, foreign);
    const outcome = blocked.then(
      () => 'written',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(2_799);
    expect(acquire.mock.calls.length).toBeLessThan(9);
    await vi.advanceTimersByTimeAsync(6_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(EventualConsistencyError);
    expect(error).toMatchObject({
      message:
        "Cordon's deny policy on role web-role is being changed by incident-2#quarantine: this step is tried again once that is done.",
    });
    expect(acquire).toHaveBeenCalledTimes(9);
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 0);
  });
});
