import type { Incident } from '../../packages/core/src/intake/incident.ts';
import { intake } from '../../packages/core/src/intake/intake.ts';
import { parseSettings } from '../../packages/core/src/policy/settings.ts';
import { MemoryBlastRadius } from '../../packages/core/src/triage/blast-radius.ts';
import { type TriageResult, triageIncident } from '../../packages/core/src/triage/triage.ts';
import { sandboxLedger, sandboxObserver } from '../../packages/local/src/clients.ts';
import {
  type ApprovalResponder,
  automaticApprovals,
  type ExecutionReport,
  LocalEngine,
} from '../../packages/local/src/engine.ts';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { type SeedOptions, sandboxForIncident } from '../../packages/local/src/seed.ts';

export interface Scenario {
  readonly sandbox: Sandbox;
  readonly incident: Incident;
  readonly engine: LocalEngine;
  /** Triage the (seeded) incident once more, as a re-delivery would. */
  deliver(incident?: Incident): Promise<TriageResult>;
  readonly result: TriageResult;
  readonly execution: ExecutionReport | undefined;
}

export interface ScenarioOptions {
  readonly settings?: Record<string, unknown>;
  readonly seed?: SeedOptions;
  readonly approvals?: ApprovalResponder;
  /** Changes to the sandbox before triage (faults, latency, extra resources). */
  readonly prepare?: (sandbox: Sandbox, incident: Incident) => unknown;
}

/**
 * A real event → intake → a sandbox seeded from it → triage → the playbook in the local engine, as
 * `cordon replay` runs it. The scenario tests assert on the sandbox account afterwards.
 */
export async function runScenario(event: unknown, options: ScenarioOptions = {}): Promise<Scenario> {
  const received = intake(event);
  if (!received.accepted) throw new Error(`not an incident: ${received.reason}`);
  const { sandbox, incident } = sandboxForIncident(received.incident, options.seed);
  await options.prepare?.(sandbox, incident);
  const settings = parseSettings(options.settings ?? {});
  if (!settings.ok) throw new Error(settings.reason);
  const engine = new LocalEngine({
    sandbox,
    settings,
    approvals: options.approvals ?? automaticApprovals('approve'),
  });
  const ports = {
    settings,
    ledger: sandboxLedger(sandbox, 30),
    blastRadius: new MemoryBlastRadius(),
    observeInstance: sandboxObserver(sandbox),
    startExecution: engine.startExecution,
    now: () => new Date(),
  };
  const deliver = (again: Incident = incident) => triageIncident(again, ports);
  const result = await deliver();
  return { sandbox, incident, engine, deliver, result, execution: engine.executions.get(incident.id) };
}
