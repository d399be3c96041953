/**
 * An incident as `cordon incidents` and `cordon evidence` show it, read from the ledger (its partition: every
 * decision and step), Step Functions (DescribeExecution of each execution triage started: status, times, the
 * execution input with the incident's title, severity and decision) and the approvals table (by incident: who
 * decided, when, with what comment). Everything shown is read; nothing is inferred that was not recorded.
 */

import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import {
  listApprovals,
  listDecisions,
  type ReadApproval,
  readIncident,
  type StartedExecution,
  startedExecutions,
} from '@cordon/core/ledger/incident-reads';
import type { Change, LedgerEntry } from '@cordon/core/ledger/ledger';
import { mapLimit } from '@cordon/core/map-limit';
import type { PlaybookId } from '@cordon/core/playbooks/ids';
import { awsCallError } from '../aws/aws-errors.ts';
import { type StageNames, type StageTarget, stageNames } from '../aws/stage.ts';
import { IncidentNotFoundError } from '../errors.ts';
import {
  AlreadyReleasedError,
  chooseRelease,
  NothingToReleaseError,
  notUndoneByRelease,
  RELEASES,
  type ReleasePlaybook,
  releaseExecutionName,
} from './release-plan.ts';

/** Step Functions' execution statuses, and `UNKNOWN` for one it no longer (or never) answered for. */
export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE'
  | 'UNKNOWN';

/** An incident's status: its last execution's, or `ignored` (triage started nothing). */
export const INCIDENT_STATUSES = [
  'running',
  'succeeded',
  'failed',
  'timed-out',
  'aborted',
  'pending-redrive',
  'unknown',
  'ignored',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The incident as the execution input carries it (triage's `buildExecutionInput`). */
export interface IncidentSummaryView {
  readonly title?: string;
  readonly category?: string;
  readonly severity?: { readonly score: number; readonly label: string };
  readonly account?: string;
  readonly region?: string;
  readonly resources?: readonly unknown[];
}

export interface DecisionView {
  readonly playbook: string | null;
  readonly approval?: string;
  readonly reason?: string;
  readonly dryRun?: boolean;
  readonly steps?: readonly string[];
}

export interface ExecutionView {
  readonly name: string;
  readonly playbook: PlaybookId;
  readonly arn: string;
  /** The execution's page in the Step Functions console. */
  readonly consoleUrl: string;
  readonly status: ExecutionStatus;
  readonly startDate?: string;
  readonly stopDate?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly incident?: IncidentSummaryView;
  readonly decision?: DecisionView;
  /** Why the status is unknown. */
  readonly problem?: string;
}

export interface IncidentView {
  readonly id: string;
  readonly source?: string;
  readonly type?: string;
  readonly summary: IncidentSummaryView;
  /** Triage's entries: each delivery's decision (`decided`) or duplicate. */
  readonly decisions: readonly LedgerEntry[];
  readonly decision?: DecisionView;
  readonly status: IncidentStatus;
  readonly executions: readonly ExecutionView[];
  /** Every step's entries, oldest first. */
  readonly steps: readonly LedgerEntry[];
  readonly approvals: readonly ReadApproval[];
  readonly changes: readonly (Change & {
    readonly step: string;
    readonly at: string;
    readonly dryRun: boolean;
  })[];
  /**
   * What a release would restore: the records `cordon release` would hand its release playbook (release-plan's
   * chooseRelease: the changes a release undoes, since the last release of that kind that went through).
   */
  readonly restore: readonly { readonly step: string; readonly at: string; readonly record: unknown }[];
  /** Steps that changed something no release undoes (deactivated keys, removed console access): a person does. */
  readonly notReleased: readonly string[];
  /** The last release that went through (release-instance, release-credentials or release-remediation). */
  readonly released?: { readonly step: string; readonly at: string; readonly outcome: string };
  readonly settingsVersions: readonly string[];
  /** Control ids the fixes' ledger entries name (`controls`), when they name any. */
  readonly controls: readonly string[];
  readonly timing: Timing;
}

export interface Timing {
  /** The finding's `updatedAt` at its first delivery (else the first decision's time). */
  readonly findingAt?: string;
  readonly decidedAt?: string;
  /** The first containing step done (or found done), not in dry-run. */
  readonly containedAt?: string;
  readonly containedBy?: string;
  readonly secondsToContain?: number;
}

/**
 * Steps that do not contain: evidence kept (protect-evidence, snapshot-volumes), people told (notify,
 * request-approval), a release. Any other step done, or found done, outside dry-run contains the incident (an
 * instance isolated, a key deactivated, sessions revoked, a posture fix applied).
 */
const NOT_CONTAINMENT: ReadonlySet<string> = new Set([
  'triage',
  'protect-evidence',
  'snapshot-volumes',
  'notify',
  'request-approval',
  ...Object.values(RELEASES).map((release) => release.step),
]);

/**
 * The Step Functions console's page of an execution. Not an API: the console's own URL scheme, which AWS does not
 * document; it is what the console shows in its address bar for an execution.
 *
 * @example consoleUrl('us-east-1', 'arn:aws:states:us-east-1:111122223333:execution:cordon-prod-ec2-compromise:i')
 */
export function executionConsoleUrl(region: string, executionArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The incident and decision of an execution input (read defensively: it is JSON from Step Functions). */
function fromInput(input: string | undefined): { incident?: IncidentSummaryView; decision?: DecisionView } {
  if (input === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return {};
  }
  const incident = record(record(parsed)?.incident);
  const decision = record(record(parsed)?.decision);
  const severity = record(incident?.severity);
  return {
    ...(incident === undefined
      ? {}
      : {
          incident: {
            ...(text(incident.title) === undefined ? {} : { title: text(incident.title) }),
            ...(text(incident.category) === undefined ? {} : { category: text(incident.category) }),
            ...(typeof severity?.score === 'number' && typeof severity.label === 'string'
              ? { severity: { score: severity.score, label: severity.label } }
              : {}),
            ...(text(incident.account) === undefined ? {} : { account: text(incident.account) }),
            ...(text(incident.region) === undefined ? {} : { region: text(incident.region) }),
            ...(Array.isArray(incident.resources) ? { resources: incident.resources } : {}),
          },
        }),
    ...(decision === undefined
      ? {}
      : {
          decision: {
            playbook: text(decision.playbook) ?? null,
            ...(text(decision.approval) === undefined ? {} : { approval: text(decision.approval) }),
            ...(text(decision.reason) === undefined ? {} : { reason: text(decision.reason) }),
            ...(typeof decision.dryRun === 'boolean' ? { dryRun: decision.dryRun } : {}),
            ...(Array.isArray(decision.steps)
              ? { steps: decision.steps.filter((step): step is string => typeof step === 'string') }
              : {}),
          },
        }),
  };
}

/**
 * DescribeExecution of an execution triage started. An execution Step Functions no longer knows (it keeps closed
 * executions 90 days: "Execution history retention time",
 * https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html) is `UNKNOWN`, with why.
 */
export async function describeExecution(
  target: StageTarget,
  names: StageNames,
  account: string,
  started: StartedExecution,
): Promise<ExecutionView> {
  const arn = names.executionArn(account, started.playbook, started.executionName);
  const base = {
    name: started.executionName,
    playbook: started.playbook,
    arn,
    consoleUrl: executionConsoleUrl(target.region, arn),
  };
  let answer: DescribeExecutionCommandOutput;
  try {
    answer = await target.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionDoesNotExist') {
      return {
        ...base,
        status: 'UNKNOWN',
        problem:
          'Step Functions does not know this execution (it keeps closed executions for 90 days); the ledger below is the record',
      };
    }
    throw awsCallError(error, { action: 'states:DescribeExecution', resource: arn });
  }
  const { incident, decision } = fromInput(answer.input);
  return {
    ...base,
    status: (answer.status ?? 'UNKNOWN') as ExecutionStatus,
    ...(answer.startDate === undefined ? {} : { startDate: answer.startDate.toISOString() }),
    ...(answer.stopDate === undefined ? {} : { stopDate: answer.stopDate.toISOString() }),
    ...(answer.error === undefined ? {} : { error: answer.error }),
    ...(answer.cause === undefined ? {} : { cause: answer.cause }),
    ...(incident === undefined ? {} : { incident }),
    ...(decision === undefined ? {} : { decision }),
  };
}

function statusOf(executions: readonly ExecutionView[]): IncidentStatus {
  const last = executions.at(-1);
  if (last === undefined) return 'ignored';
  return last.status.toLowerCase().replaceAll('_', '-') as IncidentStatus;
}

function findingTime(decisions: readonly LedgerEntry[]): string | undefined {
  for (const entry of decisions) {
    const updatedAt = text(record(entry.input)?.updatedAt);
    if (updatedAt !== undefined && Number.isFinite(Date.parse(updatedAt))) {
      return new Date(updatedAt).toISOString();
    }
  }
  return decisions[0]?.at;
}

/** When the incident was contained, from its steps, and how long after the finding. */
export function timingOf(decisions: readonly LedgerEntry[], steps: readonly LedgerEntry[]): Timing {
  const findingAt = findingTime(decisions);
  const decidedAt = decisions.find((entry) => entry.outcome === 'decided')?.at ?? decisions[0]?.at;
  const contained = steps.find(
    (entry) =>
      !NOT_CONTAINMENT.has(entry.step) &&
      !entry.dryRun &&
      (entry.outcome === 'done' || entry.outcome === 'already-done'),
  );
  const seconds =
    contained === undefined || findingAt === undefined
      ? undefined
      : Math.max(0, Math.round((Date.parse(contained.at) - Date.parse(findingAt)) / 1000));
  return {
    ...(findingAt === undefined ? {} : { findingAt }),
    ...(decidedAt === undefined ? {} : { decidedAt }),
    ...(contained === undefined ? {} : { containedAt: contained.at, containedBy: contained.step }),
    ...(seconds === undefined ? {} : { secondsToContain: seconds }),
  };
}

function controlsOf(entries: readonly LedgerEntry[]): string[] {
  const controls = new Set<string>();
  for (const entry of entries) {
    // Set by the posture remediations on the entries of their fixes (LedgerEntry.controls), when present.
    const named = (entry as LedgerEntry & { controls?: unknown }).controls;
    if (Array.isArray(named))
      for (const control of named) if (typeof control === 'string') controls.add(control);
  }
  return [...controls].sort();
}

/** At most this many DescribeExecution calls at once (Step Functions refills 10–15 a second: limits-overview.html). */
export const DESCRIBE_CONCURRENCY = 4;

/**
 * Reads an incident whole: its ledger partition, its executions and its approvals.
 *
 * @throws IncidentNotFoundError when the ledger holds no entry of it.
 */
export async function readIncidentView(
  target: StageTarget,
  account: string,
  incidentId: string,
): Promise<IncidentView> {
  const names = stageNames(target.stage, target.region);
  let items: Awaited<ReturnType<typeof readIncident>>;
  let approvals: ReadApproval[];
  try {
    [items, approvals] = await Promise.all([
      readIncident(target.dynamodb, names.ledgerTable, incidentId),
      listApprovals(target.dynamodb, names.approvalsTable, incidentId),
    ]);
  } catch (error) {
    throw awsCallError(error, {
      action: 'dynamodb:Query',
      resource: `tables ${names.ledgerTable} and ${names.approvalsTable} (index)`,
      stageWhenMissing: { stage: target.stage, region: target.region },
    });
  }
  const { entries } = items;
  if (entries.length === 0) {
    throw new IncidentNotFoundError(
      `Incident ${incidentId} is not in the ledger of stage ${target.stage} (${names.ledgerTable}, ${target.region}): check the id and the stage; entries expire after the ledger retention (ledgerRetentionDays).`,
    );
  }
  const decisions = entries.filter((entry) => entry.step === 'triage');
  const steps = entries.filter((entry) => entry.step !== 'triage');
  const triaged = await mapLimit(startedExecutions(entries), DESCRIBE_CONCURRENCY, async (started) => ({
    view: await describeExecution(target, names, account, started),
    // An execution Step Functions forgot has no start date: triage's record of starting it stands in.
    at: started.at,
  }));
  const releases = (await releaseExecutions(target, names, account, incidentId, entries)).map((view) => ({
    view,
    at: view.startDate ?? '',
  }));
  // Oldest first: the releases among the containments they undid.
  const executions = [...triaged, ...releases]
    .map(({ view, at }) => ({ view, at: view.startDate ?? at }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .map(({ view }) => view);
  const first = executions.find((execution) => execution.incident !== undefined);
  const input = record(decisions[0]?.input);
  return {
    id: incidentId,
    ...(text(input?.source) === undefined ? {} : { source: text(input?.source) }),
    ...(text(input?.type) === undefined ? {} : { type: text(input?.type) }),
    summary: first?.incident ?? {},
    decisions,
    ...(first?.decision === undefined ? {} : { decision: first.decision }),
    status: statusOf(executions),
    executions,
    steps,
    approvals,
    // A step records its plan (`planned`, with what a release needs) and then what it did (`done`), or what it
    // would have done (`dry-run`): the changes are those two; a `failed` step names what it got done in notes.
    changes: steps
      .filter((entry) => entry.outcome === 'done' || entry.outcome === 'dry-run')
      .flatMap((entry) =>
        entry.changes.map((change) => ({ ...change, step: entry.step, at: entry.at, dryRun: entry.dryRun })),
      ),
    ...releaseStateOf(incidentId, entries),
    settingsVersions: [...new Set(entries.map((entry) => entry.settingsVersion))],
    controls: controlsOf(entries),
    timing: timingOf(decisions, steps),
  };
}

/** The release steps of the three release playbooks (release-instance, release-credentials, release-remediation). */
const RELEASE_STEPS: ReadonlySet<string> = new Set(Object.values(RELEASES).map((release) => release.step));

/**
 * What `incidents show` says of releases: what `cordon release` would restore now (release-plan's chooseRelease:
 * the changes a release undoes since the last release of that kind; nothing when it would refuse), the steps no
 * release undoes, and the last release of any kind that went through (done or found done, not a dry run).
 *
 * @example releaseStateOf(id, entries).released // { step: 'release-credentials', at: '…', outcome: 'done' }
 */
export function releaseStateOf(
  incidentId: string,
  entries: readonly LedgerEntry[],
): Pick<IncidentView, 'restore' | 'notReleased' | 'released'> {
  let records: readonly LedgerEntry[] = [];
  try {
    records = chooseRelease(incidentId, entries).records;
  } catch (error) {
    // Nothing changed, or released already: a release would restore nothing.
    if (!(error instanceof NothingToReleaseError || error instanceof AlreadyReleasedError)) throw error;
  }
  const released = entries.findLast(
    (entry) =>
      RELEASE_STEPS.has(entry.step) &&
      !entry.dryRun &&
      (entry.outcome === 'done' || entry.outcome === 'already-done'),
  );
  return {
    restore: records.map((entry) => ({ step: entry.step, at: entry.at, record: entry.restore })),
    notReleased: notUndoneByRelease(entries),
    ...(released === undefined
      ? {}
      : { released: { step: released.step, at: released.at, outcome: released.outcome } }),
  };
}

/** At most this many releases of one incident are looked for per release playbook (as `cordon release` does). */
const MAX_RELEASES = 20;

/**
 * The release executions of an incident. A responder starts them (`cordon release`, or by hand with the same
 * name), so triage's ledger notes do not name them: they are found under the names `cordon release` gives,
 * `<id>-release-<n>` (release-plan's releaseExecutionName), for each release playbook whose steps the incident's
 * changes call for or whose release step ran, DescribeExecution until Step Functions does not know the name.
 */
async function releaseExecutions(
  target: StageTarget,
  names: StageNames,
  account: string,
  incidentId: string,
  entries: readonly LedgerEntry[],
): Promise<ExecutionView[]> {
  const playbooks = (Object.entries(RELEASES) as [ReleasePlaybook, (typeof RELEASES)[ReleasePlaybook]][])
    .filter(([, release]) =>
      entries.some(
        (entry) => entry.step === release.step || (release.undoes as readonly string[]).includes(entry.step),
      ),
    )
    .map(([playbook]) => playbook);
  const found: ExecutionView[] = [];
  for (const playbook of playbooks) {
    for (let attempt = 1; attempt <= MAX_RELEASES; attempt += 1) {
      const view = await describeExecution(target, names, account, {
        playbook,
        executionName: releaseExecutionName(incidentId, attempt),
        at: '',
      });
      // Numbered from 1 without gaps: the first name Step Functions does not know ends the releases.
      if (view.status === 'UNKNOWN') break;
      found.push(view);
    }
  }
  return found;
}

/** An incident as `incidents list` shows it: from its decisions in the window and its last execution. */
export interface IncidentRow {
  readonly id: string;
  readonly decidedAt: string;
  readonly deliveries: number;
  readonly source?: string;
  readonly type?: string;
  readonly settingsVersion: string;
  readonly dryRun: boolean;
  readonly playbook: string | null;
  readonly reason?: string;
  readonly status: IncidentStatus;
  readonly severity?: { readonly score: number; readonly label: string };
  readonly title?: string;
  readonly execution?: Pick<ExecutionView, 'name' | 'arn' | 'status' | 'consoleUrl'>;
}

/**
 * The incidents decided in `[from, to)`, oldest first: one Query of the decisions index per month, then one
 * DescribeExecution per incident that started one (an incident whose window holds only re-deliveries is read
 * whole, to find the execution its first decision started).
 */
export async function listIncidentRows(
  target: StageTarget,
  account: string,
  window: { readonly from: Date; readonly to: Date },
): Promise<IncidentRow[]> {
  const names = stageNames(target.stage, target.region);
  let decisions: LedgerEntry[];
  try {
    decisions = await listDecisions(target.dynamodb, { tableName: names.ledgerTable, ...window });
  } catch (error) {
    throw awsCallError(error, {
      action: 'dynamodb:Query',
      resource: `index decisions-by-month of table ${names.ledgerTable}`,
      stageWhenMissing: { stage: target.stage, region: target.region },
    });
  }
  const byIncident = new Map<string, LedgerEntry[]>();
  for (const entry of decisions)
    byIncident.set(entry.incidentId, [...(byIncident.get(entry.incidentId) ?? []), entry]);
  return mapLimit([...byIncident.entries()], DESCRIBE_CONCURRENCY, async ([id, entries]) => {
    let started = startedExecutions(entries);
    if (started.length === 0 && !entries.some((entry) => entry.notes.includes('ignored'))) {
      // Only re-deliveries in the window: the execution was started by a decision before it.
      try {
        started = startedExecutions((await readIncident(target.dynamodb, names.ledgerTable, id)).entries);
      } catch (error) {
        throw awsCallError(error, { action: 'dynamodb:Query', resource: `table ${names.ledgerTable}` });
      }
    }
    const last = started.at(-1);
    const execution = last === undefined ? undefined : await describeExecution(target, names, account, last);
    const first = entries.find((entry) => entry.outcome === 'decided') ?? (entries[0] as LedgerEntry);
    const input = record(first.input);
    const reason = execution?.decision?.reason ?? first.notes[0];
    return {
      id,
      decidedAt: first.at,
      deliveries: entries.length,
      ...(text(input?.source) === undefined ? {} : { source: text(input?.source) }),
      ...(text(input?.type) === undefined ? {} : { type: text(input?.type) }),
      settingsVersion: first.settingsVersion,
      dryRun: first.dryRun,
      playbook: last?.playbook ?? null,
      ...(reason === undefined ? {} : { reason }),
      status: execution === undefined ? 'ignored' : statusOf([execution]),
      ...(execution?.incident?.severity === undefined ? {} : { severity: execution.incident.severity }),
      ...(execution?.incident?.title === undefined ? {} : { title: execution.incident.title }),
      ...(execution === undefined
        ? {}
        : {
            execution: {
              name: execution.name,
              arn: execution.arn,
              status: execution.status,
              consoleUrl: execution.consoleUrl,
            },
          }),
    };
  });
}
