// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a JS template.
/**
 * The roles Cordon uses in member accounts, as one CloudFormation template (deploy it with a StackSet),
 * generated from the action catalog:
 * - one role per action that changes an account, `<RoleName>-<action id>`: exactly that action's catalog
 *   permissions, with `{account}` → the member account and `{region}` → any region (one role serves Cordon
 *   deployments in every region), plus the guard Denies the action functions carry; it trusts only that
 *   action's function role, of any stage, in Cordon's account (`aws:PrincipalArn`
 *   `arn:aws:iam::<Cordon account>:role/cordon-*-<action id>`). One role per action, not one role with the
 *   union: no action can borrow another's grant (snapshot-volumes could otherwise write role policies, and
 *   release-instance's unconditioned ENI change would cancel contain-instance's `cordon:managed` condition);
 * - the observer role (`<RoleName>Observer`): exactly core's `OBSERVER_PERMISSIONS` and
 *   `RULE_LOOKUP_PERMISSIONS`, read-only, which triage uses to read an instance before containment and a Config
 *   result's rule; it trusts only triage's role (any stage).
 * Every role requires the external id.
 */
import { ACTIONS, type ActionId } from '@cordon/core/actions/catalog';
import { actionRoleName, ROLE_PREFIX_MAX_LENGTH } from '@cordon/core/actions/member-roles';
import { OBSERVER_FUNCTION_IDS, RESPONDER_FUNCTION_IDS } from '../functions.ts';
import {
  catalogStatements,
  GUARD_STATEMENTS,
  IDENTIFY_CONFIG_RULE_STATEMENTS,
  OBSERVE_INSTANCE_STATEMENTS,
  type PolicyStatement,
} from '../permissions.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * The observer role's name in `Fn::Sub` syntax: triage's rule (`observerRoleName` in core: the prefix +
 * `Observer`).
 */
const OBSERVER_ROLE_NAME = '${RoleName}Observer';

/** The action ids with a member-account role: the functions that assume one (the mutating actions). */
export const MEMBER_ROLE_ACTION_IDS: readonly ActionId[] = RESPONDER_FUNCTION_IDS.map((id) => {
  if (!Object.hasOwn(ACTIONS, id)) throw new Error(`${id} assumes a member role but is not an action`);
  return id as ActionId;
});

/** Replaces `{account}`/`{region}`/… with CloudFormation expressions; `Fn::Sub` only where a parameter is used. */
function cfn(template: string): Json {
  const substituted = template
    .replaceAll('{account}', '${AWS::AccountId}')
    .replaceAll('{region}', '*')
    .replaceAll('{responderRole}', '${RoleName}')
    .replaceAll('{observerRole}', OBSERVER_ROLE_NAME)
    .replaceAll('{quarantineRole}', '${QuarantineRoleName}')
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

/** `isolate-instance` → `IsolateInstance` (CloudFormation logical ids and statement ids are alphanumeric). */
export function pascal(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase());
}

/** An action role's statements: the action's catalog statements, then the guard Denies. */
export function actionRoleStatements(id: ActionId): Json[] {
  return [
    ...catalogStatements(id).map((statement, index) => statementJson(statement, `${pascal(id)}${index + 1}`)),
    ...GUARD_STATEMENTS.map((statement) => statementJson(statement, statement.sid)),
  ];
}

/**
 * The observer role's statements: core's `OBSERVER_PERMISSIONS` and `RULE_LOOKUP_PERMISSIONS` (reads only),
 * nothing else.
 */
export function observerStatements(): Json[] {
  return [...OBSERVE_INSTANCE_STATEMENTS, ...IDENTIFY_CONFIG_RULE_STATEMENTS].map((statement) =>
    statementJson(statement, statement.sid),
  );
}

/**
 * Who may assume a role: only the role of one Cordon function, of any stage (one stage per region may run in
 * Cordon's account), with the external id. `aws:PrincipalArn` holds the role's ARN for an assumed-role
 * session ("For IAM roles, the request context returns the ARN of the role, not the ARN of the user that
 * assumed the role": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn),
 * and a condition on it survives the role being recreated, where a role ARN as principal would not.
 */
function trustPolicy(sid: string, functionId: string): Json {
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
          ArnLike: {
            'aws:PrincipalArn': { 'Fn::Sub': `arn:aws:iam::\${CordonAccountId}:role/cordon-*-${functionId}` },
          },
        },
      },
    ],
  };
}

function role(
  roleName: Json,
  trustSid: string,
  functionId: string,
  policyName: string,
  statements: Json[],
): Json {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: roleName,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: trustPolicy(trustSid, functionId),
      Policies: [
        { PolicyName: policyName, PolicyDocument: { Version: '2012-10-17', Statement: statements } },
      ],
    },
  };
}

/** The logical id of an action's role in the template. */
export function actionRoleLogicalId(id: ActionId): string {
  return `${pascal(id)}Role`;
}

export function responderRoleTemplate(): Json {
  const resources: Record<string, Json> = {};
  const outputs: Record<string, Json> = {};
  for (const id of MEMBER_ROLE_ACTION_IDS) {
    const logical = actionRoleLogicalId(id);
    // The role's name in Fn::Sub syntax: core's actionRoleName with the RoleName parameter as prefix.
    const name = actionRoleName({ responder: { roleName: '${RoleName}' } }, id);
    resources[logical] = role(
      { 'Fn::Sub': name },
      `Cordon${pascal(id)}Only`,
      id,
      'cordon-action',
      actionRoleStatements(id),
    );
    outputs[`${logical}Arn`] = { Value: { 'Fn::GetAtt': [logical, 'Arn'] } };
  }
  const [observerFunction] = OBSERVER_FUNCTION_IDS;
  if (observerFunction === undefined || OBSERVER_FUNCTION_IDS.length !== 1) {
    throw new Error('Exactly one function (triage) assumes the observer role');
  }
  resources.ObserverRole = role(
    { 'Fn::Sub': OBSERVER_ROLE_NAME },
    'CordonTriageOnly',
    observerFunction,
    'cordon-observer',
    observerStatements(),
  );
  outputs.ObserverRoleArn = { Value: { 'Fn::GetAtt': ['ObserverRole', 'Arn'] } };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'Cordon member-account roles: one per action that changes the account (what that action may do here) and the observer role (what triage may read). Generated from the action catalog by infra/member-account/generate.ts; do not edit.',
    Parameters: {
      CordonAccountId: {
        Type: 'String',
        AllowedPattern: '^\\d{12}$',
        Description: 'The AWS account Cordon is deployed in (every stage there is trusted).',
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
        MaxLength: ROLE_PREFIX_MAX_LENGTH,
        AllowedPattern: '^[\\w+=,.@-]+$',
        Description: `settings responder/role-name: the prefix of the roles (<RoleName>-<action id>, <RoleName>Observer), so at most ${ROLE_PREFIX_MAX_LENGTH} characters.`,
      },
      QuarantineRoleName: {
        Type: 'String',
        Default: 'CordonQuarantine',
        AllowedPattern: '^[\\w+=,.@-]{1,64}$',
        Description:
          'The role of the quarantine instance profile (CORDON_QUARANTINE_ROLE_NAME): the only role quarantine-instance-profile may pass to EC2.',
      },
      ExemptionTagKey: {
        Type: 'String',
        Default: 'cordon:exempt',
        Description: 'settings exemption-tag/key.',
      },
    },
    Resources: resources,
    Outputs: outputs,
  };
}

function scalar(value: string | number | boolean | null): string {
  if (typeof value === 'string') return JSON.stringify(value); // JSON strings are valid YAML double-quoted scalars
  return String(value);
}

/**
 * A mapping key as YAML reads it: words YAML takes for null or a boolean (the IAM operator `Null`, say) are
 * quoted, or a YAML parser would read the key `Null` as null.
 */
function yamlKey(key: string): string {
  return /^(null|~|true|false|yes|no|on|off|y|n)$/i.test(key) ? JSON.stringify(key) : key;
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
          return `${pad}${yamlKey(key)}:\n${toYaml(inner, indent + 2)}`;
        }
        const text =
          typeof inner === 'object' && inner !== null ? (Array.isArray(inner) ? '[]' : '{}') : scalar(inner);
        return `${pad}${yamlKey(key)}: ${text}\n`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}

export const TEMPLATE_PATH = 'infra/member-account/responder-role.yaml';

export function responderRoleYaml(): string {
  return `# Generated by infra/member-account/generate.ts from the action catalog. Do not edit by hand.\n${toYaml(responderRoleTemplate())}`;
}
