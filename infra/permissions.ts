/**
 * IAM as data. Every statement a Cordon role holds is written here or taken from the action catalog, with
 * `{placeholder}` templates resolved at deploy time ({@link resolveTemplate}); tests read the same data.
 */
import { ACTIONS, type ActionId } from '@cordon/core/actions/catalog';
import { OBSERVER_PERMISSIONS } from '@cordon/core/actions/observe-instance';
import type { Permission } from '@cordon/core/actions/types';
import { RULE_LOOKUP_PERMISSIONS } from '@cordon/core/policy/rule-identification';

export type Condition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  /** Statement id: letters and digits only (IAM's rule). */
  readonly sid: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  /** ARN templates; `*` only where the service has no resource-level permissions. */
  readonly resources: readonly string[];
  readonly condition?: Condition;
  /** Why the statement exists (docs/deploy.md lists them). */
  readonly why: string;
}

/** The values every template may use. */
export interface TemplateValues {
  readonly account: string;
  readonly region: string;
  readonly stage: string;
  /** `cordon-<stage>` */
  readonly prefix: string;
  /** The prefix of the member-account roles: each action assumes `<responderRole>-<action id>`. */
  readonly responderRole: string;
  /** The read-only role triage assumes in member accounts (`<responder role prefix>Observer`). */
  readonly observerRole: string;
  /** The role of the quarantine instance profile: the only role quarantine-instance-profile may pass. */
  readonly quarantineRole: string;
  readonly exemptionTagKey: string;
  /** The approval API's URL, once that function exists (request-approval's environment uses it). */
  readonly approvalUrl?: string;
}

/**
 * Replaces `{name}` with its value; an unknown name is an error, so a typo cannot deploy a literal `{acount}`.
 *
 * @example resolveTemplate('arn:aws:sns:{region}:{account}:{prefix}-notifications', values)
 */
export function resolveTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_match, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name as keyof TemplateValues] : undefined;
    if (value === undefined) throw new Error(`Unknown placeholder {${name}} in ${JSON.stringify(template)}`);
    return value;
  });
}

/** An IAM policy document from statements, templates resolved: what each function role's inline policy holds. */
export function policyDocument(statements: readonly PolicyStatement[], values: TemplateValues): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((statement) => ({
      Sid: statement.sid,
      Effect: statement.effect,
      Action: [...statement.actions],
      Resource: statement.resources.map((resource) => resolveTemplate(resource, values)),
      ...(statement.condition === undefined
        ? {}
        : { Condition: JSON.parse(resolveTemplate(JSON.stringify(statement.condition), values)) as unknown }),
    })),
  });
}

/** The ARNs of Cordon's own resources, as templates (their physical names are fixed by stage). */
export const ARN = {
  ledgerTable: 'arn:aws:dynamodb:{region}:{account}:table/{prefix}-ledger',
  approvalsTable: 'arn:aws:dynamodb:{region}:{account}:table/{prefix}-approvals',
  topic: 'arn:aws:sns:{region}:{account}:{prefix}-notifications',
  settingsPath: 'arn:aws:ssm:{region}:{account}:parameter/cordon/{stage}/settings',
  parameter: (name: string) => `arn:aws:ssm:{region}:{account}:parameter/cordon/{stage}/${name}`,
  function: (id: string) => `arn:aws:lambda:{region}:{account}:function:{prefix}-${id}`,
  stateMachine: (playbook: string) => `arn:aws:states:{region}:{account}:stateMachine:{prefix}-${playbook}`,
  logGroup: (functionId: string) =>
    `arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{prefix}-${functionId}:*`,
  alarm: (name: string) => `arn:aws:cloudwatch:{region}:{account}:alarm:${name}`,
  /** An action's role in any member account: its trust policy there admits that action's function only. */
  actionRole: (actionId: string) => `arn:aws:iam::*:role/{responderRole}-${actionId}`,
  /** Every member-account role Cordon deploys (the action roles and the observer role share the prefix). */
  memberRoles: 'arn:aws:iam::*:role/{responderRole}*',
  /** Any account's observer role (read-only): its trust policy admits triage only. */
  observerRole: 'arn:aws:iam::*:role/{observerRole}',
} as const;

/** The names of the secrets (SecureString) under `/cordon/<stage>/secrets/`. */
export const SECRET_NAMES = [
  'link-signing-key',
  'slack-signing-secret',
  'slack-bot-token',
  'slack-webhook-url',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Statements from permissions core declares, unchanged but for the sid (`<sidPrefix><n>`). */
export function permissionStatements(
  permissions: readonly Permission[],
  sidPrefix: string,
): PolicyStatement[] {
  return permissions.map((permission, index) => ({
    sid: `${sidPrefix}${index + 1}`,
    effect: 'Allow',
    actions: [...permission.actions],
    resources: [...permission.resources],
    ...(permission.condition === undefined ? {} : { condition: permission.condition }),
    why: permission.why,
  }));
}

/** The action's own statements from the catalog, unchanged but for the sid. */
export function catalogStatements(id: ActionId): PolicyStatement[] {
  return permissionStatements(ACTIONS[id].permissions, 'Catalog');
}

/**
 * What reading an instance before containment needs (core's `OBSERVER_PERMISSIONS`, read-only): triage holds
 * them for its home account, and the observer role holds exactly them in member accounts.
 */
export const OBSERVE_INSTANCE_STATEMENTS: readonly PolicyStatement[] = permissionStatements(
  OBSERVER_PERMISSIONS,
  'ObserveInstance',
);

/**
 * What identifying a Config result's rule needs (core's `RULE_LOOKUP_PERMISSIONS`, read-only): triage holds it
 * for its home account, and the observer role holds it in member accounts.
 */
export const IDENTIFY_CONFIG_RULE_STATEMENTS: readonly PolicyStatement[] = permissionStatements(
  RULE_LOOKUP_PERMISSIONS,
  'IdentifyConfigRule',
);

// ---------------------------------------------------------------------------------------------------------
// Platform statements: what every function needs to run, and what each kind needs from Cordon's resources.

/**
 * Logs and traces: the function's own log group (SST creates it) and X-Ray (no resource-level permissions).
 * The traces are Lambda's active tracing (the function's segment, sent with the function's role); the handlers
 * carry no X-Ray SDK, so there are no per-AWS-call subsegments.
 */
export function platformStatements(functionId: string): PolicyStatement[] {
  return [
    {
      sid: 'WriteOwnLogs',
      effect: 'Allow',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [ARN.logGroup(functionId)],
      why: 'Write to its own log group only (the deploy creates the group, so no logs:CreateLogGroup).',
    },
    {
      sid: 'WriteTraces',
      effect: 'Allow',
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      resources: ['*'],
      why: 'Lambda active tracing sends the function segment with this role; X-Ray has no resource-level permissions for these.',
    },
  ];
}

export const READ_SETTINGS: PolicyStatement = {
  sid: 'ReadSettings',
  effect: 'Allow',
  actions: ['ssm:GetParametersByPath'],
  resources: [ARN.settingsPath, `${ARN.settingsPath}/*`],
  why: 'Read the settings under /cordon/<stage>/settings/ in one batched, recursive call (not the secrets beside them).',
};

export const WRITE_LEDGER: PolicyStatement = {
  sid: 'WriteLedger',
  effect: 'Allow',
  actions: ['dynamodb:PutItem'],
  resources: [ARN.ledgerTable],
  why: 'Append to the incident ledger (conditional PutItem).',
};

/** Only the functions whose code reads an incident's entries back hold Query (see `LEDGER_READERS`). */
export const READ_LEDGER: PolicyStatement = {
  sid: 'ReadLedger',
  effect: 'Allow',
  actions: ['dynamodb:Query'],
  resources: [ARN.ledgerTable],
  why: "Read the incident's ledger entries back (what a release restores, what the notification reports).",
};

/**
 * Give back a lease on an instance (contain-instance: one containment of an instance at a time). The lease is
 * written with WriteLedger's PutItem; DeleteItem reaches lease partitions only, never an incident's entries.
 */
export const GIVE_BACK_LEASES: PolicyStatement = {
  sid: 'GiveBackLeases',
  effect: 'Allow',
  actions: ['dynamodb:DeleteItem'],
  resources: [ARN.ledgerTable],
  condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['lease#*'] } },
  why: 'Give back the lease on an instance once its containment is done (lease partitions only; ledger entries are never deleted).',
};

export function readParameters(sid: string, names: readonly string[], why: string): PolicyStatement {
  return {
    sid,
    effect: 'Allow',
    actions: ['ssm:GetParameter'],
    resources: names.map((name) => ARN.parameter(name)),
    why,
  };
}

export const PUBLISH_TO_TOPIC: PolicyStatement = {
  sid: 'PublishToTopic',
  effect: 'Allow',
  actions: ['sns:Publish'],
  resources: [ARN.topic],
  why: "Notify through Cordon's SNS topic (its KMS key allows use through SNS).",
};

/** The sid of every action's AssumeRole statement (the member-account template finds its assumers by it). */
export const ASSUME_ACTION_ROLE_SID = 'AssumeOwnMemberRole';

/** An action acts in a member account through its own role there, and no other. */
export function assumeActionRole(actionId: string): PolicyStatement {
  return {
    sid: ASSUME_ACTION_ROLE_SID,
    effect: 'Allow',
    actions: ['sts:AssumeRole'],
    resources: [ARN.actionRole(actionId)],
    why: "Act in a member account through this action's own role there (which trusts only this function, with the external id).",
  };
}

export const ASSUME_OBSERVER_ROLE: PolicyStatement = {
  sid: 'AssumeObserverRole',
  effect: 'Allow',
  actions: ['sts:AssumeRole'],
  resources: [ARN.observerRole],
  why: 'Read an instance in a member account through its read-only observer role (the role trusts only triage, with the external id).',
};

// ---------------------------------------------------------------------------------------------------------
// Guard rails: explicit Denies that hold even if someone later attaches a broader policy to a Cordon role.

/** Tagging actions, on any service Cordon touches, that could set or remove the exemption tag. */
export const TAGGING_ACTIONS = [
  'ec2:CreateTags',
  'ec2:DeleteTags',
  'iam:TagUser',
  'iam:UntagUser',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:TagInstanceProfile',
  'iam:UntagInstanceProfile',
  'autoscaling:CreateOrUpdateTags',
  'autoscaling:DeleteTags',
] as const;

/** IAM actions that would let a role widen its own (or anyone's) permissions; Cordon never needs them. */
export const PRIVILEGE_ESCALATION_ACTIONS = [
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:AttachUserPolicy',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteUserPermissionsBoundary',
  'iam:PutGroupPolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutUserPermissionsBoundary',
  'iam:SetDefaultPolicyVersion',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateLoginProfile',
  'iam:AddUserToGroup',
] as const;

export const GUARD_STATEMENTS: readonly PolicyStatement[] = [
  {
    sid: 'DenyExemptionTagChanges',
    effect: 'Deny',
    actions: [...TAGGING_ACTIONS],
    resources: ['*'],
    condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['{exemptionTagKey}'] } },
    why: 'Never add, change or remove the exemption tag: an exempt resource stays exempt whatever Cordon decides.',
  },
  {
    sid: 'DenyPrivilegeEscalation',
    effect: 'Deny',
    actions: [...PRIVILEGE_ESCALATION_ACTIONS],
    resources: ['*'],
    why: 'IAM has no condition key for an inline policy name, so PutUserPolicy/PutRolePolicy cannot be limited to Cordon’s own policy; these Denies close the other ways to gain permissions.',
  },
  {
    sid: 'DenyEditingCordonRoles',
    effect: 'Deny',
    actions: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
    resources: ['arn:aws:iam::*:role/cordon-*', ARN.memberRoles],
    why: 'An action with iam:PutRolePolicy on role/* could otherwise write itself (or another action’s role, or the observer role triage assumes) a broader inline policy.',
  },
];

/**
 * The services whose APIs change an account's compute or identities: the non-action functions call none of
 * them, but for triage's reads ({@link OBSERVE_INSTANCE_STATEMENTS}), which must stay {@link isReadOnlyAction}.
 */
export const ACTION_SERVICE_PREFIXES = ['ec2:', 'iam:', 'autoscaling:', 'elasticloadbalancing:'] as const;

/**
 * Whether an IAM action only reads, by AWS's naming: `Describe*`, `Get*` and `List*` change nothing. Anything
 * else (`Modify*`, `Create*`, `EnterStandby`, …) counts as changing the account.
 *
 * @example isReadOnlyAction('ec2:DescribeInstances') // true
 * @example isReadOnlyAction('ec2:ModifyInstanceAttribute') // false
 */
export function isReadOnlyAction(action: string): boolean {
  return /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z0-9]*$/.test(action);
}
