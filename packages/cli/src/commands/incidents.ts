/**
 * `cordon incidents list [--since 7d] [--status …] [--json]` and `cordon incidents show <id> [--json]`: the
 * incidents of a stage from its ledger (the decisions index, an incident's partition), Step Functions
 * (DescribeExecution) and the approvals table (by incident). Read only.
 */
import { whoIsCalling } from '../aws/stage.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../io.ts';
import { renderTable } from '../table.ts';
import { formatIncident } from './incident-format.ts';
import {
  INCIDENT_STATUSES,
  type IncidentRow,
  type IncidentStatus,
  listIncidentRows,
  readIncidentView,
} from './incident-view.ts';
import { type OperatorContext, parseOptions, stageRequest } from './operator.ts';
import { checkWindow, parseTime, shortTime } from './time-options.ts';

const OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  sandbox: { type: 'string' },
  since: { type: 'string' },
  status: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

/** Incident ids are Step Functions execution names: 1–80 of `[A-Za-z0-9_-]` (triage's ids). */
const INCIDENT_ID = /^[A-Za-z0-9_-]{1,80}$/;

export const DEFAULT_SINCE = '7d';

/** `--status running,failed --status ignored` → the statuses, each one Cordon knows. */
export function parseStatuses(values: readonly string[] | undefined): IncidentStatus[] | undefined {
  if (values === undefined) return undefined;
  const statuses = values.flatMap((value) => value.split(',')).map((status) => status.trim().toLowerCase());
  for (const status of statuses) {
    if (!(INCIDENT_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status takes ${INCIDENT_STATUSES.join(', ')}; got "${status}".`);
    }
  }
  return statuses as IncidentStatus[];
}

/** `cordon incidents <list|show> …` */
export async function incidentsCommand(args: readonly string[], context: OperatorContext): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values, positionals } = parseOptions(rest, OPTIONS);
  switch (subcommand) {
    case 'list': {
      if (positionals.length > 0)
        throw new UsageError(`incidents list takes no arguments (got ${positionals.join(' ')}).`);
      const where = stageRequest(values, 'incidents list');
      const statuses = parseStatuses(values.status);
      // Its syntax is checked before any call; the window is the stage's clock's (a saved deployment's "now" is
      // the time it was saved).
      parseTime(values.since ?? DEFAULT_SINCE, '--since', context.now());
      const target = await context.connect(where);
      const { stage } = target;
      const now = context.now();
      const from = parseTime(values.since ?? DEFAULT_SINCE, '--since', now);
      checkWindow(from, now, '--since');
      const { account } = await whoIsCalling(target);
      const rows = (await listIncidentRows(target, account, { from, to: now })).filter(
        (row) => statuses === undefined || statuses.includes(row.status),
      );
      if (values.json === true) {
        context.io.out(
          JSON.stringify({
            stage,
            region: target.region,
            from: from.toISOString(),
            to: now.toISOString(),
            incidents: rows,
          }),
        );
        return EXIT.ok;
      }
      for (const line of formatList(rows, {
        stage,
        region: target.region,
        where: target.where,
        from,
        to: now,
        statuses,
      })) {
        context.io.out(line);
      }
      return EXIT.ok;
    }
    case 'show': {
      if (positionals.length !== 1 || positionals[0] === undefined) {
        throw new UsageError('incidents show takes one incident id.');
      }
      const id = positionals[0];
      if (!INCIDENT_ID.test(id)) {
        throw new UsageError(`"${id}" is not an incident id (1 to 80 letters, digits, - and _).`);
      }
      if (values.since !== undefined || values.status !== undefined) {
        throw new UsageError('incidents show takes no --since or --status.');
      }
      const target = await context.connect(stageRequest(values, 'incidents show'));
      const { account } = await whoIsCalling(target);
      const view = await readIncidentView(target, account, id);
      const lines = values.json === true ? [JSON.stringify(view)] : formatIncident(view, context.now());
      for (const line of lines) context.io.out(line);
      return EXIT.ok;
    }
    default:
      throw new UsageError(
        subcommand === undefined
          ? 'incidents needs a subcommand: list or show.'
          : `Unknown incidents subcommand "${subcommand}" (list, show).`,
      );
  }
}

function formatList(
  rows: readonly IncidentRow[],
  scope: {
    stage: string;
    region: string;
    where: string;
    from: Date;
    to: Date;
    statuses: readonly IncidentStatus[] | undefined;
  },
): string[] {
  const filter = scope.statuses === undefined ? '' : ` with status ${scope.statuses.join(' or ')}`;
  const lines = [
    `Incidents of stage ${scope.stage} in ${scope.region} (${scope.where}) decided from ${shortTime(scope.from.toISOString())} to ${shortTime(scope.to.toISOString())}${filter}: ${rows.length}`,
  ];
  if (rows.length === 0) return lines;
  lines.push('');
  const table = rows.map((row) => [
    shortTime(row.decidedAt),
    row.id,
    row.severity === undefined ? '-' : `${row.severity.label} ${row.severity.score}`,
    row.playbook ?? 'none',
    `${row.status}${row.dryRun ? ' (dry-run)' : ''}`,
    row.deliveries > 1 ? String(row.deliveries) : '1',
    row.title ?? row.type ?? '',
  ]);
  lines.push(
    ...renderTable(['DECIDED', 'INCIDENT', 'SEVERITY', 'PLAYBOOK', 'STATUS', 'DELIVERIES', 'TITLE'], table),
  );
  lines.push(
    '',
    'cordon incidents show <incident> (with the same --stage or --sandbox) for the decision, steps, approvals and what changed.',
  );
  return lines;
}
