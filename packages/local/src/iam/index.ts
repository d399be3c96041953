/**
 * IAM proven offline: install `cordonAuthorizer` on the sandbox, attach each client with the principal that
 * makes the call in AWS, then read `authorizer.report(sandbox.account.calls)`. docs/iam.md explains.
 *
 * @example
 * const authorizer = cordonAuthorizer({ deployment: { stage, homeAccount, region }, sandbox });
 * sandbox.account.authorizeWith(authorizer);
 * // … run …
 * const { denied, unused } = await authorizer.report(sandbox.account.calls);
 */
export {
  type CordonAuthorizer,
  type CordonAuthorizerOptions,
  cordonAuthorizer,
  type EvaluatedCall,
} from './authorizer.ts';
export * from './errors.ts';
export {
  type CordonDeployment,
  deployedPrincipals,
  functionRoleArn,
  memberActionRoleArn,
  memberObserverRoleArn,
  type PrincipalPolicies,
} from './principals.ts';
export { type IamReport, type IamReportOptions, iamReport, type UnusedGrants } from './report.ts';
