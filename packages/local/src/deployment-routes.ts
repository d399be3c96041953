/**
 * How events reach triage in a local deployment — an EventBridge rule, or the GuardDuty poller's batch — and
 * what became of a delivery.
 */
import type { EventRuleId } from '@cordon/core/events/rules';
import type { TriageResult } from '@cordon/core/triage/triage';
import type { ExecutionReport } from './engine.ts';

/** How an event reaches triage: an EventBridge rule, or the GuardDuty poller's batch (raw findings). */
export type DeliveryRoute = 'eventbridge' | 'poller';

/** Where an event would go: the rules that take it, or dropped with the reason. */
export type Route =
  | { readonly outcome: 'delivered'; readonly via: 'eventbridge'; readonly rules: readonly EventRuleId[] }
  | { readonly outcome: 'delivered'; readonly via: 'poller'; readonly rules: readonly [] }
  | { readonly outcome: 'dropped'; readonly via: 'eventbridge'; readonly reason: string };

/** What became of one delivery. */
export type Delivery =
  | Extract<Route, { outcome: 'dropped' }>
  | {
      readonly outcome: 'delivered' | 'failed';
      readonly via: DeliveryRoute;
      readonly rules: readonly EventRuleId[];
      /** Triage's answer for each event (an EventBridge event, or each finding of a poller batch). */
      readonly results: readonly TriageResult[];
      /** Invocations of the triage function, retries included. */
      readonly attempts: number;
      /** `failed`: the last error after every attempt (in AWS the event then leaves Lambda's queue). */
      readonly error?: { readonly name: string; readonly message: string };
      /** The executions triage started, run to their end (or to an approval nobody answers). */
      readonly executions: readonly ExecutionReport[];
    };

/**
 * How an event arrives in AWS when nobody says: a bare GuardDuty finding (GetFindings' shape, no EventBridge
 * envelope) only ever reaches triage in the poller's batch; everything else comes through EventBridge.
 *
 * @example arrivalRoute({ id: 'f', type: 'Recon:EC2/PortProbeUnprotectedPort' }) // 'poller'
 */
export function arrivalRoute(event: unknown): DeliveryRoute {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'eventbridge';
  const object = event as Readonly<Record<string, unknown>>;
  const finding = ('id' in object || 'Id' in object) && ('type' in object || 'Type' in object);
  return !('detail-type' in object) && finding ? 'poller' : 'eventbridge';
}

/**
 * What the poller hands triage for an event: a bare finding as it is, the finding of a GuardDuty EventBridge
 * envelope (its `detail`, which holds the same finding).
 *
 * @example asPolledFinding({ 'detail-type': 'GuardDuty Finding', detail: { id: 'f' } }) // { id: 'f' }
 */
export function asPolledFinding(event: unknown): unknown {
  if (typeof event !== 'object' || event === null) return event;
  const object = event as Readonly<Record<string, unknown>>;
  return object['detail-type'] === 'GuardDuty Finding' && typeof object.detail === 'object'
    ? object.detail
    : event;
}
