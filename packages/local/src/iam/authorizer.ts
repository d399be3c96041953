/**
 * The sandbox's IAM: each call a principal makes is turned into its IAM requests (the request model), checked
 * against the Service Authorization Reference, and evaluated against the policies infra deploys for that
 * principal — and, for `sts:AssumeRole`, against the target role's trust policy too (cross-account: both the
 * caller's identity policy and the role's trust policy must allow,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 * A call, principal or action the model does not know throws a named error: it is never allowed by default.
 */
import type { Sandbox } from '../sandbox/index.ts';
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  Authorizer,
  RecordedCall,
} from '../sandbox/types.ts';
import { IamPrincipalUnknownError, IamReferenceMismatchError } from './errors.ts';
import { type Evaluation, evaluate, evaluateTrust, type IamRequest } from './evaluate.ts';
import { type CordonDeployment, deployedPrincipals, type PrincipalPolicies } from './principals.ts';
import { arnFormatPattern, referenceAction } from './reference.ts';
import { type IamReport, type IamReportOptions, iamReport } from './report.ts';
import { type CallScope, iamRequestsFor, type StateReader } from './requests/index.ts';

/** One evaluated call: what was asked of IAM and what it answered, request by request. */
export interface EvaluatedCall {
  readonly principal: string;
  readonly service: string;
  readonly command: string;
  readonly requests: readonly { readonly request: IamRequest; readonly evaluation: Evaluation }[];
  readonly decision: AuthorizationDecision['decision'];
}

export interface CordonAuthorizerOptions {
  readonly deployment: CordonDeployment;
  /** The account whose state the request model reads: one sandbox, or one per account. */
  readonly sandbox: Sandbox | ((account: string) => Sandbox | undefined);
  /** The external id the member roles' trust policies require (settings `responder.externalId`). */
  readonly externalId?: string;
}

/** An {@link Authorizer} that also keeps every evaluation, for reports and tests. */
export interface CordonAuthorizer extends Authorizer {
  readonly evaluations: EvaluatedCall[];
  /** The policies of a principal (function role at home, member role elsewhere); unknown → named error. */
  policiesOf(principalArn: string): PrincipalPolicies;
  /**
   * The least-privilege report of `calls` (`sandbox.account.calls`) against the principals of the home account
   * and of every account this authorizer has seen, with its own evaluations.
   *
   * @example const { denied, unused } = await authorizer.report(sandbox.account.calls);
   */
  report(calls: readonly RecordedCall[], scope?: IamReportOptions['scope']): Promise<IamReport>;
}

/**
 * Reads an account's state through its service models' own commands (the API surface), deep-copied both
 * ways so that nothing the model does reaches the caller; an error answer reads as "unknown".
 */
export function sandboxStateReader(sandbox: Sandbox): StateReader {
  return async (service, command, input) => {
    try {
      const handler = sandbox.account.model(service).commands[command];
      if (handler === undefined) return undefined;
      return structuredClone(await handler(structuredClone(input), sandbox.account.context));
    } catch {
      return undefined;
    }
  };
}

/**
 * Where the SAR marks a resource type required that a request names another of the action's types instead:
 * action (lower case) → required type → the type that stands for it.
 * - A Query of an index is authorized on the index's ARN alone (a policy granting Query on the index allows it:
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 * - An execution is a standard workflow's (`execution`) or an express one's (`express`), never both; the SAR
 *   marks both required for DescribeExecution.
 */
const STANDS_FOR: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'dynamodb:query': { table: 'index' },
  'states:describeexecution': { express: 'execution', execution: 'express' },
};

/** Resource type names compare without case: the SAR data spells `stateMachine` as `statemachine` in places. */
function sameType(a: string, b: string | undefined): boolean {
  return a.toLowerCase() === b?.toLowerCase();
}

/**
 * Checks a request against the SAR: the action exists and is spelled as AWS spells it, an action with no
 * resource type is asked on `*` only, every resource is of one of the action's types (ARN of that type's
 * format), and every required type is there. A mismatch is the request model's mistake: a named error.
 */
export async function checkAgainstReference(request: IamRequest): Promise<void> {
  const reference = await referenceAction(request.action);
  if (reference.name !== request.action) {
    throw new IamReferenceMismatchError(`${request.action} is spelled ${reference.name} by AWS`);
  }
  if (reference.resourceTypes.length === 0) {
    if (request.resources.some((resource) => resource.arn !== '*')) {
      throw new IamReferenceMismatchError(`${request.action} has no resource type: its only resource is *`);
    }
    return;
  }
  for (const resource of request.resources) {
    const type = reference.resourceTypes.find((candidate) => sameType(candidate.name, resource.type));
    if (type === undefined) {
      throw new IamReferenceMismatchError(
        `${request.action} has no resource type ${resource.type} (it has ${reference.resourceTypes.map((t) => t.name).join(', ')})`,
      );
    }
    if (!arnFormatPattern(type.arnFormat).test(resource.arn)) {
      throw new IamReferenceMismatchError(`${resource.arn} is not a ${type.name} ARN (${type.arnFormat})`);
    }
  }
  const named = (type: string | undefined) =>
    type !== undefined && request.resources.some((resource) => sameType(type, resource.type));
  for (const type of reference.resourceTypes.filter((candidate) => candidate.required)) {
    const standIn = STANDS_FOR[request.action.toLowerCase()]?.[type.name.toLowerCase()];
    if (!named(type.name) && !named(standIn)) {
      throw new IamReferenceMismatchError(`${request.action} requires a ${type.name} resource`);
    }
  }
}

/**
 * The authorizer to install on the sandbox: `sandbox.account.authorizeWith(cordonAuthorizer({ deployment, sandbox }))`.
 * Calls of clients attached with a Cordon principal are then answered as IAM would answer them in AWS.
 *
 * @example
 * const authorizer = cordonAuthorizer({ deployment: { stage: 'local', homeAccount: '123456789012', region: 'us-east-1' }, sandbox });
 * sandbox.account.authorizeWith(authorizer);
 * const ec2 = sandbox.account.attach(new EC2Client({}), { principal: { arn: functionRoleArn(deployment, 'isolate-instance'), account: '123456789012' } });
 */
export function cordonAuthorizer(options: CordonAuthorizerOptions): CordonAuthorizer {
  const { deployment } = options;
  const externalId = options.externalId ?? '';
  const byAccount = new Map<string, Map<string, PrincipalPolicies>>();
  const evaluations: EvaluatedCall[] = [];

  const principalsOf = (account: string) => {
    let principals = byAccount.get(account);
    if (principals === undefined) {
      // The function roles live at home; the member roles in every account the StackSet reaches (the home
      // account too, where a stage may also act through them).
      principals = new Map(
        [...deployedPrincipals(deployment, [account], externalId)].filter(([arn]) =>
          arn.startsWith(`arn:aws:iam::${account}:`),
        ),
      );
      byAccount.set(account, principals);
    }
    return principals;
  };

  const policiesOf = (arn: string): PrincipalPolicies => {
    const account = arn.split(':')[4] ?? '';
    const policies = principalsOf(account).get(arn);
    if (policies === undefined) {
      throw new IamPrincipalUnknownError(
        `${arn} is not a principal Cordon deploys (stage ${deployment.stage})`,
      );
    }
    return policies;
  };

  const sandboxOf = (account: string): Sandbox | undefined =>
    typeof options.sandbox === 'function' ? options.sandbox(account) : options.sandbox;

  const authorize = async (call: AuthorizationRequest): Promise<AuthorizationDecision> => {
    const policies = policiesOf(call.principal.arn);
    const sandbox = sandboxOf(call.principal.account);
    const scope: CallScope = {
      account: call.principal.account,
      region: call.region,
      principalArn: call.principal.arn,
      read: sandbox === undefined ? async () => undefined : sandboxStateReader(sandbox),
    };
    const requests = await iamRequestsFor(call, scope);
    const results: { request: IamRequest; evaluation: Evaluation }[] = [];
    for (const request of requests) {
      await checkAgainstReference(request);
      let evaluation = evaluate(policies.statements, request);
      if (evaluation.answer === 'allowed' && request.action === 'sts:AssumeRole') {
        evaluation = trustOf(request, call, evaluation);
      }
      results.push({ request, evaluation });
    }
    const refused = results.find((result) => result.evaluation.answer !== 'allowed');
    const decision = refused === undefined ? 'allowed' : 'denied';
    evaluations.push({
      principal: call.principal.arn,
      service: call.service,
      command: call.command,
      requests: results,
      decision,
    });
    if (refused !== undefined) {
      return { decision, reason: `${refused.evaluation.answer}: ${refused.evaluation.reason}` };
    }
    return {
      decision,
      reason:
        results.length === 0
          ? `${call.service}.${call.command} needs no permission`
          : results.map((result) => `${result.request.action} ${result.evaluation.reason}`).join('; '),
    };
  };

  /** The target role's trust policy must trust the caller too (Cordon's member roles are cross-account). */
  const trustOf = (request: IamRequest, call: AuthorizationRequest, identity: Evaluation): Evaluation => {
    const target = request.resources[0]?.arn ?? '';
    let role: PrincipalPolicies;
    try {
      role = policiesOf(target);
    } catch {
      // A role Cordon does not deploy: its trust policy is unknown here, so the call cannot be proven.
      return {
        answer: 'implicit-deny',
        reason: `the trust policy of ${target} is not Cordon's to know`,
        allowedBy: [],
      };
    }
    const trust = evaluateTrust(role.trust ?? [], call.principal.arn, {
      'aws:PrincipalArn': call.principal.arn,
      'aws:PrincipalAccount': call.principal.account,
      ...(typeof call.input.ExternalId === 'string' ? { 'sts:ExternalId': call.input.ExternalId } : {}),
    });
    if (trust.answer !== 'allowed') return trust;
    return {
      answer: 'allowed',
      reason: `${identity.reason}; ${trust.reason}`,
      allowedBy: identity.allowedBy,
    };
  };

  const report = (calls: readonly RecordedCall[], scope: IamReportOptions['scope'] = 'callers') => {
    principalsOf(deployment.homeAccount);
    const principals = [...byAccount.values()].flatMap((each) => [...each.values()]);
    return iamReport(calls, { principals, evaluations, scope });
  };

  return Object.assign(authorize, { evaluations, policiesOf, report });
}
