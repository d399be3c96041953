/** Times on the command line: a duration back from now (`7d`) or an ISO-8601 time. */
import { UsageError } from '../errors.ts';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** The longest window read at once: ten years of monthly index partitions. */
export const MAX_WINDOW_DAYS = 3660;
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * `7d`, `24h`, `30m`, `2w` before `now`, or an ISO-8601 date or time (a date alone is midnight UTC; a time needs
 * its offset, so that `--since` never depends on the machine's time zone).
 *
 * @example parseTime('7d', '--since', new Date('2026-11-28T10:00:00Z')) // 2026-11-21T10:00:00.000Z
 */
export function parseTime(value: string, option: string, now: Date): Date {
  const duration = /^(\d{1,6})([mhdw])$/.exec(value);
  if (duration !== null) {
    const amount = Number(duration[1]);
    const unit = duration[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - amount * UNIT_MS[unit]);
  }
  if (ISO.test(value)) {
    const time = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
    if (Number.isFinite(time.getTime())) return time;
  }
  throw new UsageError(
    `${option} takes a duration back from now (30m, 24h, 7d, 2w) or an ISO-8601 time with its offset (2026-11-01, 2026-11-01T09:00:00Z), got "${value}".`,
  );
}

/** A window `[from, to)` that is not empty, not in the future as a whole, and not longer than {@link MAX_WINDOW_DAYS}. */
export function checkWindow(from: Date, to: Date, options: string): void {
  if (from.getTime() >= to.getTime()) {
    throw new UsageError(
      `${options}: the window is empty (${from.toISOString()} is not before ${to.toISOString()}).`,
    );
  }
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * UNIT_MS.d) {
    throw new UsageError(`${options}: a window is at most ${MAX_WINDOW_DAYS} days.`);
  }
}

/** A time as the tables show it: ISO-8601 to the second, UTC. */
export function shortTime(iso: string | undefined): string {
  if (iso === undefined) return '-';
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

/** A number of seconds as people read it: `42 s`, `3 min 5 s`, `2 h 4 min`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
