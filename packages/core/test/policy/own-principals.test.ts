import { describe, expect, it } from 'vitest';
import { FUNCTIONS, RESPONDER_FUNCTION_IDS } from '../../../../infra/functions.ts';
import { ACTION_IDS, ACTIONS } from '../../src/actions/catalog.ts';
import type { AccessKeyResource } from '../../src/intake/incident.ts';
import {
  CORDON_FUNCTION_IDS,
  cordonRoleArns,
  MEMBER_ROLE_ACTION_IDS,
  principalArnOf,
} from '../../src/policy/own-principals.ts';
import { DEFAULT_SETTINGS } from '../../src/policy/settings.ts';

function key(fields: Partial<AccessKeyResource>): AccessKeyResource {
  return { kind: 'access-key', role: 'compromised', ...fields } as AccessKeyResource;
}

describe("Cordon's own roles", () => {
  it("are derived from infra's functions: one role per deployed function, named like it", () => {
    expect([...CORDON_FUNCTION_IDS].sort()).toEqual(FUNCTIONS.map((spec) => spec.id).sort());
    // Every action is deployed as a function (the catalog is what infra builds from).
    expect(ACTION_IDS.every((id) => (CORDON_FUNCTION_IDS as readonly string[]).includes(id))).toBe(true);
  });

  it("are, in member accounts, the roles infra's member-account template creates for the acting functions", () => {
    expect([...MEMBER_ROLE_ACTION_IDS].sort()).toEqual([...RESPONDER_FUNCTION_IDS].sort());
    expect([...MEMBER_ROLE_ACTION_IDS].sort()).toEqual(
      ACTION_IDS.filter((id) => ACTIONS[id].mutating).sort(),
    );
  });

  it('are function roles only in the home account; member roles in any account', () => {
    const identity = { stage: 'prod', homeAccount: '111111111111' };
    const home = cordonRoleArns('111111111111', DEFAULT_SETTINGS, identity);
    const member = cordonRoleArns('222222222222', DEFAULT_SETTINGS, identity);
    expect(home.has('arn:aws:iam::111111111111:role/cordon-prod-triage')).toBe(true);
    expect(member.has('arn:aws:iam::222222222222:role/cordon-prod-triage')).toBe(false);
    expect(member.has('arn:aws:iam::222222222222:role/CordonResponder-contain-instance')).toBe(true);
    expect(member.has('arn:aws:iam::222222222222:role/CordonResponderObserver')).toBe(true);
    // notify changes nothing in an account: it has no member role.
    expect(member.has('arn:aws:iam::222222222222:role/CordonResponder-notify')).toBe(false);
  });
});

describe('principalArnOf', () => {
  it('is a role for a role session, a user for an IAM user, nothing for root or an unnamed principal', () => {
    expect(principalArnOf(key({ userName: 'web', userType: 'AssumedRole' }), '123456789012')).toBe(
      'arn:aws:iam::123456789012:role/web',
    );
    expect(principalArnOf(key({ userName: 'web', keyType: 'temporary' }), '123456789012')).toBe(
      'arn:aws:iam::123456789012:role/web',
    );
    expect(principalArnOf(key({ userName: 'alice', userType: 'IAMUser' }), '123456789012')).toBe(
      'arn:aws:iam::123456789012:user/alice',
    );
    expect(principalArnOf(key({ userName: 'Root', userType: 'Root' }), '123456789012')).toBeUndefined();
    expect(principalArnOf(key({ userType: 'AssumedRole' }), '123456789012')).toBeUndefined();
  });
});
