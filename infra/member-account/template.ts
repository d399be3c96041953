// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a JS template.
/**
 * The roles Cordon uses in member accounts, as one CloudFormation template (deploy it with a StackSet),
 * generated from the action catalog:
 * - the responder role: the union of the mutating actions' permissions, with `{account}` → the member account
 *   and `{region}` → any region (one role serves Cordon deployments in every region), plus the same guard
 *   Denies the action functions carry; it trusts only the action functions' roles in Cordon's account;
 * - the observer role (`<RoleName>Observer`): exactly core's `OBSERVER_PERMISSIONS`, read-only, which triage
 *   uses to read an instance before containment; it trusts only triage's role.
 * Both require the external id.
 */
import { ACTION_IDS, ACTIONS } from '@cordon/core/actions/catalog';
import { permissionKey } from '@cordon/core/actions/types';
import { OBSERVER_FUNCTION_IDS, RESPONDER_FUNCTION_IDS } from '../functions.ts';
import {
  catalogStatements,
  GUARD_STATEMENTS,
  OBSERVE_INSTANCE_STATEMENTS,
  type PolicyStatement,
} from '../permissions.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * The observer role's name in `Fn::Sub` syntax: triage's rule (`observerRoleName` in packages/functions: the
 * responder name's first 56 characters + `Observer`). CloudFormation cannot cut a string, so the RoleName
 * parameter is limited to 56 characters instead, and the two agree on every name it accepts.
 */
const OBSERVER_ROLE_NAME = '${RoleName}Observer';
const ROLE_NAME_MAX_LENGTH = 56;

/** Replaces `{account}`/`{region}`/… with CloudFormation expressions; `Fn::Sub` only where a parameter is used. */
function cfn(template: string): Json {
  const substituted = template
    .replaceAll('{account}', '${AWS::AccountId}')
    .replaceAll('{region}', '*')
    .replaceAll('{responderRole}', '${RoleName}')
    .replaceAll('{observerRole}', OBSERVER_ROLE_NAME)
    .replaceAll('{exemptionTagKey}', '${ExemptionTagKey}');
  if (/\{[A-Za-z]+\}/.test(substituted.replace(/\$\{[^}]+\}/g, ''))) {
    throw new Error(`Unresolved placeholder in ${template}`);
  }
  return substituted.includes('${') ? { 'Fn::Sub': substituted } : substituted;
}

function conditionJson(condition: PolicyStatement['condition']): Json {
  if (condition === undefined) return null;
  return Object.fromEntries(
    Object.entries(condition).map(([operator, keys]) => [
      operator,
      Object.fromEntries(
        Object.entries(keys).map(([key, value]) => [
          key,
          Array.isArray(value) ? value.map((item: string) => cfn(item)) : cfn(value as string),
        ]),
      ),
    ]),
  );
}

function statementJson(statement: PolicyStatement, sid: string): Json {
  return {
    Sid: sid,
    Effect: statement.effect,
    Action: [...statement.actions],
    Resource: statement.resources.map(cfn),
    ...(statement.condition === undefined ? {} : { Condition: conditionJson(statement.condition) }),
  };
}

/** The responder role's statements: every mutating action's catalog statements, deduplicated, then the Denies. */
export function responderStatements(): Json[] {
  const seen = new Set<string>();
  const statements: Json[] = [];
  for (const id of ACTION_IDS) {
    if (!ACTIONS[id].mutating) continue;
    for (const statement of catalogStatements(id)) {
      const key = permissionKey(statement);
      if (seen.has(key)) continue;
      seen.add(key);
      const sid = `${id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase())}${statements.length + 1}`;
      statements.push(statementJson(statement, sid));
    }
  }
  for (const statement of GUARD_STATEMENTS) statements.push(statementJson(statement, statement.sid));
  return statements;
}

/** The observer role's statements: core's `OBSERVER_PERMISSIONS` (reads only), nothing else. */
export function observerStatements(): Json[] {
  return OBSERVE_INSTANCE_STATEMENTS.map((statement) => statementJson(statement, statement.sid));
}

/**
 * Who may assume a role: Cordon's account, only these function roles of the stage (`aws:PrincipalArn` rather
 * than role ARNs as principals: the trust survives the roles being recreated), only with the external id.
 */
function trustPolicy(sid: string, functionIds: readonly string[]): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:aws:iam::${CordonAccountId}:root' } },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
          ArnEquals: {
            'aws:PrincipalArn': functionIds.map((id) => ({
              'Fn::Sub': `arn:aws:iam::\${CordonAccountId}:role/cordon-\${CordonStage}-${id}`,
            })),
          },
        },
      },
    ],
  };
}

export function responderRoleTemplate(): Json {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'Cordon responder role (what Cordon actions may do in this account) and observer role (what triage may read). Generated from the action catalog by infra/member-account/generate.ts; do not edit.',
    Parameters: {
      CordonAccountId: {
        Type: 'String',
        AllowedPattern: '^\\d{12}$',
        Description: 'The AWS account Cordon is deployed in.',
      },
      CordonStage: {
        Type: 'String',
        AllowedPattern: '^[A-Za-z0-9_-]+$',
        Description: 'The Cordon stage (its function roles are named cordon-<stage>-<function>).',
      },
      ExternalId: {
        Type: 'String',
        NoEcho: true,
        MinLength: 2,
        MaxLength: 1224,
        AllowedPattern: '^[\\w+=,.@:/-]+$',
        Description: 'The external id Cordon passes (settings responder/external-id).',
      },
      RoleName: {
        Type: 'String',
        Default: 'CordonResponder',
        MaxLength: ROLE_NAME_MAX_LENGTH,
        Description: `settings responder/role-name; the observer role is <RoleName>Observer (so at most ${ROLE_NAME_MAX_LENGTH} characters).`,
      },
      ExemptionTagKey: {
        Type: 'String',
        Default: 'cordon:exempt',
        Description: 'settings exemption-tag/key.',
      },
    },
    Resources: {
      ResponderRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trustPolicy('CordonActionFunctionsOnly', RESPONDER_FUNCTION_IDS),
          Policies: [
            {
              PolicyName: 'cordon-responder',
              PolicyDocument: { Version: '2012-10-17', Statement: responderStatements() },
            },
          ],
        },
      },
      ObserverRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { 'Fn::Sub': OBSERVER_ROLE_NAME },
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trustPolicy('CordonTriageOnly', OBSERVER_FUNCTION_IDS),
          Policies: [
            {
              PolicyName: 'cordon-observer',
              PolicyDocument: { Version: '2012-10-17', Statement: observerStatements() },
            },
          ],
        },
      },
    },
    Outputs: {
      ResponderRoleArn: { Value: { 'Fn::GetAtt': ['ResponderRole', 'Arn'] } },
      ObserverRoleArn: { Value: { 'Fn::GetAtt': ['ObserverRole', 'Arn'] } },
    },
  };
}

function scalar(value: string | number | boolean | null): string {
  if (typeof value === 'string') return JSON.stringify(value); // JSON strings are valid YAML double-quoted scalars
  return String(value);
}

/** A small YAML emitter for the template (maps, lists, scalars); keeps the output stable and readable. */
export function toYaml(value: Json, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map((item) => {
        if (typeof item === 'object' && item !== null) {
          const inner = toYaml(item, indent + 2).slice(indent + 2);
          return `${pad}- ${inner}`;
        }
        return `${pad}- ${scalar(item)}\n`;
      })
      .join('');
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([key, inner]) => {
        if (
          typeof inner === 'object' &&
          inner !== null &&
          (Array.isArray(inner) ? inner.length > 0 : Object.keys(inner).length > 0)
        ) {
          return `${pad}${key}:\n${toYaml(inner, indent + 2)}`;
        }
        const text =
          typeof inner === 'object' && inner !== null ? (Array.isArray(inner) ? '[]' : '{}') : scalar(inner);
        return `${pad}${key}: ${text}\n`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}

export const TEMPLATE_PATH = 'infra/member-account/responder-role.yaml';

export function responderRoleYaml(): string {
  return `# Generated by infra/member-account/generate.ts from the action catalog. Do not edit by hand.\n${toYaml(responderRoleTemplate())}`;
}
