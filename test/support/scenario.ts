import type { Incident } from '../../packages/core/src/intake/incident.ts';
import type { TriageResult } from '../../packages/core/src/triage/triage.ts';
import {
  asPolledFinding,
  type Delivery,
  type DeliveryRoute,
  LocalDeployment,
} from '../../packages/local/src/deployment.ts';
import {
  type ApprovalResponder,
  automaticApprovals,
  type ExecutionReport,
} from '../../packages/local/src/engine.ts';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import type { Authorizer } from '../../packages/local/src/sandbox/types.ts';
import type { SeedOptions } from '../../packages/local/src/seed.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';

export interface Scenario {
  readonly sandbox: Sandbox;
  readonly deployment: LocalDeployment;
  /** What the sandbox was seeded from (the event's incident, with the sandbox's ids). */
  readonly incident: Incident;
  /** The event as delivered (placeholder ids replaced by the sandbox's). */
  readonly event: unknown;
  /** Delivers an event again the same way (by default the scenario's event), as a re-delivery would. */
  deliver(event?: unknown): Promise<Delivery>;
  readonly delivery: Delivery;
  /** Triage's answer to the first delivery (the first finding of a poller batch). */
  readonly result: TriageResult;
  readonly execution: ExecutionReport | undefined;
}

export interface ScenarioOptions {
  /** Any subset of the settings, written to the stage's SSM parameters. */
  readonly settings?: Record<string, unknown>;
  readonly seed?: SeedOptions;
  readonly approvals?: ApprovalResponder;
  /** How the event arrives: EventBridge (default), or the GuardDuty poller (an envelope hands it its `detail`). */
  readonly via?: DeliveryRoute;
  /** IAM's evaluation of each call (default: the policies infra deploys, so a call they deny fails here). */
  readonly authorizer?: Authorizer | 'deployed-policies';
  /** Changes to the sandbox before the delivery (faults, latency, extra resources). */
  readonly prepare?: (sandbox: Sandbox, incident: Incident) => unknown;
}

/** A delivery that reached triage: its result and what it started, or a named error for anything else. */
export function delivered(delivery: Delivery): Exclude<Delivery, { outcome: 'dropped' }> {
  if (delivery.outcome !== 'delivered') {
    throw new Error(
      `the event was not delivered: ${delivery.outcome === 'dropped' ? delivery.reason : delivery.error?.message}`,
    );
  }
  return delivery;
}

/**
 * A real event → a sandbox seeded from it → a local deployment over that sandbox (the deployed rules, triage
 * with its DynamoDB ledger, claims and blast radius, settings from SSM, the playbook in the local engine) →
 * the event delivered as it arrives in AWS, exactly as `cordon replay` runs it. The scenario tests assert on
 * the sandbox account afterwards.
 */
export async function runScenario(event: unknown, options: ScenarioOptions = {}): Promise<Scenario> {
  const via = options.via ?? 'eventbridge';
  const seeded = sandboxForEvent(via === 'poller' ? asPolledFinding(event) : event, options.seed);
  const { sandbox, incident } = seeded;
  if (incident === undefined) throw new Error('not an incident: the intake rejects the event');
  const deployment = await LocalDeployment.create({
    sandbox,
    settings: options.settings ?? {},
    approvals: options.approvals ?? automaticApprovals('approve'),
    authorizer: options.authorizer ?? 'deployed-policies',
  });
  await options.prepare?.(sandbox, incident);
  const deliver = (again: unknown = seeded.event) =>
    via === 'poller' ? deployment.poll([again]) : deployment.deliver(again);
  const delivery = await deliver();
  const { results, executions } = delivered(delivery);
  const result = results[0];
  if (result === undefined) throw new Error('triage answered nothing');
  return {
    sandbox,
    deployment,
    incident,
    event: seeded.event,
    deliver,
    delivery,
    result,
    execution: executions[0],
  };
}
