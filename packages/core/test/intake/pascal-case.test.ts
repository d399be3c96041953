import { describe, expect, it } from 'vitest';
import { camelCaseKeys, isPascalCaseFinding } from '../../src/intake/pascal-case.ts';

// Issue 18: the unit tests of pascal-case.ts.
describe('camelCaseKeys', () => {
  it('lower-cases the first letter of PascalCase keys, deeply, and keeps values and other keys as they are', () => {
    expect(
      camelCaseKeys({
        InstanceDetails: { Ipv6Addresses: ['::1'], S3BucketDetails: [{ Name: 'b' }], Tags: null },
        'AWS::IAM::Role': { RoleName: 'r' },
        lowerCase: 1,
        X: true,
      }),
    ).toEqual({
      instanceDetails: { ipv6Addresses: ['::1'], s3BucketDetails: [{ name: 'b' }], tags: null },
      'AWS::IAM::Role': { roleName: 'r' },
      lowerCase: 1,
      X: true,
    });
  });

  it('returns what is not an object as it is', () => {
    expect(camelCaseKeys(null)).toBeNull();
    expect(camelCaseKeys('Text')).toBe('Text');
    expect(camelCaseKeys(7)).toBe(7);
  });
});

describe('isPascalCaseFinding', () => {
  it.each(['Id', 'Type', 'Resource', 'Service', 'AccountId'])(
    'takes a finding with a top-level %s for PascalCase',
    (key) => {
      expect(isPascalCaseFinding({ [key]: 'x' })).toBe(true);
    },
  );

  it('does not take a camelCase finding, nor one that has an id as well, nor an empty one', () => {
    expect(isPascalCaseFinding({ id: 'x', type: 'y' })).toBe(false);
    expect(isPascalCaseFinding({ Id: 'x', id: 'x' })).toBe(false);
    expect(isPascalCaseFinding({})).toBe(false);
    expect(isPascalCaseFinding({ '': 'x' })).toBe(false);
  });
});
