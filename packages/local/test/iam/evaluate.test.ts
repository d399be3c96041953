import { describe, expect, it } from 'vitest';
import { conditionHolds } from '../../src/iam/conditions.ts';
import { IamPolicyInvalidError, IamPolicyUnsupportedError } from '../../src/iam/errors.ts';
import { evaluate, evaluateTrust, type IamRequest } from '../../src/iam/evaluate.ts';
import { type PolicyDocument, parsePolicy } from '../../src/iam/policy.ts';
import { resourceMatches } from '../../src/iam/wildcard.ts';

const ACCOUNT = '111122223333';
const INSTANCE = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;

function policy(...statements: PolicyDocument['Statement'][]): ReturnType<typeof parsePolicy> {
  return parsePolicy({ Version: '2012-10-17', Statement: statements.flat() as never }, 'test');
}

function request(action: string, arn: string, context: IamRequest['context'] = {}): IamRequest {
  return { action, resources: [{ arn }], context };
}

describe('evaluate (IAM policy evaluation logic)', () => {
  it('denies implicitly when no statement allows the request', () => {
    const statements = policy({ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' });

    expect(evaluate(statements, request('ec2:StopInstances', INSTANCE)).answer).toBe('implicit-deny');
  });

  it('allows what an Allow statement matches, and says which statement', () => {
    const statements = policy({
      Sid: 'Stop',
      Effect: 'Allow',
      Action: 'ec2:StopInstances',
      Resource: `arn:aws:ec2:*:${ACCOUNT}:instance/*`,
    });

    expect(evaluate(statements, request('ec2:StopInstances', INSTANCE))).toEqual({
      answer: 'allowed',
      reason: 'allowed by test#Stop',
      allowedBy: ['test#Stop'],
    });
  });

  it('lets an explicit Deny override an Allow', () => {
    const statements = policy(
      { Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
      { Sid: 'No', Effect: 'Deny', Action: 'ec2:StopInstances', Resource: '*' },
    );

    expect(evaluate(statements, request('ec2:StopInstances', INSTANCE))).toMatchObject({
      answer: 'explicit-deny',
      reason: expect.stringContaining('test#No'),
    });
  });

  it('matches action names case-insensitively, resources case-sensitively', () => {
    const statements = policy({
      Effect: 'Allow',
      Action: 'EC2:stopinstances',
      Resource: `arn:aws:iam::${ACCOUNT}:user/Bob`,
    });

    expect(
      evaluate(statements, request('ec2:StopInstances', `arn:aws:iam::${ACCOUNT}:user/Bob`)).answer,
    ).toBe('allowed');
    expect(
      evaluate(statements, request('ec2:StopInstances', `arn:aws:iam::${ACCOUNT}:user/bob`)).answer,
    ).toBe('implicit-deny');
  });

  it('never matches an action with no resource type (resource *) with a statement that names a resource', () => {
    const onMachines = policy({
      Effect: 'Allow',
      Action: ['states:SendTaskSuccess'],
      Resource: [`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:cordon-test-ec2-compromise`],
    });
    const onAll = policy({ Effect: 'Allow', Action: ['states:SendTaskSuccess'], Resource: '*' });

    expect(evaluate(onMachines, request('states:SendTaskSuccess', '*')).answer).toBe('implicit-deny');
    expect(evaluate(onAll, request('states:SendTaskSuccess', '*')).answer).toBe('allowed');
  });

  it('honours NotAction and NotResource', () => {
    const statements = policy(
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'ec2:*', NotResource: `arn:aws:ec2:*:${ACCOUNT}:instance/*` },
    );

    expect(evaluate(statements, request('iam:GetUser', '*')).answer).toBe('implicit-deny');
    expect(evaluate(statements, request('ec2:StopInstances', INSTANCE)).answer).toBe('allowed');
    expect(
      evaluate(statements, request('ec2:DeleteVolume', `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-1`))
        .answer,
    ).toBe('explicit-deny');
  });

  it('needs every resource of a request allowed, each with its own context', () => {
    const statements = policy(
      {
        Effect: 'Allow',
        Action: 'ec2:ModifyNetworkInterfaceAttribute',
        Resource: [`arn:aws:ec2:*:${ACCOUNT}:network-interface/*`],
      },
      {
        Effect: 'Allow',
        Action: 'ec2:ModifyNetworkInterfaceAttribute',
        Resource: `arn:aws:ec2:*:${ACCOUNT}:security-group/*`,
        Condition: { StringEquals: { 'aws:ResourceTag/cordon:managed': 'true' } },
      },
    );
    const modify = (groupTags: Record<string, string>, withInstance: boolean): IamRequest => ({
      action: 'ec2:ModifyNetworkInterfaceAttribute',
      resources: [
        { arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-1`, type: 'network-interface' },
        {
          arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-1`,
          type: 'security-group',
          context: groupTags,
        },
        ...(withInstance ? [{ arn: INSTANCE, type: 'instance' }] : []),
      ],
      context: {},
    });

    expect(evaluate(statements, modify({ 'aws:ResourceTag/cordon:managed': 'true' }, false)).answer).toBe(
      'allowed',
    );
    expect(evaluate(statements, modify({}, false)).answer).toBe('implicit-deny');
    expect(evaluate(statements, modify({ 'aws:ResourceTag/cordon:managed': 'true' }, true))).toMatchObject({
      answer: 'implicit-deny',
      reason: expect.stringContaining('(instance)'),
    });
  });

  it('refuses a statement without Effect, without Action, or with a short ARN (named errors)', () => {
    expect(() => parsePolicy({ Statement: { Effect: 'allow', Action: 'x:Y', Resource: '*' } }, 'p')).toThrow(
      IamPolicyInvalidError,
    );
    expect(() => parsePolicy({ Statement: { Effect: 'Allow', Resource: '*' } }, 'p')).toThrow(
      IamPolicyInvalidError,
    );
    const short = policy({ Effect: 'Allow', Action: 'x:Y', Resource: 'arn:aws:s3' });
    expect(() => evaluate(short, request('x:Y', INSTANCE))).toThrow(IamPolicyInvalidError);
  });

  it('refuses policy variables and operators it does not implement rather than guess', () => {
    expect(() =>
      policy({
        Effect: 'Allow',
        Action: 'iam:GetUser',
        Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`,
      }),
    ).toThrow(IamPolicyUnsupportedError);
    expect(() =>
      conditionHolds({ operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] }, {}),
    ).toThrow(IamPolicyUnsupportedError);
  });
});

describe('resourceMatches', () => {
  it('compares the ARN part by part, the resource part with its slashes and colons as a whole', () => {
    expect(resourceMatches('arn:aws:ec2:*:*:instance/*', INSTANCE)).toBe(true);
    expect(resourceMatches('arn:aws:ec2:us-west-2:*:instance/*', INSTANCE)).toBe(false);
    expect(
      resourceMatches('arn:aws:iam::*:role/cordon-*', `arn:aws:iam::${ACCOUNT}:role/cordon-x-triage`),
    ).toBe(true);
    expect(resourceMatches('arn:aws:iam::*:role/cordon-*', `arn:aws:iam::${ACCOUNT}:role/app`)).toBe(false);
    expect(
      resourceMatches(
        'arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*',
        `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:1a2b:autoScalingGroupName/web`,
      ),
    ).toBe(true);
    expect(
      resourceMatches(
        'arn:aws:sns:*:*:cordon-?-notifications',
        'arn:aws:sns:us-east-1:1:cordon-a-notifications',
      ),
    ).toBe(true);
  });
});

describe('conditions (IAM semantics for missing and multivalued keys)', () => {
  const tagKeys = (operator: string, values: string[]) => ({ operator, key: 'aws:TagKeys', values });

  it('ForAllValues is true when the request names no such key (the DeleteTags hole)', () => {
    expect(conditionHolds(tagKeys('ForAllValues:StringLike', ['cordon:*']), {})).toBe(true);
    expect(
      conditionHolds(tagKeys('ForAllValues:StringLike', ['cordon:*']), { 'aws:TagKeys': ['cordon:a'] }),
    ).toBe(true);
    expect(
      conditionHolds(tagKeys('ForAllValues:StringLike', ['cordon:*']), {
        'aws:TagKeys': ['cordon:a', 'owner'],
      }),
    ).toBe(false);
  });

  it('ForAnyValue is false when the key is missing, true when one value matches', () => {
    expect(conditionHolds(tagKeys('ForAnyValue:StringEquals', ['cordon:exempt']), {})).toBe(false);
    expect(
      conditionHolds(tagKeys('ForAnyValue:StringEquals', ['cordon:exempt']), {
        'aws:TagKeys': ['a', 'cordon:exempt'],
      }),
    ).toBe(true);
  });

  it('Null tests presence: Null false needs the key, Null true its absence', () => {
    expect(conditionHolds(tagKeys('Null', ['false']), {})).toBe(false);
    expect(conditionHolds(tagKeys('Null', ['false']), { 'aws:TagKeys': ['x'] })).toBe(true);
    expect(conditionHolds(tagKeys('Null', ['true']), {})).toBe(true);
  });

  it('a missing key fails a positive operator, satisfies a negated one and any …IfExists', () => {
    const key = 'aws:ResourceTag/cordon:managed';
    expect(conditionHolds({ operator: 'StringEquals', key, values: ['true'] }, {})).toBe(false);
    expect(conditionHolds({ operator: 'StringNotEquals', key, values: ['true'] }, {})).toBe(true);
    expect(conditionHolds({ operator: 'StringEqualsIfExists', key, values: ['true'] }, {})).toBe(true);
    expect(
      conditionHolds(
        { operator: 'ArnNotLike', key: 'aws:PrincipalArn', values: ['arn:aws:iam::*:role/x'] },
        {},
      ),
    ).toBe(true);
  });

  it('ORs the values of one key, NORs them for a negated operator, and compares keys case-insensitively', () => {
    const test = { operator: 'StringEquals', key: 'iam:PassedToService', values: ['ec2.amazonaws.com', 'x'] };
    expect(conditionHolds(test, { 'IAM:passedToService': 'ec2.amazonaws.com' })).toBe(true);
    expect(conditionHolds({ ...test, operator: 'StringNotEquals' }, { 'iam:PassedToService': 'x' })).toBe(
      false,
    );
    expect(conditionHolds({ ...test, operator: 'StringNotEquals' }, { 'iam:PassedToService': 'y' })).toBe(
      true,
    );
  });

  it('a multivalued key without a set operator matches nothing', () => {
    expect(conditionHolds(tagKeys('StringEquals', ['a']), { 'aws:TagKeys': ['a'] })).toBe(false);
  });

  it('compares ARNs part by part, dates, numbers and booleans', () => {
    const principal = { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/cordon-prod-isolate-instance` };
    expect(
      conditionHolds(
        {
          operator: 'ArnLike',
          key: 'aws:PrincipalArn',
          values: [`arn:aws:iam::${ACCOUNT}:role/cordon-*-isolate-instance`],
        },
        principal,
      ),
    ).toBe(true);
    expect(
      conditionHolds(
        {
          operator: 'ArnLike',
          key: 'aws:PrincipalArn',
          values: [`arn:aws:iam::${ACCOUNT}:role/cordon-*-release-instance`],
        },
        principal,
      ),
    ).toBe(false);
    const issued = { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' };
    expect(
      conditionHolds(
        { operator: 'DateLessThan', key: 'aws:TokenIssueTime', values: ['2026-01-02T00:00:00Z'] },
        issued,
      ),
    ).toBe(true);
    expect(
      conditionHolds({ operator: 'DateLessThan', key: 'aws:TokenIssueTime', values: ['1767225600'] }, issued),
    ).toBe(false);
    expect(conditionHolds({ operator: 'NumericLessThan', key: 'n', values: ['10'] }, { n: '9' })).toBe(true);
    expect(
      conditionHolds(
        { operator: 'Bool', key: 'aws:SecureTransport', values: ['true'] },
        { 'aws:SecureTransport': 'TRUE' },
      ),
    ).toBe(true);
  });
});

describe('evaluateTrust (a role trust policy)', () => {
  const trust = parsePolicy(
    {
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'sts:ExternalId': 'x-1' },
          ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/cordon-*-isolate-instance` },
        },
      },
    },
    'trust',
  );

  it('trusts the named function of any stage, with the external id, and no other', () => {
    const caller = `arn:aws:iam::${ACCOUNT}:role/cordon-eu-isolate-instance`;
    const context = (arn: string, externalId = 'x-1') => ({
      'aws:PrincipalArn': arn,
      'sts:ExternalId': externalId,
    });

    expect(evaluateTrust(trust, caller, context(caller)).answer).toBe('allowed');
    expect(evaluateTrust(trust, caller, context(caller, 'wrong')).answer).toBe('implicit-deny');
    const other = `arn:aws:iam::${ACCOUNT}:role/cordon-eu-snapshot-volumes`;
    expect(evaluateTrust(trust, other, context(other)).answer).toBe('implicit-deny');
    const stranger = 'arn:aws:iam::999999999999:role/cordon-eu-isolate-instance';
    expect(evaluateTrust(trust, stranger, context(stranger)).answer).toBe('implicit-deny');
  });
});
