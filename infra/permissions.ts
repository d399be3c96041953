/**
 * IAM as data. Every statement a Cordon role holds is written here or taken from the action catalog, with
 * `{placeholder}` templates resolved at deploy time ({@link resolveTemplate}); tests read the same data.
 */
import { ACTIONS, type ActionId } from '@cordon/core/actions/catalog';

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
  readonly responderRole: string;
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

/** The ARNs of Cordon's own resources, as templates (their physical names are fixed by stage). */
export const ARN = {
  ledgerTable: 'arn:aws:dynamodb:{region}:{account}:table/{prefix}-ledger',
  approvalsTable: 'arn:aws:dynamodb:{region}:{account}:table/{prefix}-approvals',
  idempotencyTable: 'arn:aws:dynamodb:{region}:{account}:table/{prefix}-idempotency',
  topic: 'arn:aws:sns:{region}:{account}:{prefix}-notifications',
  settingsPath: 'arn:aws:ssm:{region}:{account}:parameter/cordon/{stage}/settings',
  parameter: (name: string) => `arn:aws:ssm:{region}:{account}:parameter/cordon/{stage}/${name}`,
  function: (id: string) => `arn:aws:lambda:{region}:{account}:function:{prefix}-${id}`,
  stateMachine: (playbook: string) => `arn:aws:states:{region}:{account}:stateMachine:{prefix}-${playbook}`,
  logGroup: (functionId: string) =>
    `arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{prefix}-${functionId}:*`,
  alarm: (name: string) => `arn:aws:cloudwatch:{region}:{account}:alarm:${name}`,
  /** Any account's responder role: the trust policy in each member account decides who may assume it. */
  responderRole: 'arn:aws:iam::*:role/{responderRole}',
} as const;

/** The names of the secrets (SecureString) under `/cordon/<stage>/secrets/`. */
export const SECRET_NAMES = [
  'link-signing-key',
  'slack-signing-secret',
  'slack-bot-token',
  'slack-webhook-url',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** The action's own statements from the catalog, unchanged but for the sid. */
export function catalogStatements(id: ActionId): PolicyStatement[] {
  return ACTIONS[id].permissions.map((permission, index) => ({
    sid: `Catalog${index + 1}`,
    effect: 'Allow',
    actions: [...permission.actions],
    resources: [...permission.resources],
    ...(permission.condition === undefined ? {} : { condition: permission.condition }),
    why: permission.why,
  }));
}

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
  actions: ['dynamodb:PutItem', 'dynamodb:Query'],
  resources: [ARN.ledgerTable],
  why: 'Append to the incident ledger (conditional PutItem) and read an incident back.',
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

export const ASSUME_RESPONDER_ROLE: PolicyStatement = {
  sid: 'AssumeResponderRole',
  effect: 'Allow',
  actions: ['sts:AssumeRole'],
  resources: [ARN.responderRole],
  why: 'Act in a member account through its responder role (the role trusts only these functions, with an external id).',
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
    resources: ['arn:aws:iam::*:role/cordon-*', ARN.responderRole],
    why: 'An action with iam:PutRolePolicy on role/* could otherwise write itself a broader inline policy.',
  },
];

/** Actions that change an account's compute or identities: triage and the other non-action functions hold none. */
export const ACTION_SERVICE_PREFIXES = ['ec2:', 'iam:', 'autoscaling:', 'elasticloadbalancing:'] as const;
