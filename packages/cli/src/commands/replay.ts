import { readFile } from 'node:fs/promises';
import type { Incident } from '@cordon/core/intake/incident';
import type { Decision } from '@cordon/core/policy/decision';
import type { TriageResult } from '@cordon/core/triage/triage';
import {
  arrivalRoute,
  asPolledFinding,
  type Delivery,
  type DeliveryRoute,
  LocalDeployment,
} from '@cordon/local/deployment';
import type { ApprovalResponder, StepRun } from '@cordon/local/engine';
import { LocalSettingsInvalidError } from '@cordon/local/errors';
import { diffFacts, type FactChange, inspectResources } from '@cordon/local/inspect';
import { type ApprovalPrompt, startPageApprovals } from '@cordon/local/page-approvals';
import type { Authorizer, FaultSpec } from '@cordon/local/sandbox/types';
import type { Substitution } from '@cordon/local/seed';
import { sandboxForEvent } from '@cordon/local/seed-event';
import { ReplayStoppedError, UsageError } from '../errors.ts';

export interface ReplayOptions {
  readonly file: string;
  /** Any subset of the settings (a `--settings` file): written to the local deployment's SSM parameters. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Answers approvals; `undefined` when nothing can answer them (the replay stops with a clear message). */
  readonly approvals?: ApprovalResponder;
  /** Without `approvals`: serve the approval page on 127.0.0.1 and wait for a person's decision. */
  readonly approvalPage?: { readonly port?: number; onPrompt(prompt: ApprovalPrompt): void };
  readonly faults?: readonly FaultSpec[];
  readonly latencyMs?: number;
  readonly onStep?: (step: StepRun) => void;
  /** How the event arrives (default: a bare finding through the poller, anything else through EventBridge). */
  readonly via?: DeliveryRoute;
  /**
   * IAM's evaluation of every call by its principal; each call then says what IAM answered (`iam`). By
   * default, the policies infra deploys (`'deployed-policies'`): a call they would deny is denied here too.
   */
  readonly authorizer?: Authorizer | 'deployed-policies';
}

/** One AWS call of a replay: who made it (the function's role, or a member account's role) and what IAM said. */
export interface ReplayCall {
  readonly service: string;
  readonly command: string;
  readonly input: unknown;
  /** The role ARN of the caller; absent for a call no Cordon function made (the operator's settings read). */
  readonly principal?: string;
  /** `allowed` or `denied`, when an authorizer is installed. */
  readonly iam?: 'allowed' | 'denied';
}

/**
 * One JSON object of `cordon replay --json`: the format is a contract (issue 4); keep it stable. Added with the
 * local deployment: `delivery` (how the event reached triage, or why it did not) and each call's `principal`
 * (and `iam`).
 */
export interface ReplayReport {
  readonly file: string;
  readonly delivery: {
    readonly outcome: 'delivered' | 'dropped' | 'failed';
    readonly via: DeliveryRoute;
    readonly rules: readonly string[];
    /** Why EventBridge dropped it. */
    readonly reason?: string;
    /** Triage invocations, Lambda's retries included. */
    readonly attempts?: number;
    /** Why triage failed, after every attempt. */
    readonly error?: { readonly name: string; readonly message: string };
  };
  readonly accepted: boolean;
  /** Why: the decision's reason when accepted; why it was dropped, rejected or failed otherwise. */
  readonly reason: string;
  readonly incident: Incident | null;
  readonly decision: Decision | null;
  readonly execution: {
    readonly name: string | null;
    readonly status: string;
    readonly error?: string;
    readonly cause?: string;
  };
  readonly steps: ReadonlyArray<{
    id: string;
    state: string;
    status: string;
    attempts: number;
    startedAt: string;
    endedAt?: string;
    outcome?: string;
    error?: { name: string; message: string };
  }>;
  readonly calls: readonly ReplayCall[];
  readonly transitions: number;
  readonly changes: readonly FactChange[];
  readonly substitutions: readonly Substitution[];
}

/** `Command:ErrorName[:times]` → a fault spec. */
export function parseFault(text: string): FaultSpec {
  const match = /^([A-Za-z0-9]+):([A-Za-z0-9._-]+)(?::(\d+))?$/.exec(text);
  if (match === null) throw new UsageError(`--fail takes <Command>:<ErrorName>[:<times>], got "${text}"`);
  const [, command = '', error = '', times] = match;
  return times === undefined ? { command, error } : { command, error, times: Number(times) };
}

const NOT_STARTED = { name: null, status: 'NOT_STARTED' } as const;

/**
 * Replays an event end to end on a local deployment: seeds a sandbox account from it, writes the settings to
 * the stage's SSM parameters, delivers the event as it arrives in AWS (through the deployed EventBridge rules,
 * or the poller for a bare finding) to the triage function, runs the playbook triage starts, and reports the
 * delivery, the decision, the timeline, every AWS call with its principal and what changed.
 *
 * @example const report = await replay({ file: 'event.json', settings: {}, approvals: automaticApprovals('approve') })
 */
export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  let body: string;
  try {
    body = await readFile(options.file, 'utf8');
  } catch (error) {
    throw new ReplayStoppedError(
      `Cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    // Nothing that is not JSON can be put on an event bus.
    const reason = `The input is not valid JSON (${error instanceof Error ? error.message : String(error)}).`;
    return {
      file: options.file,
      delivery: { outcome: 'dropped', via: 'eventbridge', rules: [], reason },
      accepted: false,
      reason,
      incident: null,
      decision: null,
      execution: NOT_STARTED,
      steps: [],
      calls: [],
      transitions: 0,
      changes: [],
      substitutions: [],
    };
  }
  const via = options.via ?? arrivalRoute(event);
  const seeded = sandboxForEvent(via === 'poller' ? asPolledFinding(event) : event);
  const { sandbox } = seeded;

  let answer: ApprovalResponder | undefined = options.approvals;
  let deployment: LocalDeployment;
  try {
    deployment = await LocalDeployment.create({
      sandbox,
      settings: options.settings,
      approvals: async (request) => {
        if (answer === undefined) {
          throw new ReplayStoppedError(
            `The playbook of ${request.executionName} asks for approval first. Run again with --approve or --reject.`,
          );
        }
        return answer(request);
      },
      authorizer: options.authorizer ?? 'deployed-policies',
      onStep: (_execution, step) => options.onStep?.(step),
    });
  } catch (error) {
    if (error instanceof LocalSettingsInvalidError) throw new UsageError(error.message);
    throw error;
  }
  const page =
    answer === undefined && options.approvalPage !== undefined
      ? await startPageApprovals({
          sandbox,
          settings: (await deployment.settings()).settings,
          port: options.approvalPage.port,
          onPrompt: options.approvalPage.onPrompt,
        })
      : undefined;
  answer ??= page?.responder;
  // Faults and latency apply to the run, not to setting the deployment up.
  for (const fault of options.faults ?? []) sandbox.account.injectFault(fault);
  if (options.latencyMs !== undefined && options.latencyMs > 0)
    sandbox.account.injectLatency({ command: '*', ms: options.latencyMs });

  try {
    const before = seeded.incident === undefined ? [] : inspectResources(sandbox, seeded.incident);
    const firstCall = sandbox.account.calls.length;
    const payload = seeded.event;
    const delivery = via === 'poller' ? await deployment.poll([payload]) : await deployment.deliver(payload);
    const after = seeded.incident === undefined ? [] : inspectResources(sandbox, seeded.incident);
    const execution = delivery.outcome === 'dropped' ? undefined : delivery.executions[0];
    const stopped = execution?.steps.find((step) => step.error?.name === 'ReplayStoppedError');
    if (stopped !== undefined) throw new ReplayStoppedError(stopped.error?.message ?? 'approval needed');
    const result = delivery.outcome === 'dropped' ? undefined : delivery.results[0];
    const triaged = result !== undefined && result.outcome !== 'rejected' ? result : undefined;
    return {
      file: options.file,
      delivery: deliverySummary(delivery),
      accepted: triaged !== undefined,
      // Why, either way: the decision's reason for an accepted event, why not for any other.
      reason: triaged === undefined ? reasonOf(delivery, result) : triaged.decision.reason,
      incident: triaged?.incident ?? null,
      decision: triaged?.decision ?? null,
      execution:
        execution === undefined
          ? NOT_STARTED
          : {
              name: execution.name,
              status: execution.status,
              ...(execution.error === undefined ? {} : { error: execution.error, cause: execution.cause }),
            },
      steps: summariseSteps(execution?.steps ?? []),
      calls: sandbox.account.calls.slice(firstCall).map(({ service, command, input, principal, iam }) => ({
        service,
        command,
        input,
        ...(principal === undefined ? {} : { principal }),
        ...(iam === undefined ? {} : { iam }),
      })),
      transitions: execution?.transitions ?? 0,
      changes: diffFacts(before, after),
      substitutions: seeded.substitutions,
    };
  } finally {
    await page?.close();
  }
}

function deliverySummary(delivery: Delivery): ReplayReport['delivery'] {
  if (delivery.outcome === 'dropped') {
    return { outcome: 'dropped', via: delivery.via, rules: [], reason: delivery.reason };
  }
  return {
    outcome: delivery.outcome,
    via: delivery.via,
    rules: delivery.rules,
    attempts: delivery.attempts,
    ...(delivery.error === undefined ? {} : { error: delivery.error }),
  };
}

function reasonOf(delivery: Delivery, result: TriageResult | undefined): string {
  if (delivery.outcome === 'dropped') return `EventBridge drops it (no rule matches): ${delivery.reason}.`;
  if (result?.outcome === 'rejected') return result.reason;
  if (delivery.outcome === 'failed') {
    return `Triage failed ${delivery.attempts} times (${delivery.error?.name}: ${delivery.error?.message}); Lambda gives the event up.`;
  }
  return 'Triage answered nothing.';
}

/** One entry per Task state: first start, last end, attempts, the last attempt's status. */
function summariseSteps(runs: readonly StepRun[]): ReplayReport['steps'] {
  const byState = new Map<string, { runs: StepRun[] }>();
  for (const run of runs) {
    const entry = byState.get(run.state) ?? { runs: [] };
    entry.runs.push(run);
    byState.set(run.state, entry);
  }
  return [...byState.entries()].map(([state, { runs: attempts }]) => {
    const first = attempts[0] as StepRun;
    const last = attempts.at(-1) as StepRun;
    return {
      id: first.id,
      state,
      status: last.status,
      attempts: attempts.length,
      startedAt: first.startedAt,
      ...(last.endedAt === undefined ? {} : { endedAt: last.endedAt }),
      ...(last.outcome === undefined ? {} : { outcome: last.outcome }),
      ...(last.error === undefined ? {} : { error: last.error }),
    };
  });
}
