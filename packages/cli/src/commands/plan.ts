import { readFile } from 'node:fs/promises';
import type { Incident } from '@cordon/core/intake/incident';
import { intake } from '@cordon/core/intake/intake';
import { type Decision, decide } from '@cordon/core/policy/decision';
import type { Settings } from '@cordon/core/policy/settings';
import {
  arrivalRoute,
  asPolledFinding,
  type DeliveryRoute,
  type LocalDeployment,
  type Route,
} from '@cordon/local/deployment';
import { renderTable } from '../table.ts';

/**
 * One line of `cordon plan --json`: the format is a contract (issue 2); keep it stable. `route` (added with
 * the local deployment) says how the event would reach triage — the EventBridge rules that match it, the
 * poller — or that EventBridge would drop it; it is absent for a file that cannot be read or parsed.
 */
export interface PlanResult {
  readonly file: string;
  readonly route?: Route;
  readonly accepted: boolean;
  readonly reason?: string;
  readonly incident: Incident | null;
  readonly decision: Decision | null;
}

export interface PlanContext {
  /** The deployment whose rules route the events (plan makes no call through it). */
  readonly deployment: LocalDeployment;
  /** The settings to decide with, as the stage's parameters hold them. */
  readonly settings: Settings;
  /** How the events arrive; by default a bare finding through the poller, anything else through EventBridge. */
  readonly via?: DeliveryRoute;
}

/**
 * Plans one event file as the deployed system would take it: the EventBridge rules (or the poller), then
 * what triage does first — intake and the decision. Never throws and makes no AWS call; a missing or
 * unreadable file is a result with `accepted: false` and the reason, and so is an event EventBridge drops.
 */
export async function planFile(file: string, context: PlanContext): Promise<PlanResult> {
  let body: string;
  try {
    body = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'The file does not exist.' : `The file cannot be read (${code ?? String(error)}).`;
    return { file, accepted: false, reason, incident: null, decision: null };
  }
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      file,
      accepted: false,
      reason: `The input is not valid JSON (${detail}).`,
      incident: null,
      decision: null,
    };
  }
  const via = context.via ?? arrivalRoute(event);
  const payload = via === 'poller' ? asPolledFinding(event) : event;
  const route = context.deployment.route(payload, via);
  if (route.outcome === 'dropped') {
    return {
      file,
      route,
      accepted: false,
      reason: `EventBridge drops it (no rule matches): ${route.reason}.`,
      incident: null,
      decision: null,
    };
  }
  const result = intake(payload);
  if (!result.accepted) {
    return { file, route, accepted: false, reason: result.reason, incident: null, decision: null };
  }
  return {
    file,
    route,
    accepted: true,
    incident: result.incident,
    // As triage decides: its own roles (the stage's, in the deployment's home account) are Cordon's own.
    decision: decide(result.incident, context.settings, {
      stage: context.deployment.stage,
      homeAccount: context.deployment.homeAccount,
    }),
  };
}

/** Plans every file, in input order. */
export async function planFiles(files: readonly string[], context: PlanContext): Promise<PlanResult[]> {
  return Promise.all(files.map((file) => planFile(file, context)));
}

/** One JSON object per line. */
export function formatPlanJson(results: readonly PlanResult[]): string[] {
  return results.map((result) => JSON.stringify(result));
}

/** A table for a person at a terminal, with the reasons below it. */
export function formatPlanTable(results: readonly PlanResult[], baseDir?: string): string[] {
  const shortName = (file: string) =>
    baseDir !== undefined && file.startsWith(baseDir) ? file.slice(baseDir.length + 1) : file;
  const rows = results.map((result, index) => {
    const incident = result.incident;
    const decision = result.decision;
    if (incident === null || decision === null) {
      const action = result.route?.outcome === 'dropped' ? 'dropped' : 'rejected';
      return [String(index + 1), shortName(result.file), action, '', '', '', '', ''];
    }
    return [
      String(index + 1),
      shortName(result.file),
      decision.action + (decision.dryRun ? ' (dry-run)' : ''),
      incident.category,
      `${incident.severity.score} ${incident.severity.label}`,
      decision.playbook ?? '-',
      decision.approval,
      decision.steps.join(' → ') || '-',
    ];
  });
  const lines = renderTable(
    ['#', 'EVENT', 'ACTION', 'CATEGORY', 'SEVERITY', 'PLAYBOOK', 'APPROVAL', 'STEPS'],
    rows,
  );
  lines.push('', 'Why:');
  results.forEach((result, index) => {
    const why = result.decision?.reason ?? result.reason ?? '';
    const via = result.route?.via === 'poller' ? ' (delivered by the GuardDuty poller)' : '';
    lines.push(`  ${index + 1}. ${why}${via}`);
  });
  const counts = { remediate: 0, notify: 0, ignore: 0, rejected: 0, dropped: 0 };
  for (const result of results) {
    if (result.decision !== null) counts[result.decision.action] += 1;
    else if (result.route?.outcome === 'dropped') counts.dropped += 1;
    else counts.rejected += 1;
  }
  lines.push(
    '',
    `${results.length} events: ${counts.remediate} remediate, ${counts.notify} notify, ${counts.ignore} ignore, ${counts.rejected} rejected, ${counts.dropped} dropped by EventBridge.`,
  );
  return lines;
}
