import type { LocalDeployment } from './deployment.ts';
import type { PendingApproval } from './deployment-approvals.ts';
import type { ExecutionReport } from './engine.ts';

/** The version of the saved state's layout: a reader refuses a layout it does not know. */
export const DEPLOYMENT_STATE_VERSION = 1;

/**
 * A local deployment's state as JSON (`cordon scenario --save`): everything a later run needs to go on from
 * here — the sandbox's models (the account's resources; the ledger, claims, leases, blast-radius counts and
 * approvals in DynamoDB; the settings and secrets in SSM; the executions in Step Functions), the engine's
 * timelines of each execution, the approvals waiting for a person, and the clock.
 */
export interface DeploymentState {
  readonly version: typeof DEPLOYMENT_STATE_VERSION;
  readonly stage: string;
  readonly homeAccount: string;
  readonly region: string;
  /** The deployment's clock when the state was taken. */
  readonly clock: string;
  /** Every model's state, by service (`SandboxAccount.snapshot`). */
  readonly sandbox: Record<string, unknown>;
  readonly executions: readonly ExecutionReport[];
  readonly pendingApprovals: readonly PendingApproval[];
}

/**
 * The deployment's state, as plain JSON (deep copies: later changes do not reach it).
 *
 * @example await writeFile('state.json', JSON.stringify(deploymentState(deployment)));
 */
export function deploymentState(deployment: LocalDeployment): DeploymentState {
  return {
    version: DEPLOYMENT_STATE_VERSION,
    stage: deployment.stage,
    homeAccount: deployment.homeAccount,
    region: deployment.region,
    clock: deployment.now().toISOString(),
    sandbox: deployment.sandbox.account.snapshot(),
    executions: structuredClone([...deployment.executions.values()]),
    pendingApprovals: deployment.pendingApprovals(),
  };
}
