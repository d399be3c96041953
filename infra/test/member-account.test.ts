// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a JS template.
import { readFileSync } from 'node:fs';
import { ACTION_IDS, ACTIONS } from '@cordon/core/actions/catalog';
import { describe, expect, it } from 'vitest';
import {
  responderRoleTemplate,
  responderRoleYaml,
  responderStatements,
  TEMPLATE_PATH,
} from '../member-account/template.ts';

interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown[];
  Condition?: unknown;
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
    const template = responderRoleTemplate() as {
      Resources: {
        ResponderRole: { Properties: { AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] } } };
      };
    };
    const [trust] = template.Resources.ResponderRole.Properties.AssumeRolePolicyDocument.Statement;
    const condition = trust?.Condition as {
      StringEquals: unknown;
      ArnEquals: { 'aws:PrincipalArn': { 'Fn::Sub': string }[] };
    };

    expect(trust?.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:aws:iam::${CordonAccountId}:root' } });
    expect(condition.StringEquals).toEqual({ 'sts:ExternalId': { Ref: 'ExternalId' } });
    expect(
      condition.ArnEquals['aws:PrincipalArn']
        .map((arn) => arn['Fn::Sub'].split('-${CordonStage}-')[1])
        .sort(),
    ).toEqual(ACTION_IDS.filter((id) => ACTIONS[id].mutating).sort());
  });

  it('keeps its inline policy under IAM’s 10,240-character limit', () => {
    expect(JSON.stringify(responderStatements()).length).toBeLessThan(10_240);
  });
});
