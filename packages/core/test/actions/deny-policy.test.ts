import { createHash } from 'node:crypto';
import { GetRolePolicyCommand, GetUserPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type DenyPolicyDocument,
  hasStatement,
  parseDenyPolicy,
  quarantineInstanceStatement,
  readDenyPolicy,
  revokeOlderSessionsStatement,
  statementSid,
  withoutStatement,
  withStatement,
} from '../../src/actions/deny-policy.ts';

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
