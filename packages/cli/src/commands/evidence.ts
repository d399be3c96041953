/**
 * `cordon evidence --stage S --from … [--to …] [--format json|md|html] [--out file]`: a pack an auditor can
 * read — every incident decided in the window with what was decided and why, under which settings (the version,
 * and its values where they are known), the approvals (who, when, comment), every step and what it changed, the
 * controls served, and the time from finding to containment. Read only; built from the same reads as
 * `cordon incidents show`.
 */
import { writeFile } from 'node:fs/promises';
import { detectionFor } from '@cordon/core/detections/alarms';
import { listDecisions, readSettingsRecord } from '@cordon/core/ledger/incident-reads';
import { mapLimit } from '@cordon/core/map-limit';
import { DEFAULT_SETTINGS, failClosedSettings, settingsVersion } from '@cordon/core/policy/settings';
import { awsCallError } from '../aws/aws-errors.ts';
import { type StageTarget, stageNames, whoIsCalling } from '../aws/stage.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../io.ts';
import { formatEvidenceHtml, formatEvidenceMarkdown } from './evidence-format.ts';
import { DESCRIBE_CONCURRENCY, type IncidentView, readIncidentView } from './incident-view.ts';
import { type OperatorContext, parseOptions, stageRequest } from './operator.ts';
import { readParameters } from './parameters.ts';
import { loaderVerdict } from './settings-values.ts';
import { checkWindow, parseTime } from './time-options.ts';

const OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  sandbox: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
} as const;

export const EVIDENCE_FORMATS = ['json', 'md', 'html'] as const;
export type EvidenceFormat = (typeof EVIDENCE_FORMATS)[number];

/** Where the values of a settings version come from, most trustworthy first. */
export type SettingsSource = 'recorded' | 'current' | 'defaults' | 'fail-closed' | 'unknown';

export interface SettingsInForce {
  readonly version: string;
  readonly source: SettingsSource;
  /** A sentence: where the values come from, or why there are none. */
  readonly note: string;
  readonly values?: Readonly<Record<string, unknown>>;
  readonly recordedAt?: string;
  readonly recordedBy?: string;
  /** The incidents decided or acted on under it. */
  readonly incidents: readonly string[];
}

export interface EvidenceSummary {
  readonly incidents: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly contained: number;
  readonly medianSecondsToContain?: number;
  readonly approvalsAsked: number;
  readonly approvalsDecidedByPeople: number;
}

export interface EvidencePack {
  readonly kind: 'cordon-evidence';
  readonly stage: string;
  readonly region: string;
  readonly account: string;
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly summary: EvidenceSummary;
  readonly settings: readonly SettingsInForce[];
  readonly incidents: readonly (IncidentView & { readonly detectedBy: readonly string[] })[];
}

/** The Security Hub controls of the detections that raised an incident (an alarm Cordon defines). */
function detectionControls(view: IncidentView): string[] {
  const controls = new Set<string>();
  for (const resource of view.summary.resources ?? []) {
    const alarmName = (resource as { alarmName?: unknown } | null)?.alarmName;
    const detection = typeof alarmName === 'string' ? detectionFor(alarmName) : undefined;
    if (detection !== undefined) controls.add(`SecurityHub/${detection.securityHubControl}`);
  }
  return [...controls];
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : Math.round(((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2);
}

/**
 * The values behind each settings version seen: recorded by `cordon settings push` (verified: the version is
 * the hash of the values), the stage's current settings, the defaults infra deploys, or the fail-closed
 * defaults; otherwise unknown, and said so.
 */
async function settingsInForce(
  target: StageTarget,
  views: readonly IncidentView[],
): Promise<SettingsInForce[]> {
  const names = stageNames(target.stage, target.region);
  const byVersion = new Map<string, Set<string>>();
  for (const view of views) {
    for (const version of view.settingsVersions) {
      byVersion.set(version, (byVersion.get(version) ?? new Set()).add(view.id));
    }
  }
  if (byVersion.size === 0) return [];
  const current = await loaderVerdict(
    target.stage,
    Object.fromEntries(
      [...(await readParameters(target, names.settingsPath)).values()].map((p) => [p.name, p.value]),
    ),
  );
  const defaultsVersion = settingsVersion(DEFAULT_SETTINGS);
  const failClosed = failClosedSettings('');
  const result: SettingsInForce[] = [];
  for (const [version, incidents] of byVersion) {
    const base = { version, incidents: [...incidents] };
    let recorded: Awaited<ReturnType<typeof readSettingsRecord>>;
    try {
      recorded = await readSettingsRecord(target.dynamodb, names.ledgerTable, version);
    } catch (error) {
      throw awsCallError(error, { action: 'dynamodb:Query', resource: `table ${names.ledgerTable}` });
    }
    if (recorded !== undefined) {
      const verified = settingsVersion(recorded.settings as never) === version;
      result.push({
        ...base,
        source: 'recorded',
        note: verified
          ? `recorded by cordon settings push at ${recorded.recordedAt} (${recorded.recordedBy}); the values hash to this version`
          : `recorded at ${recorded.recordedAt}, but the values do not hash to this version: do not rely on them`,
        values: recorded.settings,
        recordedAt: recorded.recordedAt,
        recordedBy: recorded.recordedBy,
      });
    } else if (current.ok && current.version === version) {
      result.push({
        ...base,
        source: 'current',
        note: 'the settings the stage holds now',
        values: current.settings,
      });
    } else if (version === defaultsVersion) {
      result.push({
        ...base,
        source: 'defaults',
        note: 'the defaults infra deploys',
        values: DEFAULT_SETTINGS,
      });
    } else if (version === failClosed.version) {
      result.push({
        ...base,
        source: 'fail-closed',
        note: 'settings failed closed (invalid or unreadable): the defaults in notify-only mode',
        values: failClosed.settings,
      });
    } else {
      result.push({
        ...base,
        source: 'unknown',
        note: 'values not recorded (settings changed outside cordon settings push)',
      });
    }
  }
  return result;
}

/**
 * The evidence pack of a window: every incident decided in it, read whole.
 *
 * @example const pack = await gatherEvidence(target, { from, to, now });
 */
export async function gatherEvidence(
  target: StageTarget,
  window: { readonly from: Date; readonly to: Date; readonly now: Date },
): Promise<EvidencePack> {
  const names = stageNames(target.stage, target.region);
  const caller = await whoIsCalling(target);
  let decisions: Awaited<ReturnType<typeof listDecisions>>;
  try {
    decisions = await listDecisions(target.dynamodb, {
      tableName: names.ledgerTable,
      from: window.from,
      to: window.to,
    });
  } catch (error) {
    throw awsCallError(error, {
      action: 'dynamodb:Query',
      resource: `index decisions-by-month of table ${names.ledgerTable}`,
      stageWhenMissing: { stage: target.stage, region: target.region },
    });
  }
  const ids = [...new Set(decisions.map((entry) => entry.incidentId))];
  const views = await mapLimit(ids, DESCRIBE_CONCURRENCY, (id) =>
    readIncidentView(target, caller.account, id),
  );
  const settings = await settingsInForce(target, views);
  const byStatus: Record<string, number> = {};
  for (const view of views) byStatus[view.status] = (byStatus[view.status] ?? 0) + 1;
  const times = views.flatMap((view) =>
    view.timing.secondsToContain === undefined ? [] : [view.timing.secondsToContain],
  );
  const approvals = views.flatMap((view) => view.approvals);
  const medianSeconds = median(times);
  return {
    kind: 'cordon-evidence',
    stage: target.stage,
    region: target.region,
    account: caller.account,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    generatedAt: window.now.toISOString(),
    generatedBy: caller.arn,
    summary: {
      incidents: views.length,
      byStatus,
      contained: times.length,
      ...(medianSeconds === undefined ? {} : { medianSecondsToContain: medianSeconds }),
      approvalsAsked: approvals.length,
      approvalsDecidedByPeople: approvals.filter(
        (approval) => approval.ok && approval.record.decision !== undefined,
      ).length,
    },
    settings,
    incidents: views.map((view) => ({ ...view, detectedBy: detectionControls(view) })),
  };
}

/** `cordon evidence …` */
export async function evidenceCommand(args: readonly string[], context: OperatorContext): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (positionals.length > 0)
    throw new UsageError(`evidence takes no arguments (got ${positionals.join(' ')}).`);
  const where = stageRequest(values, 'evidence');
  const format = values.format ?? 'md';
  if (!(EVIDENCE_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format takes ${EVIDENCE_FORMATS.join(', ')}; got "${format}".`);
  }
  if (values.from === undefined)
    throw new UsageError('evidence needs --from (a time, or a duration back from now: 30d).');
  // The times' syntax is checked before any call; the window is read against the stage's clock (a saved
  // deployment's "now" is the time it was saved).
  const window = (now: Date) => {
    const from = parseTime(values.from as string, '--from', now);
    const to = values.to === undefined ? now : parseTime(values.to, '--to', now);
    return { from, to, now };
  };
  window(context.now());
  const target = await context.connect(where);
  const { from, to, now } = window(context.now());
  checkWindow(from, to, '--from/--to');
  const pack = await gatherEvidence(target, { from, to, now });
  const text =
    format === 'json'
      ? `${JSON.stringify(pack, null, 2)}\n`
      : format === 'md'
        ? formatEvidenceMarkdown(pack, now)
        : formatEvidenceHtml(pack, now);
  if (values.out === undefined) {
    context.io.out(text.replace(/\n$/, ''));
  } else {
    await writeFile(values.out, text);
    context.io.err(
      `Wrote the evidence of ${pack.summary.incidents} incident${pack.summary.incidents === 1 ? '' : 's'} to ${values.out}.`,
    );
  }
  return EXIT.ok;
}
