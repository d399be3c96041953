// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a JS template.
import { readFileSync } from 'node:fs';
import { ACTION_IDS, ACTIONS } from '@cordon/core/actions/catalog';
import { OBSERVER_PERMISSIONS, observerRoleName } from '@cordon/core/actions/observe-instance';
import { DEFAULT_SETTINGS } from '@cordon/core/policy/settings';
import { describe, expect, it } from 'vitest';
import {
  observerStatements,
  responderRoleTemplate,
  responderRoleYaml,
  responderStatements,
  TEMPLATE_PATH,
} from '../member-account/template.ts';
import { isReadOnlyAction } from '../permissions.ts';

interface Statement {
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
  Parameters: { RoleName: { Default: string; MaxLength: number } };
  Resources: { ResponderRole: Role; ObserverRole: Role };
  Outputs: Record<string, unknown>;
}

const template = responderRoleTemplate() as unknown as Template;

/** The trust statement of a role: who (account root), with which external id, and which function roles. */
function trustOf(role: Role) {
  const statements = role.Properties.AssumeRolePolicyDocument.Statement;
  const [trust] = statements;
  const condition = trust?.Condition as {
    StringEquals: unknown;
    ArnEquals: { 'aws:PrincipalArn': { 'Fn::Sub': string }[] };
  };
  return {
    count: statements.length,
    trust,
    condition,
    functions: condition.ArnEquals['aws:PrincipalArn']
      .map((arn) => arn['Fn::Sub'].split('-${CordonStage}-')[1])
      .sort(),
  };
}

describe('the member-account responder role template', () => {
  it('is the generated file (run `npx tsx infra/member-account/generate.ts` after changing the catalog)', () => {
    expect(readFileSync(TEMPLATE_PATH, 'utf8')).toBe(responderRoleYaml());
  });

  it('allows exactly the mutating actions’ catalog permissions', () => {
    const statements = responderStatements() as unknown as Statement[];
    const allowed = new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
    const catalog = new Set(
      ACTION_IDS.filter((id) => ACTIONS[id].mutating).flatMap((id) =>
        ACTIONS[id].permissions.flatMap((p) => p.actions),
      ),
    );

    expect([...allowed].sort()).toEqual([...catalog].sort());
    expect([...allowed].some((action) => action === '*' || action.endsWith(':*'))).toBe(false);
    expect(allowed.has('sns:Publish')).toBe(false);
  });

  it('carries the guard Denies with the exemption tag key parameter', () => {
    const statements = responderStatements() as unknown as (Statement & { Sid: string })[];
    const tags = statements.find((statement) => statement.Sid === 'DenyExemptionTagChanges');

    expect(tags?.Effect).toBe('Deny');
    expect(tags?.Condition).toEqual({
      'ForAnyValue:StringEquals': { 'aws:TagKeys': [{ 'Fn::Sub': '${ExemptionTagKey}' }] },
    });
    expect(statements.map((statement) => statement.Sid)).toEqual(
      expect.arrayContaining(['DenyPrivilegeEscalation', 'DenyEditingCordonRoles']),
    );
  });

  it('trusts only the action functions’ roles of Cordon’s account, with the external id', () => {
    const { count, trust, condition, functions } = trustOf(template.Resources.ResponderRole);

    expect(count).toBe(1);
    expect(trust?.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:aws:iam::${CordonAccountId}:root' } });
    expect(trust?.Action).toBe('sts:AssumeRole');
    expect(condition.StringEquals).toEqual({ 'sts:ExternalId': { Ref: 'ExternalId' } });
    expect(functions).toEqual(ACTION_IDS.filter((id) => ACTIONS[id].mutating).sort());
  });

  it('denies the actions editing the observer role as well as the responder role', () => {
    const statements = responderStatements() as unknown as (Statement & { Sid: string })[];
    const editing = statements.find((statement) => statement.Sid === 'DenyEditingCordonRoles');

    expect(editing?.Resource).toEqual([
      'arn:aws:iam::*:role/cordon-*',
      { 'Fn::Sub': 'arn:aws:iam::*:role/${RoleName}' },
      { 'Fn::Sub': 'arn:aws:iam::*:role/${RoleName}Observer' },
    ]);
  });

  it('keeps its inline policy under IAM’s 10,240-character limit', () => {
    expect(JSON.stringify(responderStatements()).length).toBeLessThan(10_240);
  });
});

describe('the member-account observer role', () => {
  const observer = template.Resources.ObserverRole;
  const statements = observerStatements() as unknown as Statement[];

  it('carries one inline policy, cordon-observer, and exports its ARN', () => {
    expect(observer.Properties.Policies).toEqual([
      { PolicyName: 'cordon-observer', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
    ]);
    expect(template.Outputs.ObserverRoleArn).toEqual({ Value: { 'Fn::GetAtt': ['ObserverRole', 'Arn'] } });
  });

  it('allows exactly core’s OBSERVER_PERMISSIONS, on the same resources', () => {
    expect(statements.map((statement) => [statement.Effect, statement.Action, statement.Resource])).toEqual(
      OBSERVER_PERMISSIONS.map((permission) => ['Allow', [...permission.actions], [...permission.resources]]),
    );
  });

  it('holds no action that changes anything (reads only, no wildcard)', () => {
    const actions = statements.flatMap((statement) => statement.Action);

    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => !isReadOnlyAction(action))).toEqual([]);
    expect(actions.some((action) => action.includes('*'))).toBe(false);
  });

  it('trusts only triage’s role of Cordon’s account, with the external id', () => {
    const { count, trust, condition, functions } = trustOf(observer);

    expect(count).toBe(1);
    expect(trust?.Effect).toBe('Allow');
    expect(trust?.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:aws:iam::${CordonAccountId}:root' } });
    expect(trust?.Action).toBe('sts:AssumeRole');
    expect(condition.StringEquals).toEqual({ 'sts:ExternalId': { Ref: 'ExternalId' } });
    expect(functions).toEqual(['triage']);
  });

  it('is named as triage names it: <RoleName>Observer, RoleName limited to 56 characters so the rules agree', () => {
    const named = (roleName: string) =>
      observerRoleName({ ...DEFAULT_SETTINGS, responder: { ...DEFAULT_SETTINGS.responder, roleName } });
    const longest = 'R'.repeat(template.Parameters.RoleName.MaxLength);

    expect(observer.Properties.RoleName).toEqual({ 'Fn::Sub': '${RoleName}Observer' });
    expect(named(template.Parameters.RoleName.Default)).toBe(
      `${template.Parameters.RoleName.Default}Observer`,
    );
    expect(named(longest)).toBe(`${longest}Observer`);
    expect(`${longest}Observer`.length).toBeLessThanOrEqual(64);
  });
});
