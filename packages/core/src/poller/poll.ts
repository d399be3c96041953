/**
 * One run of the GuardDuty poller, without the SDK: for each detector, list the findings updated since the
 * cursor (paginated, oldest first), fetch them in batches of 50, hand them to triage in payloads small enough
 * for an asynchronous Lambda invocation, then advance the cursor. The poller complements the EventBridge rule:
 * it catches findings whose event was lost or arrived before Cordon was deployed.
 */
import {
  FINDING_SORT,
  type FindingCriteria,
  type FindingSortCriteria,
  findingCriteria,
  GUARDDUTY_PAGE_SIZE,
} from './criteria.ts';
import {
  type CursorStore,
  DEFAULT_CURSOR_WINDOW,
  nextCursor,
  type PollerCursor,
  windowStart,
} from './cursor.ts';

/** What triage receives from the poller (the triage handler's `PollerBatch`). */
export interface PollerBatch {
  readonly source: 'cordon.poller';
  readonly findings: readonly unknown[];
}

export interface ListFindingsPage {
  readonly findingIds: readonly string[];
  readonly nextToken?: string;
}

/** The GuardDuty calls the poller makes, made by the adapter with the real client. */
export interface GuardDutyPort {
  listDetectorIds(): Promise<readonly string[]>;
  listFindings(request: {
    readonly detectorId: string;
    readonly criteria: FindingCriteria;
    readonly sort: FindingSortCriteria;
    readonly maxResults: number;
    readonly nextToken?: string;
  }): Promise<ListFindingsPage>;
  /** At most {@link GUARDDUTY_PAGE_SIZE} ids per call. */
  getFindings(detectorId: string, findingIds: readonly string[]): Promise<readonly unknown[]>;
}

export interface PollerPorts {
  readonly guardDuty: GuardDutyPort;
  readonly cursors: CursorStore;
  /** Hands one batch to triage (an asynchronous Lambda invocation in AWS). */
  sendToTriage(batch: PollerBatch): Promise<void>;
  now(): Date;
}

export interface PollerOptions {
  /** `settings.severity.ignoreBelow`: findings below it are never fetched. */
  readonly minSeverity: number;
  /** At most this many findings per detector per run; the rest wait for the next run (oldest first). */
  readonly maxFindingsPerRun?: number;
  /** Largest JSON payload per triage batch, in bytes (asynchronous invocations take 256 KB). */
  readonly maxBatchBytes?: number;
  readonly initialLookbackMs?: number;
  readonly overlapMs?: number;
  readonly maxLookbackMs?: number;
}

export interface DetectorPollResult {
  readonly detectorId: string;
  readonly since: string;
  readonly listed: number;
  readonly sent: number;
  readonly batches: number;
  /** True when `maxFindingsPerRun` stopped the listing; the next run continues from the new cursor. */
  readonly truncated: boolean;
  readonly cursor?: string;
}

export const DEFAULT_MAX_FINDINGS_PER_RUN = 500;
/** 256 KB minus room for the envelope and Lambda's own framing. */
export const DEFAULT_MAX_BATCH_BYTES = 240_000;

/**
 * Splits findings into batches whose JSON stays under `maxBytes`, keeping their order. A finding larger than
 * the limit travels alone (the invocation will say whether it fits).
 *
 * @example chunkBySize([a, b, c], 240_000) // [[a, b, c]] when they are small
 */
export function chunkBySize(findings: readonly unknown[], maxBytes: number): unknown[][] {
  const chunks: unknown[][] = [];
  let current: unknown[] = [];
  let size = 0;
  for (const finding of findings) {
    const bytes = Buffer.byteLength(JSON.stringify(finding) ?? 'null') + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(finding);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Polls every detector of the account and region once.
 *
 * @example
 * const results = await pollFindings({ minSeverity: settings.severity.ignoreBelow }, ports);
 * // [{ detectorId: '12abc…', since: '2026-…', listed: 3, sent: 3, batches: 1, truncated: false, cursor: '2026-…' }]
 */
export async function pollFindings(
  options: PollerOptions,
  ports: PollerPorts,
): Promise<DetectorPollResult[]> {
  const results: DetectorPollResult[] = [];
  for (const detectorId of await ports.guardDuty.listDetectorIds()) {
    results.push(await pollDetector(detectorId, options, ports));
  }
  return results;
}

async function pollDetector(
  detectorId: string,
  options: PollerOptions,
  ports: PollerPorts,
): Promise<DetectorPollResult> {
  const maxFindings = options.maxFindingsPerRun ?? DEFAULT_MAX_FINDINGS_PER_RUN;
  const now = ports.now();
  const previous: PollerCursor | undefined = await ports.cursors.read(detectorId);
  const since = windowStart({
    cursor: previous,
    now,
    initialLookbackMs: options.initialLookbackMs ?? DEFAULT_CURSOR_WINDOW.initialLookbackMs,
    overlapMs: options.overlapMs ?? DEFAULT_CURSOR_WINDOW.overlapMs,
    maxLookbackMs: options.maxLookbackMs ?? DEFAULT_CURSOR_WINDOW.maxLookbackMs,
  });
  const criteria = findingCriteria({ updatedSince: since, minSeverity: options.minSeverity });

  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ports.guardDuty.listFindings({
      detectorId,
      criteria,
      sort: FINDING_SORT,
      maxResults: GUARDDUTY_PAGE_SIZE,
      ...(nextToken === undefined ? {} : { nextToken }),
    });
    ids.push(...page.findingIds);
    nextToken = page.nextToken === '' ? undefined : page.nextToken;
  } while (nextToken !== undefined && ids.length < maxFindings);
  const unique = [...new Set(ids)];
  const selected = unique.slice(0, maxFindings);
  // Oldest first: what is left for the next run is newer than everything sent, so the cursor skips nothing.
  const truncated = nextToken !== undefined || unique.length > maxFindings;

  let sent = 0;
  let batches = 0;
  let cursor = previous;
  for (let start = 0; start < selected.length; start += GUARDDUTY_PAGE_SIZE) {
    const findings = await ports.guardDuty.getFindings(
      detectorId,
      selected.slice(start, start + GUARDDUTY_PAGE_SIZE),
    );
    for (const chunk of chunkBySize(findings, options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES)) {
      await ports.sendToTriage({ source: 'cordon.poller', findings: chunk });
      sent += chunk.length;
      batches += 1;
    }
    cursor = nextCursor(cursor, findings, now);
  }
  // Written once, at the end: a run that fails half-way stores nothing and the next run repeats its window
  // (triage is idempotent), rather than risk a cursor past findings that were never handed over.
  if (cursor !== undefined && cursor.updatedAt !== previous?.updatedAt)
    await ports.cursors.write(detectorId, cursor);

  return {
    detectorId,
    since: new Date(since).toISOString(),
    listed: selected.length,
    sent,
    batches,
    truncated,
    ...(cursor === undefined ? {} : { cursor: new Date(cursor.updatedAt).toISOString() }),
  };
}
