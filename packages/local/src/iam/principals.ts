/**
 * The policy documents Cordon deploys, per principal — taken from infra itself, never copied:
 * - each function's role `arn:aws:iam::<home>:role/cordon-<stage>-<function id>`: its statements from
 *   infra/functions.ts, rendered by infra/permissions.ts's `policyDocument` (the document SST deploys);
 * - in any other account, each member-account role of infra/member-account/template.ts (the CloudFormation
 *   template the StackSet deploys), its `Fn::Sub`/`Ref` resolved for that account: the action roles
 *   `<prefix>-<action id>` and the observer role `<prefix>Observer`, with their trust policies.
 */
import { actionRoleName } from '@cordon/core/actions/member-roles';
import { observerRoleName } from '@cordon/core/actions/observe-instance';
import { DEFAULT_SETTINGS } from '@cordon/core/policy/settings';
import { FUNCTIONS, type FunctionSpec } from '../../../../infra/functions.ts';
import {
  actionRoleLogicalId,
  type Json,
  MEMBER_ROLE_ACTION_IDS,
  responderRoleTemplate,
} from '../../../../infra/member-account/template.ts';
import { policyDocument, type TemplateValues } from '../../../../infra/permissions.ts';
import { IamPrincipalUnknownError } from './errors.ts';
import { type PolicyDocument, parsePolicy, type Statement } from './policy.ts';

/** What a deployment decides about names: the stage, the accounts, the member roles' prefix and parameters. */
export interface CordonDeployment {
  readonly stage: string;
  /** The account Cordon is deployed in (its function roles). */
  readonly homeAccount: string;
  /** The region Cordon is deployed in. */
  readonly region: string;
  /**
   * The prefix of Cordon's physical names (tables, topic, state machines): `cordon-<stage>` when deployed.
   * The sandbox names its tables and topic with `cordon` (`SANDBOX_RESOURCES`); a local run says so here.
   */
  readonly prefix?: string;
  /** settings `responder.roleName`, the member roles' prefix (`CordonResponder`). */
  readonly responderRole?: string;
  /** CORDON_QUARANTINE_ROLE_NAME (`CordonQuarantine`). */
  readonly quarantineRole?: string;
  /** settings `exemptionTag.key` (`cordon:exempt`). */
  readonly exemptionTagKey?: string;
  /** The approval API's URL (only request-approval's environment names it). */
  readonly approvalUrl?: string;
}

export type PrincipalKind = 'function' | 'action-role' | 'observer-role';

/** The policies of one principal, parsed, with the documents as deployed (for reports). */
export interface PrincipalPolicies {
  readonly arn: string;
  readonly kind: PrincipalKind;
  /** The function it belongs to (`triage`, `isolate-instance`…), or whose member role it is. */
  readonly functionId: string;
  readonly statements: readonly Statement[];
  /** A member role's trust policy; function roles trust the Lambda service only. */
  readonly trust?: readonly Statement[];
}

function templateValues(deployment: CordonDeployment): TemplateValues {
  const responderRole = deployment.responderRole ?? DEFAULT_SETTINGS.responder.roleName;
  return {
    account: deployment.homeAccount,
    region: deployment.region,
    stage: deployment.stage,
    prefix: deployment.prefix ?? `cordon-${deployment.stage}`,
    responderRole,
    observerRole: observerRoleName({ responder: { roleName: responderRole } }),
    quarantineRole: deployment.quarantineRole ?? 'CordonQuarantine',
    exemptionTagKey: deployment.exemptionTagKey ?? DEFAULT_SETTINGS.exemptionTag.key,
    ...(deployment.approvalUrl === undefined ? {} : { approvalUrl: deployment.approvalUrl }),
  };
}

/** The role ARN of a Cordon function in the home account. */
export function functionRoleArn(deployment: CordonDeployment, functionId: string): string {
  return `arn:aws:iam::${deployment.homeAccount}:role/cordon-${deployment.stage}-${functionId}`;
}

/** The ARN of an action's role in a member account. */
export function memberActionRoleArn(deployment: CordonDeployment, account: string, actionId: string): string {
  const prefix = deployment.responderRole ?? DEFAULT_SETTINGS.responder.roleName;
  return `arn:aws:iam::${account}:role/${actionRoleName({ responder: { roleName: prefix } }, actionId)}`;
}

/** The ARN of the observer role in a member account. */
export function memberObserverRoleArn(deployment: CordonDeployment, account: string): string {
  const prefix = deployment.responderRole ?? DEFAULT_SETTINGS.responder.roleName;
  return `arn:aws:iam::${account}:role/${observerRoleName({ responder: { roleName: prefix } })}`;
}

function functionPolicies(deployment: CordonDeployment, spec: FunctionSpec): PrincipalPolicies {
  const arn = functionRoleArn(deployment, spec.id);
  const document = JSON.parse(policyDocument(spec.statements, templateValues(deployment))) as PolicyDocument;
  return {
    arn,
    kind: 'function',
    functionId: spec.id,
    statements: parsePolicy(document, `${spec.id}:cordon`),
  };
}

/**
 * Resolves the template's intrinsic functions for one member account: `Ref` to a parameter or pseudo
 * parameter, `Fn::Sub` with `${Name}` references. Anything else is an error: the template uses no other.
 */
function resolveCfn(value: Json, parameters: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveCfn(item, parameters));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined && (first[0] === 'Ref' || first[0] === 'Fn::Sub')) {
    const [fn, argument] = first;
    if (typeof argument !== 'string') throw new Error(`${fn} with a non-string argument`);
    const lookup = (name: string) => {
      const resolved = parameters[name];
      if (resolved === undefined)
        throw new Error(`The member template refers to ${name}, which has no value`);
      return resolved;
    };
    return fn === 'Ref'
      ? lookup(argument)
      : argument.replace(/\$\{([\w:]+)\}/g, (_m, name: string) => lookup(name));
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, resolveCfn(inner, parameters)]));
}

interface RoleResource {
  readonly Properties: {
    readonly RoleName: string;
    readonly AssumeRolePolicyDocument: PolicyDocument;
    readonly Policies: readonly { readonly PolicyName: string; readonly PolicyDocument: PolicyDocument }[];
  };
}

function memberRole(
  deployment: CordonDeployment,
  account: string,
  logicalId: string,
  externalId: string,
): RoleResource {
  const values = templateValues(deployment);
  const template = responderRoleTemplate() as { Resources: Record<string, Json> };
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new IamPrincipalUnknownError(`The member template has no ${logicalId}`);
  return resolveCfn(resource, {
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    CordonAccountId: deployment.homeAccount,
    ExternalId: externalId,
    RoleName: values.responderRole,
    QuarantineRoleName: values.quarantineRole,
    ExemptionTagKey: values.exemptionTagKey,
  }) as RoleResource;
}

function memberPolicies(
  deployment: CordonDeployment,
  account: string,
  logicalId: string,
  kind: PrincipalKind,
  functionId: string,
  externalId: string,
): PrincipalPolicies {
  const role = memberRole(deployment, account, logicalId, externalId);
  const name = role.Properties.RoleName;
  return {
    arn: `arn:aws:iam::${account}:role/${name}`,
    kind,
    functionId,
    statements: role.Properties.Policies.flatMap((policy) =>
      parsePolicy(policy.PolicyDocument, `${name}:${policy.PolicyName}`),
    ),
    trust: parsePolicy(role.Properties.AssumeRolePolicyDocument, `${name}:trust`),
  };
}

/**
 * Every principal's policies for a deployment: the function roles at home and, for each member account
 * given, its action roles and observer role.
 *
 * @example
 * const principals = deployedPrincipals({ stage: 'local', homeAccount: '111111111111', region: 'us-east-1' }, ['222222222222']);
 * principals.get('arn:aws:iam::222222222222:role/CordonResponder-isolate-instance')?.trust
 */
export function deployedPrincipals(
  deployment: CordonDeployment,
  memberAccounts: readonly string[] = [],
  externalId = '',
): Map<string, PrincipalPolicies> {
  const principals = new Map<string, PrincipalPolicies>();
  for (const spec of FUNCTIONS) {
    const policies = functionPolicies(deployment, spec);
    principals.set(policies.arn, policies);
  }
  for (const account of memberAccounts) {
    for (const id of MEMBER_ROLE_ACTION_IDS) {
      const policies = memberPolicies(
        deployment,
        account,
        actionRoleLogicalId(id),
        'action-role',
        id,
        externalId,
      );
      principals.set(policies.arn, policies);
    }
    const observer = memberPolicies(
      deployment,
      account,
      'ObserverRole',
      'observer-role',
      'triage',
      externalId,
    );
    principals.set(observer.arn, observer);
  }
  return principals;
}
