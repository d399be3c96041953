import { describe, expect, it } from 'vitest';
import {
  postureKindOf,
  postureResourceTypes,
  TARGET_KIND_IDS,
  TARGET_KINDS,
} from '../../src/playbooks/target-kinds.ts';

describe('the posture target kinds', () => {
  it('name a resource type in the same id field whichever kind takes it, so the execution target is one', () => {
    // Arrange: every (resource type, id field) pair the posture kinds declare.
    const fieldsOfType = new Map<string, Set<string>>();
    for (const kind of TARGET_KIND_IDS) {
      const posture = TARGET_KINDS[kind].posture;
      if (posture === undefined) continue;
      for (const type of postureResourceTypes(posture)) {
        fieldsOfType.set(type, (fieldsOfType.get(type) ?? new Set()).add(posture.idField));
      }
    }

    // Assess
    for (const [type, fields] of fieldsOfType)
      expect([type, [...fields]]).toEqual([type, [expect.any(String)]]);
  });

  it('give no two kinds the same own resource type', () => {
    // Arrange
    const own = TARGET_KIND_IDS.flatMap((kind) => TARGET_KINDS[kind].posture?.resourceType ?? []);

    // Assess
    expect(own.length).toBe(new Set(own).size);
  });

  it.each([
    ['AWS::::Account', 'account'],
    ['AWS::S3::AccountPublicAccessBlock', 's3-account'],
    ['AWS::CloudTrail::Trail', 'trail'],
    ['AWS::S3::Bucket', 's3-bucket'],
  ])('route %s to the kind that owns it (%s), whose id field is the target’s', (type, kind) => {
    // Act
    const found = postureKindOf(type);

    // Assess
    expect(found).toBe(kind);
  });

  it("let the account's Block Public Access kind take the account itself, as its periodic rule names it", () => {
    // Arrange
    const s3Account = TARGET_KINDS['s3-account'].posture;
    const account = TARGET_KINDS.account.posture;

    // Assess
    expect(s3Account && postureResourceTypes(s3Account)).toContain('AWS::::Account');
    expect(s3Account?.idField).toBe(account?.idField);
  });
});
