/**
 * Every IAM action name Cordon writes into a policy — the catalog's permissions, every function's
 * statements (Allows and the guard Denies), the member-account template — is an action of the Service
 * Authorization Reference, spelled exactly as AWS spells it. IAM would accept `ec2:describeinstances`, and
 * would silently grant nothing for `ec2:DescribeInstance`: the reference data catches both.
 */
import { ACTIONS } from '@cordon/core/actions/catalog';
import { OBSERVER_PERMISSIONS } from '@cordon/core/actions/observe-instance';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../../infra/functions.ts';
import { responderRoleTemplate } from '../../../../infra/member-account/template.ts';
import { PRIVILEGE_ESCALATION_ACTIONS, TAGGING_ACTIONS } from '../../../../infra/permissions.ts';
import { exactlySpelled } from '../../src/iam/reference.ts';

/** Every `Action` of every statement in the member template. */
function templateActions(): string[] {
  const template = responderRoleTemplate() as {
    Resources: Record<
      string,
      { Properties: { Policies: { PolicyDocument: { Statement: { Action: string[] }[] } }[] } }
    >;
  };
  return Object.values(template.Resources).flatMap((role) =>
    role.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement.flatMap((s) => s.Action)),
  );
}

const NAMES: Readonly<Record<string, readonly string[]>> = {
  'the action catalog': Object.values(ACTIONS).flatMap((action) =>
    action.permissions.flatMap((p) => p.actions),
  ),
  'the observer permissions': OBSERVER_PERMISSIONS.flatMap((permission) => permission.actions),
  'the function roles': FUNCTIONS.flatMap((spec) =>
    spec.statements.flatMap((statement) => statement.actions),
  ),
  'the guard Denies': [...TAGGING_ACTIONS, ...PRIVILEGE_ESCALATION_ACTIONS],
  'the member-account template': templateActions(),
};

describe('IAM action names', () => {
  it.each(Object.entries(NAMES))(
    'in %s are actions of the Service Authorization Reference, spelled as AWS does',
    async (_where, names) => {
      expect(names.length).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const name of new Set(names)) if (!(await exactlySpelled(name))) wrong.push(name);
      expect(wrong).toEqual([]);
    },
  );

  it('and the check tells a misspelling, a wrong case and an action that does not exist from real ones', async () => {
    expect(await exactlySpelled('ec2:DescribeInstances')).toBe(true);
    expect(await exactlySpelled('ec2:DescribeInstance')).toBe(false);
    expect(await exactlySpelled('ec2:describeinstances')).toBe(false);
    expect(await exactlySpelled('states:SendTaskSucces')).toBe(false);
    expect(await exactlySpelled('nosuchservice:Get')).toBe(false);
  });
});
