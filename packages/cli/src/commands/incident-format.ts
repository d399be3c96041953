/** `cordon incidents show` as text, and the phrases `cordon evidence` shares with it. */
import type { ReadApproval } from '@cordon/core/ledger/incident-reads';
import type { LedgerEntry } from '@cordon/core/ledger/ledger';
import { renderTable } from '../table.ts';
import type { IncidentView } from './incident-view.ts';
import { duration, shortTime } from './time-options.ts';

/** Who decided an approval: `slack:U0123 (Jane Doe)`. */
function who(decidedBy: { kind: string; id: string; name?: string | undefined }): string {
  return `${decidedBy.kind}:${decidedBy.id}${decidedBy.name === undefined ? '' : ` (${decidedBy.name})`}`;
}

/**
 * One approval in a sentence: what was asked, who decided and when, the comment, and whether Step Functions was
 * told; a pending one past its expiry timed out (the playbook then applied its timeout default).
 *
 * @example describeApproval(read, now) // 'requested 2026-11-28T10:00:01Z for contain-instance → snapshot-volumes: approved by slack:U0123 (Jane) at …'
 */
export function describeApproval(approval: ReadApproval, now: Date): string {
  if (!approval.ok) return `approval ${approval.approvalId}: unreadable record (${approval.problem})`;
  const { record } = approval;
  const asked = `requested ${shortTime(record.requestedAt)} for ${record.actions.join(' → ')}`;
  const decision = record.decision;
  if (decision !== undefined) {
    const verb = decision.decision === 'approve' ? 'approved' : 'rejected';
    const comment = decision.comment === undefined ? '' : `, comment: ${JSON.stringify(decision.comment)}`;
    const callback =
      record.callback === undefined
        ? '; Step Functions not told yet'
        : record.callback.status === 'sent'
          ? ''
          : `; telling Step Functions FAILED (${record.callback.error ?? 'unknown error'})`;
    return `${asked}: ${verb} by ${who(decision.decidedBy)} at ${shortTime(decision.decidedAt)}${comment}${callback}`;
  }
  if (Date.parse(record.expiresAt) <= now.getTime()) {
    return `${asked}: no decision before ${shortTime(record.expiresAt)} (timed out; the playbook applied its timeout default${record.timeoutDefault === undefined ? '' : `, ${record.timeoutDefault}`})`;
  }
  return `${asked}: waiting for a decision until ${shortTime(record.expiresAt)}`;
}

function errorOf(entry: LedgerEntry): string {
  if (entry.error === undefined) return '';
  return `${entry.error.name}${entry.error.awsError === undefined ? '' : ` (${entry.error.awsError})`}: ${entry.error.message}`;
}

function resourceLine(resource: unknown): string {
  if (typeof resource !== 'object' || resource === null) return String(resource);
  const fields = resource as Record<string, unknown>;
  const id = ['instanceId', 'accessKeyId', 'userName', 'roleName', 'alarmName', 'resourceId', 'accountId']
    .map((field) => fields[field])
    .find((value): value is string => typeof value === 'string' && value !== '');
  const kind = typeof fields.kind === 'string' ? fields.kind : 'resource';
  const role = typeof fields.role === 'string' ? `, ${fields.role}` : '';
  return `${id ?? '(no id)'} (${kind}${role})`;
}

/** The whole incident as text: summary, decisions, executions, steps, approvals, changes, restore, timing. */
export function formatIncident(view: IncidentView, now: Date): string[] {
  const lines: string[] = [`Incident ${view.id}`];
  const field = (name: string, value: string | undefined) => {
    if (value !== undefined) lines.push(`  ${name.padEnd(11)} ${value}`);
  };
  field('Title', view.summary.title);
  field('Source', [view.source, view.type].filter((part) => part !== undefined).join(' ') || undefined);
  field(
    'Severity',
    view.summary.severity === undefined
      ? undefined
      : `${view.summary.severity.label} (${view.summary.severity.score})`,
  );
  field(
    'Account',
    view.summary.account === undefined ? undefined : `${view.summary.account}, ${view.summary.region ?? '?'}`,
  );
  for (const [index, resource] of (view.summary.resources ?? []).entries()) {
    field(index === 0 ? 'Resources' : '', resourceLine(resource));
  }
  field('Status', view.status);

  lines.push('', 'Decision');
  if (view.decision !== undefined) {
    lines.push(
      `  ${view.decision.playbook ?? 'no playbook'}, approval ${view.decision.approval ?? '?'}${view.decision.dryRun === true ? ', dry-run' : ''}: ${view.decision.reason ?? ''}`,
    );
  }
  for (const entry of view.decisions) {
    lines.push(
      `  ${shortTime(entry.at)}  ${entry.outcome} under settings ${entry.settingsVersion}: ${entry.notes.join(' | ')}`,
    );
  }

  lines.push('', 'Executions');
  if (view.executions.length === 0) lines.push('  none (triage started no playbook)');
  for (const execution of view.executions) {
    lines.push(
      `  ${execution.name} (${execution.playbook}) ${execution.status} ${shortTime(execution.startDate)} → ${shortTime(execution.stopDate)}${execution.error === undefined ? '' : ` ${execution.error}: ${execution.cause ?? ''}`}`,
    );
    if (execution.problem !== undefined) lines.push(`    ${execution.problem}`);
    lines.push(`    ${execution.consoleUrl}`);
  }

  lines.push('', 'Steps');
  if (view.steps.length === 0) lines.push('  none recorded');
  else {
    const rows = view.steps.map((entry) => [
      shortTime(entry.at),
      entry.step,
      entry.outcome,
      entry.dryRun ? 'yes' : 'no',
      entry.settingsVersion,
      String(entry.changes.length),
      errorOf(entry),
    ]);
    for (const line of renderTable(
      ['AT', 'STEP', 'OUTCOME', 'DRY RUN', 'SETTINGS', 'CHANGES', 'ERROR'],
      rows,
    )) {
      lines.push(`  ${line}`);
    }
  }

  lines.push('', 'Approvals');
  if (view.approvals.length === 0) lines.push('  none asked');
  for (const approval of view.approvals) lines.push(`  ${describeApproval(approval, now)}`);

  lines.push('', 'What changed');
  if (view.changes.length === 0) lines.push('  nothing');
  for (const change of view.changes) {
    lines.push(
      `  ${change.resource} ${change.attribute}: ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)} (${change.step}, ${shortTime(change.at)}${change.dryRun ? ', dry-run: not applied' : ''})`,
    );
  }

  lines.push('', 'What a release would restore');
  if (view.restore.length === 0) lines.push('  nothing recorded to restore');
  for (const restore of view.restore) {
    lines.push(`  ${restore.step} (${shortTime(restore.at)}): ${JSON.stringify(restore.record)}`);
  }
  if (view.notReleased.length > 0) {
    lines.push(
      `  Not undone by a release: ${view.notReleased.join(', ')} (a person undoes these by hand: docs/on-call.md, "After a credential release").`,
    );
  }
  if (view.released !== undefined) {
    lines.push(
      `  A release ran: ${view.released.step} ${view.released.outcome} at ${shortTime(view.released.at)}.`,
    );
  }

  lines.push('', 'Timing');
  const { timing } = view;
  lines.push(`  finding ${shortTime(timing.findingAt)}, decided ${shortTime(timing.decidedAt)}`);
  lines.push(
    timing.containedAt === undefined
      ? '  not contained (no containing step done outside dry-run)'
      : `  contained ${shortTime(timing.containedAt)} by ${timing.containedBy}: ${duration(timing.secondsToContain ?? 0)} after the finding`,
  );
  lines.push('', `Settings versions: ${view.settingsVersions.join(', ')}`);
  if (view.controls.length > 0) lines.push(`Controls served: ${view.controls.join(', ')}`);
  return lines;
}
