import { describe, expect, it } from 'vitest';
import { FUNCTIONS, RESPONDER_FUNCTION_IDS } from '../../../../infra/functions.ts';
import { ACTION_IDS, ACTIONS } from '../../src/actions/catalog.ts';
import type { AccessKeyResource } from '../../src/intake/incident.ts';
import {
  CORDON_FUNCTION_IDS,
  cordonRoleArns,
  MEMBER_ROLE_ACTION_IDS,
  ownPrincipalVerdict,
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

describe('principalArnOf, each rule', () => {
  const account = '123456789012';
  it('names nothing for an empty user name', () => {
    expect(principalArnOf(key({ userName: '', userType: 'AssumedRole' }), account)).toBeUndefined();
    expect(principalArnOf(key({ userName: '', userType: 'IAMUser' }), account)).toBeUndefined();
  });

  it('takes a long-term key without a user type as an IAM user', () => {
    expect(principalArnOf(key({ userName: 'alice', keyType: 'long-term' }), account)).toBe(
      'arn:aws:iam::123456789012:user/alice',
    );
  });

  it('goes by the user type before the key type', () => {
    // A role session always has a temporary key; the user type decides even if the key type says otherwise.
    expect(
      principalArnOf(key({ userName: 'web', userType: 'AssumedRole', keyType: 'long-term' }), account),
    ).toBe('arn:aws:iam::123456789012:role/web');
    expect(
      principalArnOf(key({ userName: 'alice', userType: 'IAMUser', keyType: 'temporary' }), account),
    ).toBe('arn:aws:iam::123456789012:user/alice');
    // A federated user with a temporary key is neither a role nor a user Cordon can name.
    expect(
      principalArnOf(key({ userName: 'fed', userType: 'FederatedUser', keyType: 'temporary' }), account),
    ).toBeUndefined();
    expect(
      principalArnOf(key({ userName: 'svc', userType: 'AWSService', keyType: 'long-term' }), account),
    ).toBeUndefined();
  });

  it('names nothing when neither the user type nor the key type says what the principal is', () => {
    expect(principalArnOf(key({ userName: 'who', keyType: 'unknown' }), account)).toBeUndefined();
  });
});

describe('cordonRoleArns, each source', () => {
  const identity = { stage: 'prod', homeAccount: '111111111111' };

  it('says why each role is Cordon’s', () => {
    const home = cordonRoleArns('111111111111', DEFAULT_SETTINGS, identity);
    expect(home.get('arn:aws:iam::111111111111:role/cordon-prod-triage')).toBe(
      "the role of Cordon's triage function",
    );
    expect(home.get('arn:aws:iam::111111111111:role/CordonResponder-revoke-sessions')).toBe(
      "the role Cordon's revoke-sessions assumes in member accounts",
    );
    expect(home.get('arn:aws:iam::111111111111:role/CordonResponderObserver')).toBe(
      "the read-only role Cordon's triage assumes in member accounts",
    );
    // Every function and every member role, nothing else.
    expect(home.size).toBe(CORDON_FUNCTION_IDS.length + MEMBER_ROLE_ACTION_IDS.length + 1);
  });

  it('has no function roles without a known deployment identity', () => {
    const roles = cordonRoleArns('111111111111', DEFAULT_SETTINGS, undefined);
    expect(roles.has('arn:aws:iam::111111111111:role/cordon-prod-triage')).toBe(false);
    expect(roles.size).toBe(MEMBER_ROLE_ACTION_IDS.length + 1);
  });

  it('names the member roles after settings.responder.roleName', () => {
    const settings = { ...DEFAULT_SETTINGS, responder: { ...DEFAULT_SETTINGS.responder, roleName: 'Ir' } };
    const roles = cordonRoleArns('222222222222', settings, identity);
    expect(roles.has('arn:aws:iam::222222222222:role/Ir-contain-instance')).toBe(true);
    expect(roles.has('arn:aws:iam::222222222222:role/IrObserver')).toBe(true);
    expect(roles.has('arn:aws:iam::222222222222:role/CordonResponder-contain-instance')).toBe(false);
  });

  it('adds a listed role of the same account by its name, without its path; a role of another account is not added', () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      ownPrincipals: [
        'arn:aws:iam::222222222222:role/team/ir/custom-responder',
        'arn:aws:iam::333333333333:role/elsewhere',
      ],
    };
    const roles = cordonRoleArns('222222222222', settings, identity);
    expect(roles.get('arn:aws:iam::222222222222:role/custom-responder')).toBe(
      'listed in settings.ownPrincipals',
    );
    expect(roles.has('arn:aws:iam::222222222222:role/elsewhere')).toBe(false);
    expect(roles.has('arn:aws:iam::222222222222:role/team/ir/custom-responder')).toBe(false);
  });

  it('adds nothing for a listed entry that is not an ARN', () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      ownPrincipals: ['custom-responder', 'arn:aws:iam::222222222222'],
    };
    expect(cordonRoleArns('222222222222', settings, undefined).size).toBe(MEMBER_ROLE_ACTION_IDS.length + 1);
  });
});

describe('ownPrincipalVerdict', () => {
  const identity = { stage: 'prod', homeAccount: '111111111111' };
  const incident = { account: '111111111111' };

  it("is own for Cordon's role, with the ARN and why", () => {
    expect(
      ownPrincipalVerdict(
        key({ userName: 'cordon-prod-triage', userType: 'AssumedRole' }),
        incident,
        DEFAULT_SETTINGS,
        identity,
      ),
    ).toEqual({
      kind: 'own',
      arn: 'arn:aws:iam::111111111111:role/cordon-prod-triage',
      why: "the role of Cordon's triage function",
    });
  });

  it('is a look-alike for a principal named like Cordon (either prefix, any case) that is not its role', () => {
    expect(
      ownPrincipalVerdict(
        key({ userName: 'cordon-svc', userType: 'IAMUser' }),
        incident,
        DEFAULT_SETTINGS,
        identity,
      ),
    ).toEqual({ kind: 'look-alike', arn: 'arn:aws:iam::111111111111:user/cordon-svc' });
    expect(
      ownPrincipalVerdict(
        key({ userName: 'CORDON-admin', userType: 'IAMUser' }),
        incident,
        DEFAULT_SETTINGS,
        identity,
      ),
    ).toEqual({ kind: 'look-alike', arn: 'arn:aws:iam::111111111111:user/CORDON-admin' });
    const settings = { ...DEFAULT_SETTINGS, responder: { ...DEFAULT_SETTINGS.responder, roleName: 'IrBot' } };
    expect(
      ownPrincipalVerdict(
        key({ userName: 'irbot-extra', userType: 'AssumedRole' }),
        incident,
        settings,
        identity,
      ),
    ).toEqual({ kind: 'look-alike', arn: 'arn:aws:iam::111111111111:role/irbot-extra' });
  });

  it('is other for any other principal, and for a principal it cannot name', () => {
    expect(
      ownPrincipalVerdict(
        key({ userName: 'alice', userType: 'IAMUser' }),
        incident,
        DEFAULT_SETTINGS,
        identity,
      ),
    ).toEqual({ kind: 'other' });
    // Named like Cordon, but root: no ARN, so neither own nor a look-alike.
    expect(
      ownPrincipalVerdict(
        key({ userName: 'cordon-root', userType: 'Root' }),
        incident,
        DEFAULT_SETTINGS,
        identity,
      ),
    ).toEqual({ kind: 'other' });
  });
});
