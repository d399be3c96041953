import { readFile } from 'node:fs/promises';
import type { Incident } from '@cordon/core/intake/incident';
import { intakeText } from '@cordon/core/intake/intake';
import type { Decision } from '@cordon/core/policy/decision';
import type { SettingsResult } from '@cordon/core/policy/settings';
import { MemoryBlastRadius } from '@cordon/core/triage/blast-radius';
import { triageIncident } from '@cordon/core/triage/triage';
import { sandboxLedger, sandboxObserver } from '@cordon/local/clients';
import {
  type ApprovalResponder,
  type ExecutionReport,
  LocalEngine,
  type StepRun,
} from '@cordon/local/engine';
import { diffFacts, type FactChange, inspectResources } from '@cordon/local/inspect';
import { type ApprovalPrompt, startPageApprovals } from '@cordon/local/page-approvals';
import type { FaultSpec } from '@cordon/local/sandbox/types';
import { type Substitution, sandboxForIncident } from '@cordon/local/seed';
import { ReplayStoppedError, UsageError } from '../errors.ts';

export interface ReplayOptions {
  readonly file: string;
  readonly settings: SettingsResult;
  /** Answers approvals; `undefined` when nothing can answer them (the replay stops with a clear message). */
  readonly approvals?: ApprovalResponder;
  /** Without `approvals`: serve the approval page on 127.0.0.1 and wait for a person's decision. */
  readonly approvalPage?: { readonly port?: number; onPrompt(prompt: ApprovalPrompt): void };
  readonly faults?: readonly FaultSpec[];
  readonly latencyMs?: number;
  readonly onStep?: (step: StepRun) => void;
}

/** One JSON object of `cordon replay --json`: the format is a contract (issue 4); keep it stable. */
export interface ReplayReport {
  readonly file: string;
  readonly accepted: boolean;
  readonly reason?: string;
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
  readonly calls: ReadonlyArray<{ service: string; command: string; input: unknown }>;
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

/**
 * Replays an event end to end: seeds the sandbox from it, runs triage and the chosen playbook in the local
 * engine, and reports the decision, the timeline, every AWS call and what changed.
 *
 * @example const report = await replay({ file: 'event.json', settings, approvals: automaticApprovals('approve') })
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
  const received = intakeText(body);
  const empty = { steps: [], calls: [], transitions: 0, changes: [], substitutions: [] };
  if (!received.accepted) {
    return {
      file: options.file,
      accepted: false,
      reason: received.reason,
      incident: null,
      decision: null,
      execution: { name: null, status: 'NOT_STARTED' },
      ...empty,
    };
  }
  const { sandbox, incident, substitutions } = sandboxForIncident(received.incident);
  for (const fault of options.faults ?? []) sandbox.account.injectFault(fault);
  if (options.latencyMs !== undefined && options.latencyMs > 0)
    sandbox.account.injectLatency({ command: '*', ms: options.latencyMs });

  const page =
    options.approvals === undefined && options.approvalPage !== undefined
      ? await startPageApprovals({
          sandbox,
          settings: options.settings.settings,
          port: options.approvalPage.port,
          onPrompt: options.approvalPage.onPrompt,
        })
      : undefined;
  try {
    return await runReplay(
      options,
      { sandbox, incident, substitutions },
      options.approvals ?? page?.responder,
    );
  } finally {
    await page?.close();
  }
}

async function runReplay(
  options: ReplayOptions,
  seeded: Pick<ReturnType<typeof sandboxForIncident>, 'sandbox' | 'incident' | 'substitutions'>,
  answer: ApprovalResponder | undefined,
): Promise<ReplayReport> {
  const { sandbox, incident, substitutions } = seeded;
  const approvals: ApprovalResponder =
    answer ??
    (async () => {
      throw new ReplayStoppedError('unreachable: approvals are checked before the playbook starts');
    });
  const engine = new LocalEngine({
    sandbox,
    settings: options.settings,
    approvals,
    onStep: (_execution, step) => options.onStep?.(step),
  });
  const before = inspectResources(sandbox, incident);
  const seededCalls = sandbox.account.calls.length;
  const result = await triageIncident(incident, {
    settings: options.settings,
    ledger: sandboxLedger(sandbox, options.settings.settings.ledgerRetentionDays),
    blastRadius: new MemoryBlastRadius(),
    observeInstance: sandboxObserver(sandbox),
    startExecution: async (request) => {
      if (request.input.approval.required && answer === undefined) {
        throw new ReplayStoppedError(
          `The ${request.playbook} playbook asks for approval first (${request.input.decision.reason}). Run again with --approve or --reject.`,
        );
      }
      return engine.startExecution(request);
    },
    now: () => new Date(),
  });
  const after = inspectResources(sandbox, incident);
  const execution: ExecutionReport | undefined =
    result.outcome === 'rejected' ? undefined : engine.executions.get(incident.id);
  return {
    file: options.file,
    accepted: true,
    incident,
    decision: result.outcome === 'rejected' ? null : result.decision,
    execution:
      execution === undefined
        ? { name: null, status: 'NOT_STARTED' }
        : {
            name: execution.name,
            status: execution.status,
            ...(execution.error === undefined ? {} : { error: execution.error, cause: execution.cause }),
          },
    steps: summariseSteps(execution?.steps ?? []),
    calls: sandbox.account.calls
      .slice(seededCalls)
      .map(({ service, command, input }) => ({ service, command, input })),
    transitions: execution?.transitions ?? 0,
    changes: diffFacts(before, after),
    substitutions,
  };
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
