import { describe, expect, it } from 'vitest';
import { isPublicPolicy, validBucketPolicy } from '../../../src/sandbox/models/s3-policy.ts';

const BUCKET = 'reports-bucket';

function statements(...list: object[]) {
  return validBucketPolicy(JSON.stringify({ Version: '2012-10-17', Statement: list }), BUCKET);
}

const read = { Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` };

describe('isPublicPolicy (S3’s “meaning of public”)', () => {
  it.each([
    ['everyone', { Effect: 'Allow', Principal: '*', ...read }, true],
    ['every AWS principal', { Effect: 'Allow', Principal: { AWS: '*' }, ...read }, true],
    [
      'a federated identity provider',
      { Effect: 'Allow', Principal: { Federated: 'graph.facebook.com' }, ...read },
      true,
    ],
    [
      'NotPrincipal with Allow',
      { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, ...read },
      true,
    ],
    [
      'a named account',
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, ...read },
      false,
    ],
    [
      'a service principal',
      { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, ...read },
      false,
    ],
    ['everyone, denied', { Effect: 'Deny', Principal: '*', ...read }, false],
    [
      'everyone from one organization',
      {
        Effect: 'Allow',
        Principal: '*',
        ...read,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
      },
      false,
    ],
    [
      'everyone from a VPC pattern',
      { Effect: 'Allow', Principal: '*', ...read, Condition: { StringLike: { 'aws:SourceVpc': 'vpc-*' } } },
      true,
    ],
    [
      'everyone except one account (a negated operator pins nothing)',
      {
        Effect: 'Allow',
        Principal: '*',
        ...read,
        Condition: { StringNotEquals: { 'aws:SourceAccount': '111122223333' } },
      },
      true,
    ],
    [
      'everyone from a /24',
      {
        Effect: 'Allow',
        Principal: '*',
        ...read,
        Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
      },
      false,
    ],
    [
      'everyone from a /1',
      { Effect: 'Allow', Principal: '*', ...read, Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } } },
      true,
    ],
    [
      'everyone, only over TLS (a key that restricts no one)',
      { Effect: 'Allow', Principal: '*', ...read, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      true,
    ],
  ])('%s → public: %s', (_case, statement, expected) => {
    expect(isPublicPolicy(statements(statement))).toBe(expected);
  });
});
