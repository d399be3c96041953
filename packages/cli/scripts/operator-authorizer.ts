/**
 * IAM for the people who run the operator commands, in the sandbox: each call made as an operator role is turned
 * into its IAM requests (the request model of packages/local/src/iam), checked against the Service Authorization
 * Reference, and evaluated against that role's documented policy (src/operator-policies.ts) — the evaluation
 * the deployed roles get from `cordonAuthorizer`, which answers for every other principal.
 */
import { checkAgainstReference, sandboxStateReader } from '@cordon/local/iam/authorizer';
import { type Evaluation, evaluate, type IamRequest } from '@cordon/local/iam/evaluate';
import { parsePolicy, type Statement } from '@cordon/local/iam/policy';
import { iamRequestsFor } from '@cordon/local/iam/requests/index';
import type { Sandbox } from '@cordon/local/sandbox/index';
import type { AuthorizationDecision, AuthorizationRequest, Authorizer } from '@cordon/local/sandbox/types';
import type { OperatorPolicyDocument } from '../src/operator-policies.ts';

/** One evaluated call of an operator. */
export interface OperatorEvaluation {
  readonly principal: string;
  readonly call: string;
  readonly requests: readonly { readonly request: IamRequest; readonly evaluation: Evaluation }[];
  readonly decision: AuthorizationDecision['decision'];
}

export interface OperatorAuthorizer extends Authorizer {
  readonly evaluations: OperatorEvaluation[];
  /** The actions a role's policy allows that none of its evaluated calls needed. */
  unused(principalArn: string): string[];
}

/**
 * Evaluates the calls of the given principals against their policies; any other principal goes to `others`.
 *
 * @example sandbox.account.authorizeWith(operatorAuthorizer(sandbox, { [arn]: operatorPolicy(scope) }, cordon));
 */
export function operatorAuthorizer(
  sandbox: Sandbox,
  policies: Readonly<Record<string, OperatorPolicyDocument>>,
  others: Authorizer,
): OperatorAuthorizer {
  const statements = new Map<string, Statement[]>(
    Object.entries(policies).map(([arn, document]) => [
      arn,
      parsePolicy(document as unknown as Parameters<typeof parsePolicy>[0], arn.split('/').at(-1) ?? arn),
    ]),
  );
  const evaluations: OperatorEvaluation[] = [];
  const authorize = async (call: AuthorizationRequest): Promise<AuthorizationDecision> => {
    const own = statements.get(call.principal.arn);
    if (own === undefined) return others(call);
    const requests = await iamRequestsFor(call, {
      account: call.principal.account,
      region: call.region,
      principalArn: call.principal.arn,
      read: sandboxStateReader(sandbox),
    });
    const results: { request: IamRequest; evaluation: Evaluation }[] = [];
    for (const request of requests) {
      await checkAgainstReference(request);
      results.push({ request, evaluation: evaluate(own, request) });
    }
    const refused = results.find((result) => result.evaluation.answer !== 'allowed');
    const decision = refused === undefined ? 'allowed' : 'denied';
    evaluations.push({
      principal: call.principal.arn,
      call: `${call.service}.${call.command}`,
      requests: results,
      decision,
    });
    return refused === undefined
      ? {
          decision,
          reason:
            results.length === 0
              ? `${call.service}.${call.command} needs no permission`
              : results.map((result) => `${result.request.action} ${result.evaluation.reason}`).join('; '),
        }
      : { decision, reason: `${refused.evaluation.answer}: ${refused.evaluation.reason}` };
  };
  const unused = (principalArn: string): string[] => {
    const used = new Set(
      evaluations
        .filter((evaluation) => evaluation.principal === principalArn)
        .flatMap((evaluation) => evaluation.requests.map((each) => each.request.action.toLowerCase())),
    );
    const granted = (statements.get(principalArn) ?? [])
      .filter((statement) => statement.effect === 'Allow')
      .flatMap((statement) => statement.actions ?? []);
    return [...new Set(granted)].filter((action) => !used.has(action.toLowerCase())).sort();
  };
  return Object.assign(authorize, { evaluations, unused });
}
