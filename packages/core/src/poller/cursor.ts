/**
 * The poller's cursor: the latest `updatedAt` it has handed to triage, per GuardDuty detector. The next run asks
 * for findings updated since the cursor minus an overlap, because GuardDuty indexes a finding shortly after its
 * `updatedAt`: a finding updated just before the last run may only now be listed. Findings seen twice are
 * harmless (triage is idempotent on the incident id); findings never seen are not.
 */

export interface PollerCursor {
  /** Epoch milliseconds of the newest `updatedAt` handed to triage. */
  readonly updatedAt: number;
}

export interface CursorWindowOptions {
  /** What was stored by the last run; undefined on the first run. */
  readonly cursor: PollerCursor | undefined;
  readonly now: Date;
  /** How far back the first run looks (ms). */
  readonly initialLookbackMs: number;
  /** How much of the previous window is asked for again (ms). */
  readonly overlapMs: number;
  /** The oldest a window may start (ms before now): a poller stopped for a week does not replay the week. */
  readonly maxLookbackMs: number;
}

/** Defaults: every 5 minutes, a 5-minute overlap, first run 15 minutes back, never more than a day back. */
export const DEFAULT_CURSOR_WINDOW = {
  initialLookbackMs: 15 * 60_000,
  overlapMs: 5 * 60_000,
  maxLookbackMs: 24 * 60 * 60_000,
} as const;

/**
 * The `updatedAt` lower bound of this run.
 *
 * @example
 * windowStart({ cursor: { updatedAt: t }, now, initialLookbackMs: 900_000, overlapMs: 300_000, maxLookbackMs: 86_400_000 })
 * // t - 300_000 (or now - one day, whichever is later)
 */
export function windowStart(options: CursorWindowOptions): number {
  const now = options.now.getTime();
  const start =
    options.cursor === undefined
      ? now - options.initialLookbackMs
      : options.cursor.updatedAt - options.overlapMs;
  return Math.max(start, now - options.maxLookbackMs);
}

/** `updatedAt` of a GetFindings finding (ISO 8601 string in the API's JSON), in epoch ms; undefined if absent. */
export function updatedAtOf(finding: unknown): number | undefined {
  if (typeof finding !== 'object' || finding === null) return undefined;
  const value =
    (finding as { UpdatedAt?: unknown; updatedAt?: unknown }).UpdatedAt ??
    (finding as { updatedAt?: unknown }).updatedAt;
  if (typeof value !== 'string' && !(value instanceof Date)) return undefined;
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

/**
 * The cursor after a run: the newest `updatedAt` handed to triage, never earlier than the previous cursor
 * and never later than `now` (a finding stamped in the future by clock skew must not make the poller skip).
 *
 * @example nextCursor({ updatedAt: 1000 }, [{ UpdatedAt: '1970-01-01T00:00:02.000Z' }], new Date(5000)) // { updatedAt: 2000 }
 */
export function nextCursor(
  previous: PollerCursor | undefined,
  findings: readonly unknown[],
  now: Date,
): PollerCursor | undefined {
  let newest = previous?.updatedAt;
  for (const finding of findings) {
    const updatedAt = updatedAtOf(finding);
    if (updatedAt !== undefined && (newest === undefined || updatedAt > newest)) newest = updatedAt;
  }
  return newest === undefined ? undefined : { updatedAt: Math.min(newest, now.getTime()) };
}

/** Where the cursor lives; the Lambda adapter uses {@link DynamoDbCursorStore}. */
export interface CursorStore {
  read(detectorId: string): Promise<PollerCursor | undefined>;
  /** Stores the cursor unless a later one is already stored (two overlapping runs never move it back). */
  write(detectorId: string, cursor: PollerCursor): Promise<void>;
}
