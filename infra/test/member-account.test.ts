// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a JS template.
import { readFileSync } from 'node:fs';
import { ACTION_IDS, ACTIONS, type ActionId } from '@cordon/core/actions/catalog';
import { ROLE_PREFIX_MAX_LENGTH } from '@cordon/core/actions/member-roles';
import { OBSERVER_PERMISSIONS, observerRoleName } from '@cordon/core/actions/observe-instance';
import { RULE_LOOKUP_PERMISSIONS } from '@cordon/core/policy/rule-identification';
import { DEFAULT_SETTINGS } from '@cordon/core/policy/settings';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../functions.ts';
import {
  actionRoleLogicalId,
  actionRoleStatements,
  MEMBER_ROLE_ACTION_IDS,
  observerStatements,
  responderRoleTemplate,
  responderRoleYaml,
  TEMPLATE_PATH,
} from '../member-account/template.ts';
import { isReadOnlyAction } from '../permissions.ts';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: unknown[];
  Condition?: unknown;
}

interface Role {
  Properties: {
    RoleName: unknown;
    AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
    Policies: { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
  };
}

interface Template {
  Parameters: Record<string, { Default?: string; MaxLength?: number; AllowedPattern?: string }>;
  Resources: Record<string, Role>;
  Outputs: Record<string, unknown>;
}

const template = responderRoleTemplate() as unknown as Template;
const MUTATING = ACTION_IDS.filter((id) => ACTIONS[id].mutating);

/** The trust statement of a role: who (account root), with which external id, and which function role. */
function trustOf(role: Role) {
  const statements = role.Properties.AssumeRolePolicyDocument.Statement;
  const [trust] = statements;
  const condition = trust?.Condition as {
    StringEquals: unknown;
    ArnLike: { 'aws:PrincipalArn': { 'Fn::Sub': string } };
  };
  return {
    count: statements.length,
    trust,
    condition,
    principalArn: condition.ArnLike['aws:PrincipalArn']['Fn::Sub'],
  };
}

function roleOf(id: ActionId): Role {
  const role = template.Resources[actionRoleLogicalId(id)];
  if (role === undefined) throw new Error(`no role for ${id}`);
  return role;
}

describe('the member-account template', () => {
  it('is the generated file (run `npm run infra:member-template` after changing the catalog)', () => {
    expect(readFileSync(TEMPLATE_PATH, 'utf8')).toBe(responderRoleYaml());
  });

  it('holds one role per action that changes an account, and the observer role, nothing else', () => {
    expect([...MEMBER_ROLE_ACTION_IDS].sort()).toEqual([...MUTATING].sort());
    expect(Object.keys(template.Resources).sort()).toEqual(
      [...MUTATING.map(actionRoleLogicalId), 'ObserverRole'].sort(),
    );
    expect(Object.keys(template.Outputs).sort()).toEqual(
      [...MUTATING.map((id) => `${actionRoleLogicalId(id)}Arn`), 'ObserverRoleArn'].sort(),
    );
  });

  it.each(MUTATING)(
    '%s’s role is named <RoleName>-%s and allows exactly that action’s catalog permissions',
    (id) => {
      const role = roleOf(id);
      const statements = role.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
      const allowed = new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));

      expect(role.Properties.RoleName).toEqual({ 'Fn::Sub': `\${RoleName}-${id}` });
      expect([...allowed].sort()).toEqual(
        [...new Set(ACTIONS[id].permissions.flatMap((p) => p.actions))].sort(),
      );
      expect(statements).toEqual(actionRoleStatements(id));
    },
  );

  it('never lets one action use another’s grant (the review’s cross-action escalation)', () => {
    const allowedBy = (id: ActionId) =>
      new Set(
        roleOf(id)
          .Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement)
          .filter((statement) => statement.Effect === 'Allow')
          .flatMap((statement) => statement.Action),
      );
    const snapshot = allowedBy('snapshot-volumes');
    for (const escalation of ['iam:PutRolePolicy', 'iam:PassRole', 'ec2:AssociateIamInstanceProfile']) {
      expect(snapshot.has(escalation), escalation).toBe(false);
    }
    // Only contain-instance may change security group rules of Cordon's own groups; the security-group
    // remediations may only revoke (any group), and only their release may authorize (what they revoked).
    const ruleChanges: Readonly<Record<string, readonly string[]>> = {
      'revoke-open-ingress': ['ec2:RevokeSecurityGroupIngress'],
      'close-default-security-group': ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
      'release-remediation': ['ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress'],
    };
    for (const id of MUTATING) {
      const rules = roleOf(id)
        .Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement)
        .filter(
          (statement) =>
            statement.Effect === 'Allow' &&
            statement.Action.some((action) => /SecurityGroup(Ingress|Egress)$/.test(action)),
        );
      const changed = rules
        .flatMap((statement) => statement.Action)
        .filter((action) => /SecurityGroup(Ingress|Egress)$/.test(action))
        .sort();
      if (id === 'contain-instance') {
        expect(rules.length, id).toBeGreaterThan(0);
        for (const statement of rules)
          expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/cordon:managed': 'true' } });
      } else {
        expect(changed, id).toEqual([...(ruleChanges[id] ?? [])]);
      }
    }
  });

  it.each(MUTATING)(
    '%s’s role trusts only that action’s function role, of any stage of Cordon’s account, with the external id',
    (id) => {
      const { count, trust, condition, principalArn } = trustOf(roleOf(id));

      expect(count).toBe(1);
      expect(trust?.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:aws:iam::${CordonAccountId}:root' } });
      expect(trust?.Action).toBe('sts:AssumeRole');
      expect(condition.StringEquals).toEqual({ 'sts:ExternalId': { Ref: 'ExternalId' } });
      expect(principalArn).toBe(`arn:aws:iam::\${CordonAccountId}:role/cordon-*-${id}`);
    },
  );

  it('no function id ends with -<another id>, so cordon-*-<id> can match no other function’s role', () => {
    const ids = FUNCTIONS.map((spec) => spec.id);
    for (const id of ids) {
      for (const other of ids)
        if (other !== id) expect(id.endsWith(`-${other}`), `${id} / ${other}`).toBe(false);
    }
  });

  it.each(MUTATING)('%s’s role carries the guard Denies with the template’s parameters', (id) => {
    const statements = roleOf(id).Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    const tags = statements.find((statement) => statement.Sid === 'DenyExemptionTagChanges');
    const editing = statements.find((statement) => statement.Sid === 'DenyEditingCordonRoles');

    expect(tags?.Effect).toBe('Deny');
    expect(tags?.Condition).toEqual({
      'ForAnyValue:StringEquals': { 'aws:TagKeys': [{ 'Fn::Sub': '${ExemptionTagKey}' }] },
    });
    expect(editing?.Resource).toEqual([
      'arn:aws:iam::*:role/cordon-*',
      { 'Fn::Sub': 'arn:aws:iam::*:role/${RoleName}*' },
    ]);
    expect(statements.map((statement) => statement.Sid)).toContain('DenyPrivilegeEscalation');
  });

  it('lets quarantine-instance-profile pass the quarantine role only, and only to EC2', () => {
    const pass = actionRoleStatements('quarantine-instance-profile').filter((statement) =>
      ((statement as unknown as Statement).Action ?? []).includes('iam:PassRole'),
    ) as unknown as Statement[];
    expect(pass.map((statement) => [statement.Resource, statement.Condition])).toEqual([
      [
        [{ 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/${QuarantineRoleName}' }],
        { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      ],
    ]);
  });

  it('keeps every inline policy under IAM’s 10,240-character limit', () => {
    for (const id of MUTATING)
      expect(JSON.stringify(actionRoleStatements(id)).length, id).toBeLessThan(10_240);
  });

  it('limits the prefix so that the longest action role name fits IAM’s 64 characters', () => {
    const longest = Math.max(...MUTATING.map((id) => id.length));
    expect(template.Parameters.RoleName?.MaxLength).toBe(ROLE_PREFIX_MAX_LENGTH);
    expect(ROLE_PREFIX_MAX_LENGTH + 1 + longest).toBe(64);
  });
});

describe('the member-account observer role', () => {
  const observer = template.Resources.ObserverRole as Role;
  const statements = observerStatements() as unknown as Statement[];

  it('carries one inline policy, cordon-observer', () => {
    expect(observer.Properties.Policies).toEqual([
      { PolicyName: 'cordon-observer', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
    ]);
  });

  it('allows exactly core’s OBSERVER_PERMISSIONS and RULE_LOOKUP_PERMISSIONS, on the same resources', () => {
    expect(statements.map((statement) => [statement.Effect, statement.Action, statement.Resource])).toEqual(
      [...OBSERVER_PERMISSIONS, ...RULE_LOOKUP_PERMISSIONS].map((permission) => [
        'Allow',
        [...permission.actions],
        [...permission.resources],
      ]),
    );
  });

  it('holds no action that changes anything (reads only, no wildcard)', () => {
    const actions = statements.flatMap((statement) => statement.Action);

    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => !isReadOnlyAction(action))).toEqual([]);
    expect(actions.some((action) => action.includes('*'))).toBe(false);
  });

  it('trusts only triage’s role (any stage) of Cordon’s account, with the external id', () => {
    const { count, trust, condition, principalArn } = trustOf(observer);

    expect(count).toBe(1);
    expect(trust?.Effect).toBe('Allow');
    expect(trust?.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:aws:iam::${CordonAccountId}:root' } });
    expect(condition.StringEquals).toEqual({ 'sts:ExternalId': { Ref: 'ExternalId' } });
    expect(principalArn).toBe('arn:aws:iam::${CordonAccountId}:role/cordon-*-triage');
  });

  it('is named as triage names it: <RoleName>Observer', () => {
    const named = (roleName: string) =>
      observerRoleName({ ...DEFAULT_SETTINGS, responder: { ...DEFAULT_SETTINGS.responder, roleName } });

    expect(observer.Properties.RoleName).toEqual({ 'Fn::Sub': '${RoleName}Observer' });
    expect(named(template.Parameters.RoleName?.Default ?? '')).toBe(
      `${template.Parameters.RoleName?.Default}Observer`,
    );
  });
});
