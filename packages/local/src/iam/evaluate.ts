/**
 * IAM's evaluation logic for identity-based policies (and a role's trust policy), as the IAM User Guide
 * documents it: every request is denied by default; an applicable Allow allows it; an applicable Deny
 * overrides any Allow.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
 *
 * A request may name several resources (EC2 authorizes a `ModifyNetworkInterfaceAttribute` against the
 * network interface, the instance it is attached to and each security group it is given: "the parameters
 * that you specify in the request determine the required permissions",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ec2-api-permissions.html). Each resource is
 * evaluated on its own, with its own context (its tags); the request is allowed only if every one is.
 */
import { conditionsHold, type RequestContext } from './conditions.ts';
import type { Statement } from './policy.ts';
import { actionMatches, arnParts, resourceMatches } from './wildcard.ts';

/** One resource of a request: its ARN (`*` for an action with no resource type) and its own context keys. */
export interface ResourceRequest {
  readonly arn: string;
  /** The SAR resource type (`instance`, `security-group`…), for reasons and the reference checks. */
  readonly type?: string;
  /** Keys that belong to this resource: `aws:ResourceTag/…`, `ec2:ResourceTag/…`, `ec2:Vpc`… */
  readonly context?: RequestContext;
}

/** What IAM authorizes for one call: one action on one or more resources, with the request's context. */
export interface IamRequest {
  readonly action: string;
  readonly resources: readonly ResourceRequest[];
  /** Keys of the request itself: `aws:TagKeys`, `aws:RequestTag/…`, `iam:PassedToService`… */
  readonly context: RequestContext;
}

export type IamAnswer = 'allowed' | 'explicit-deny' | 'implicit-deny';

export interface Evaluation {
  readonly answer: IamAnswer;
  /** A sentence: which statement decided, or which resource no statement allowed. */
  readonly reason: string;
  /** The Allow statements that matched, by origin (`<policy>#<sid>`), over every resource. */
  readonly allowedBy: readonly string[];
}

function actionApplies(statement: Statement, action: string): boolean {
  if (statement.actions !== undefined)
    return statement.actions.some((pattern) => actionMatches(pattern, action));
  return !(statement.notActions ?? []).some((pattern) => actionMatches(pattern, action));
}

function resourceApplies(statement: Statement, resource: string): boolean {
  if (statement.resources !== undefined)
    return statement.resources.some((pattern) => resourceMatches(pattern, resource));
  if (statement.notResources !== undefined) {
    return !statement.notResources.some((pattern) => resourceMatches(pattern, resource));
  }
  return true; // a trust policy's statements apply to the role they are attached to
}

/** Whether a statement applies to one resource of the request (action, resource and condition). */
export function statementApplies(
  statement: Statement,
  request: IamRequest,
  resource: ResourceRequest,
): boolean {
  return (
    actionApplies(statement, request.action) &&
    resourceApplies(statement, resource.arn) &&
    conditionsHold(statement.conditions, { ...request.context, ...resource.context })
  );
}

/**
 * Evaluates a request against a principal's statements (all its identity-based policies together).
 *
 * @example
 * evaluate(parsePolicy(document, 'cordon'), { action: 'states:SendTaskSuccess', resources: [{ arn: '*' }], context: {} })
 * // { answer: 'implicit-deny', reason: 'no statement allows states:SendTaskSuccess on *', allowedBy: [] }
 */
export function evaluate(statements: readonly Statement[], request: IamRequest): Evaluation {
  if (request.resources.length === 0) {
    return {
      answer: 'implicit-deny',
      reason: `${request.action}: the request names no resource`,
      allowedBy: [],
    };
  }
  const allowedBy = new Set<string>();
  let missing: ResourceRequest | undefined;
  for (const resource of request.resources) {
    const deny = statements.find(
      (statement) => statement.effect === 'Deny' && statementApplies(statement, request, resource),
    );
    if (deny !== undefined) {
      return {
        answer: 'explicit-deny',
        reason: `${deny.origin} denies ${request.action} on ${resource.arn}`,
        allowedBy: [],
      };
    }
    const allows = statements.filter(
      (statement) => statement.effect === 'Allow' && statementApplies(statement, request, resource),
    );
    for (const allow of allows) allowedBy.add(allow.origin);
    if (allows.length === 0) missing ??= resource;
  }
  if (missing !== undefined) {
    return {
      answer: 'implicit-deny',
      reason: `no statement allows ${request.action} on ${missing.arn}${missing.type === undefined ? '' : ` (${missing.type})`}`,
      allowedBy: [],
    };
  }
  return { answer: 'allowed', reason: `allowed by ${[...allowedBy].join(', ')}`, allowedBy: [...allowedBy] };
}

/**
 * Whether a trust policy's `Principal.AWS` entry names the caller: `*`, the caller's account (`123…` or
 * `arn:aws:iam::123…:root`: "the account … can then delegate", the identity policy deciding), or the role.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
function principalNamed(entry: string, callerArn: string): boolean {
  if (entry === '*') return true;
  const account = arnParts(callerArn)?.[4];
  if (entry === account || entry === `arn:aws:iam::${account}:root`) return true;
  return entry === callerArn;
}

/**
 * Evaluates `sts:AssumeRole` against the target role's trust policy: a statement applies when its principal
 * names the caller and its conditions hold (`sts:ExternalId`, `aws:PrincipalArn`, … in `context`).
 */
export function evaluateTrust(
  statements: readonly Statement[],
  callerArn: string,
  context: RequestContext,
): Evaluation {
  const request: IamRequest = { action: 'sts:AssumeRole', resources: [{ arn: '*' }], context };
  const applies = (statement: Statement) =>
    (statement.principals ?? []).some((entry) => principalNamed(entry, callerArn)) &&
    actionApplies(statement, request.action) &&
    conditionsHold(statement.conditions, context);
  const deny = statements.find((statement) => statement.effect === 'Deny' && applies(statement));
  if (deny !== undefined) {
    return { answer: 'explicit-deny', reason: `${deny.origin} denies ${callerArn}`, allowedBy: [] };
  }
  const allows = statements.filter((statement) => statement.effect === 'Allow' && applies(statement));
  if (allows.length === 0) {
    return { answer: 'implicit-deny', reason: `the trust policy does not trust ${callerArn}`, allowedBy: [] };
  }
  const origins = allows.map((statement) => statement.origin);
  return { answer: 'allowed', reason: `trusted by ${origins.join(', ')}`, allowedBy: origins };
}
