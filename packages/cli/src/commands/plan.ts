import { readFile } from 'node:fs/promises';
import type { Incident } from '@cordon/core/intake/incident';
import { intakeText } from '@cordon/core/intake/intake';
import { type Decision, decide } from '@cordon/core/policy/decision';
import type { Settings } from '@cordon/core/policy/settings';
import { renderTable } from '../table.ts';

/** One line of `cordon plan --json`: the format is a contract (issue 2); keep it stable. */
export interface PlanResult {
  readonly file: string;
  readonly accepted: boolean;
  readonly reason?: string;
  readonly incident: Incident | null;
  readonly decision: Decision | null;
}

/**
 * Plans one event file: intake, then decide. Never throws and makes no AWS call; a missing or unreadable
 * file is a result with `accepted: false` and the reason.
 */
export async function planFile(file: string, settings: Settings): Promise<PlanResult> {
  let body: string;
  try {
    body = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'The file does not exist.' : `The file cannot be read (${code ?? String(error)}).`;
    return { file, accepted: false, reason, incident: null, decision: null };
  }
  const result = intakeText(body);
  if (!result.accepted)
    return { file, accepted: false, reason: result.reason, incident: null, decision: null };
  return { file, accepted: true, incident: result.incident, decision: decide(result.incident, settings) };
}

/** Plans every file, in input order. */
export async function planFiles(files: readonly string[], settings: Settings): Promise<PlanResult[]> {
  return Promise.all(files.map((file) => planFile(file, settings)));
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
      return [String(index + 1), shortName(result.file), 'rejected', '', '', '', '', ''];
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
    lines.push(`  ${index + 1}. ${why}`);
  });
  const counts = { remediate: 0, notify: 0, ignore: 0, rejected: 0 };
  for (const result of results) counts[result.decision?.action ?? 'rejected'] += 1;
  lines.push(
    '',
    `${results.length} events: ${counts.remediate} remediate, ${counts.notify} notify, ${counts.ignore} ignore, ${counts.rejected} rejected.`,
  );
  return lines;
}
