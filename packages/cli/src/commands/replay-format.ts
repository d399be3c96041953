import type { FactChange } from '@cordon/local/inspect';
import { renderTable } from '../table.ts';
import type { ReplayReport } from './replay.ts';

function duration(startedAt: string, endedAt: string | undefined): string {
  if (endedAt === undefined) return '-';
  return `${Math.max(0, Date.parse(endedAt) - Date.parse(startedAt))} ms`;
}

/** The replay for a person at a terminal: the decision, the timeline, what changed, the AWS calls. */
export function formatReplay(report: ReplayReport): string[] {
  const lines: string[] = [`Event: ${report.file}`, deliveryLine(report.delivery)];
  if (!report.accepted || report.incident === null) {
    // A dropped event never reached triage: the delivery line says why.
    if (report.delivery.outcome !== 'dropped') lines.push(`Not an incident: ${report.reason ?? 'rejected'}`);
    lines.push('Execution: NOT_STARTED');
    return lines;
  }
  const { incident, decision } = report;
  lines.push(
    `Incident: ${incident.id}`,
    `  ${incident.title}`,
    `  ${incident.category}, severity ${incident.severity.score} (${incident.severity.label}), account ${incident.account}, ${incident.region}`,
  );
  if (report.substitutions.length > 0) {
    const shown = report.substitutions.slice(0, 3).map((item) => `${item.from} → ${item.to}`);
    const more =
      report.substitutions.length > 3
        ? `, and ${report.substitutions.length - 3} more (--json lists them)`
        : '';
    lines.push(`  Placeholder ids replaced by valid ones in the sandbox: ${shown.join(', ')}${more}`);
  }
  if (decision !== null) {
    lines.push(
      `Decision: ${decision.action}${decision.playbook ? ` ${decision.playbook}` : ''}, approval ${decision.approval}${decision.dryRun ? ', dry-run' : ''}`,
      `  ${decision.reason}`,
    );
  }
  const execution = report.execution;
  lines.push(
    '',
    `Execution ${execution.name ?? '(none)'}: ${execution.status}${report.transitions > 0 ? ` — ${report.transitions} state transitions` : ''}`,
  );
  if (execution.error !== undefined) lines.push(`  ${execution.error}: ${execution.cause ?? ''}`);
  if (report.steps.length > 0) {
    lines.push('');
    lines.push(
      ...renderTable(
        ['#', 'STEP', 'STATE', 'STATUS', 'ATTEMPTS', 'OUTCOME', 'TIME', 'ERROR'],
        report.steps.map((step, index) => [
          String(index + 1),
          step.id,
          step.state,
          step.status,
          String(step.attempts),
          step.outcome ?? '',
          duration(step.startedAt, step.endedAt),
          step.error === undefined ? '' : `${step.error.name}: ${step.error.message}`.slice(0, 100),
        ]),
      ),
    );
  }
  lines.push('', ...formatChanges(report.changes));
  const principals = [
    ...new Set(report.calls.flatMap((call) => (call.principal === undefined ? [] : [call.principal]))),
  ];
  const denied = report.calls.filter((call) => call.iam === 'denied').length;
  const mutating = report.calls.filter((call) => !/^(Describe|Get|List|Query|Scan)/.test(call.command));
  const counts = new Map<string, number>();
  for (const call of report.calls)
    counts.set(`${call.service}.${call.command}`, (counts.get(`${call.service}.${call.command}`) ?? 0) + 1);
  lines.push(
    '',
    `AWS calls: ${report.calls.length} (${mutating.length} changing something): ${[...counts.entries()].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name)).join(', ')}`,
    `  made as ${principals.map((arn) => arn.split('/').at(-1)).join(', ') || 'nobody'}${denied > 0 ? `; ${denied} denied by IAM` : ''}`,
  );
  return lines;
}

/** How the event reached triage, or why it did not. */
function deliveryLine(delivery: ReplayReport['delivery']): string {
  if (delivery.outcome === 'dropped')
    return `Dropped by EventBridge: ${delivery.reason ?? 'no rule matches'}`;
  const how =
    delivery.via === 'poller'
      ? 'Delivered by the GuardDuty poller'
      : `Delivered by EventBridge rule ${delivery.rules.join(', ')}`;
  if (delivery.outcome === 'failed') {
    return `${how}; triage failed ${delivery.attempts ?? 0} times (${delivery.error?.name ?? 'Error'}: ${delivery.error?.message ?? ''})`;
  }
  const invocations = delivery.via === 'poller' ? 1 : delivery.rules.length;
  const attempts = delivery.attempts ?? invocations;
  const retried = attempts > invocations ? ` (triage failed and was retried: ${attempts} attempts)` : '';
  return `${how}${retried}`;
}

/** "What changed": the account's facts before and after, as replay and scenario print them. */
export function formatChanges(changes: readonly FactChange[]): string[] {
  if (changes.length === 0) return ['What changed: nothing.'];
  return [
    'What changed:',
    ...renderTable(
      ['RESOURCE', 'ATTRIBUTE', 'BEFORE', 'AFTER'],
      changes.map((change) => [change.resource, change.attribute, change.before, change.after]),
    ).map((line) => `  ${line}`),
  ];
}
