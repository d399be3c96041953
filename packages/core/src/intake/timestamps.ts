/**
 * Parses the timestamps found in real findings: ISO-8601, Panther's "2025-02-25 20:40:06.721",
 * nanosecond fractions ("…06.000000000"), and epoch numbers (seconds or milliseconds).
 * Returns an ISO-8601 string, or `undefined` when the value is not a time.
 *
 * @example toIsoTime('2025-02-25 20:40:06.721') // '2025-02-25T20:40:06.721Z'
 */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    // Below 1e11 the number is in seconds (1e11 s is the year 5138), otherwise milliseconds.
    const ms = value < 1e11 ? value * 1000 : value;
    return isoOrUndefined(new Date(ms));
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  const spaced = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (spaced !== null) {
    const [, date, time, fraction = '', zone = 'Z'] = spaced;
    const millis = fraction === '' ? '' : fraction.slice(0, 4).padEnd(4, '0');
    return isoOrUndefined(new Date(`${date}T${time}${millis}${zone}`));
  }
  // Anything else must at least look like a date: Date.parse accepts too much ("1", "May").
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  return isoOrUndefined(new Date(text));
}

function isoOrUndefined(date: Date): string | undefined {
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
