/**
 * The two-way least-privilege report over recorded calls: the calls IAM denied (Cordon would fail in AWS),
 * and, per principal, the actions its policies grant that no call used (Cordon holds more than it needs).
 */
import { platformStatements } from '../../../../infra/permissions.ts';
import type { RecordedCall } from '../sandbox/types.ts';
import type { EvaluatedCall } from './authorizer.ts';
import { IamPolicyUnsupportedError } from './errors.ts';
import type { PrincipalPolicies } from './principals.ts';
import { iamRequestsFor } from './requests/index.ts';

/**
 * Granted actions that no Cordon code calls, by design: the Lambda service writes the function's logs and
 * traces with its role (infra/permissions.ts `platformStatements`), so no recorded call shows them.
 */
export const CALLED_BY_LAMBDA: readonly string[] = platformStatements('any').flatMap((statement) => [
  ...statement.actions,
]);

export interface UnusedGrants {
  /** The role's name (`cordon-local-triage`, `CordonResponder-isolate-instance`): the same in every account. */
  readonly role: string;
  /** Allowed actions no recorded call of the role needed. */
  readonly actions: readonly string[];
}

export interface IamReport {
  /** Calls IAM would deny: each would fail in AWS with AccessDenied. */
  readonly denied: readonly RecordedCall[];
  /** Calls made with a principal but not evaluated (no authorizer, or it threw): not proven either way. */
  readonly unevaluated: readonly RecordedCall[];
  /** Per role, what its policies grant that no call used. */
  readonly unused: readonly UnusedGrants[];
}

export interface IamReportOptions {
  /** The principals whose grants are checked (e.g. `deployedPrincipals(deployment, memberAccounts).values()`). */
  readonly principals: Iterable<PrincipalPolicies>;
  /**
   * The authorizer's evaluations of the same calls (`authorizer.evaluations`): the IAM requests as evaluated,
   * with the account's state (an `iam:PassRole` needs the profile's role). Without them each call's requests
   * are rebuilt from its input alone, which can miss a request that depends on the state.
   */
  readonly evaluations?: readonly EvaluatedCall[];
  /**
   * `callers` (the default): only the roles that made a call — for one run, where most functions never ran.
   * `all`: every principal given — for the union of every flow, where each grant must have been used.
   */
  readonly scope?: 'callers' | 'all';
}

/** `arn:aws:iam::111122223333:role/cordon-local-triage` → `cordon-local-triage`. */
export function roleName(principalArn: string): string {
  return (
    principalArn
      .slice(principalArn.indexOf(':role/') + ':role/'.length)
      .split('/')
      .at(-1) ?? principalArn
  );
}

/** The IAM actions a recorded call needed (the request model, without the account's state). */
async function actionsOf(call: RecordedCall): Promise<string[]> {
  const principal = call.principal ?? '';
  const requests = await iamRequestsFor(
    { service: call.service, command: call.command, input: (call.input ?? {}) as Record<string, unknown> },
    {
      account: principal.split(':')[4] ?? '',
      region: 'us-east-1',
      principalArn: principal,
      read: async () => undefined,
    },
  );
  return requests.map((request) => request.action);
}

/**
 * Denied calls and unused grants over recorded calls (`sandbox.account.calls`, or several runs' calls
 * together). Roles are matched by name, so that runs in different accounts add up. A call the request model
 * does not know throws: the report cannot be made without it.
 *
 * @example
 * const report = await iamReport(sandbox.account.calls, { principals: deployedPrincipals(deployment).values() });
 * report.denied // []
 */
export async function iamReport(
  calls: readonly RecordedCall[],
  options: IamReportOptions,
): Promise<IamReport> {
  const attributed = calls.filter((call) => call.principal !== undefined);
  const used = new Map<string, Set<string>>();
  const use = (principal: string, actions: readonly string[]) => {
    const role = roleName(principal);
    let set = used.get(role);
    if (set === undefined) {
      set = new Set();
      used.set(role, set);
    }
    for (const action of actions) set.add(action.toLowerCase());
  };
  if (options.evaluations === undefined) {
    for (const call of attributed) use(call.principal as string, await actionsOf(call));
  } else {
    for (const evaluated of options.evaluations) {
      use(
        evaluated.principal,
        evaluated.requests.map((each) => each.request.action),
      );
    }
  }
  const unused: UnusedGrants[] = [];
  const seen = new Set<string>();
  for (const policies of options.principals) {
    const role = roleName(policies.arn);
    if (seen.has(role)) continue;
    seen.add(role);
    if ((options.scope ?? 'callers') === 'callers' && !used.has(role)) continue;
    const calledByLambda = policies.kind === 'function' ? CALLED_BY_LAMBDA : [];
    const allows = policies.statements.filter((statement) => statement.effect === 'Allow');
    const notAction = allows.find((statement) => statement.actions === undefined);
    if (notAction !== undefined) {
      // NotAction grants everything but a list: "granted but unused" cannot be listed for it.
      throw new IamPolicyUnsupportedError(
        `${notAction.origin}: an Allow with NotAction cannot be reported on`,
      );
    }
    const granted = new Set(allows.flatMap((statement) => statement.actions ?? []));
    const actions = [...granted]
      .filter((action) => !used.get(role)?.has(action.toLowerCase()) && !calledByLambda.includes(action))
      .sort();
    if (actions.length > 0) unused.push({ role, actions });
  }
  return {
    denied: attributed.filter((call) => call.iam === 'denied'),
    unevaluated: attributed.filter((call) => call.iam === undefined),
    unused,
  };
}
