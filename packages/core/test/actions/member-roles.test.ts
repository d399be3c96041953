import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/actions/catalog.ts';
import { actionRoleName, ROLE_PREFIX_MAX_LENGTH } from '../../src/actions/member-roles.ts';

describe('actionRoleName', () => {
  it("names an action's member role <prefix>-<action id>", () => {
    // Act
    const name = actionRoleName({ responder: { roleName: 'CordonResponder' } }, 'isolate-instance');

    // Assess
    expect(name).toBe('CordonResponder-isolate-instance');
  });

  // IAM: "Role name: 64 characters" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
  it('stays within the 64 characters of an IAM role name for every action with the longest prefix allowed', () => {
    // Prepare
    const prefix = 'P'.repeat(ROLE_PREFIX_MAX_LENGTH);

    // Act
    const lengths = ACTION_IDS.map((id) => actionRoleName({ responder: { roleName: prefix } }, id).length);

    // Assess: every name fits, and the longest action id takes the whole 64 (the limit is not looser than it must be)
    expect(Math.max(...lengths)).toBe(64);
  });
});
