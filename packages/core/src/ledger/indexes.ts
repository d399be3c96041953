/**
 * The global secondary indexes operators read incidents by (infra/storage.ts creates them; the sandbox's tables
 * have them too), and the month a decision is listed under. No dependency: the ledger's writer imports it.
 */

/**
 * The ledger's index of decisions: triage's entries carry `decisionMonth` (`YYYY-MM` of their time), the index's
 * partition key, and keep their sort key (`<ISO time>#triage#…`) as the index's sort key. No other item has
 * the attribute, so the index holds decisions only (a sparse index:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general-sparse-indexes.html).
 * A month per partition keeps a window's reads to one Query per month it spans.
 */
export const DECISIONS_INDEX = {
  name: 'decisions-by-month',
  partitionKey: 'decisionMonth',
  sortKey: 'sk',
} as const;

/**
 * The approvals table's index by incident: every approval record already holds `incidentId` and
 * `requestedAt`, so the index needs no new attribute.
 */
export const APPROVALS_INDEX = {
  name: 'approvals-by-incident',
  partitionKey: 'incidentId',
  sortKey: 'requestedAt',
} as const;

/**
 * The month of a decision's time, the index's partition: `YYYY-MM` of an ISO-8601 UTC time.
 *
 * @example decisionMonth('2026-11-28T10:00:00.000Z') // '2026-11'
 */
export function decisionMonth(at: string): string {
  return at.slice(0, 7);
}

/**
 * Every month from `from`'s to `to`'s (UTC), in order: the index partitions a window spans.
 *
 * @example monthsBetween(new Date('2026-11-20T00:00:00Z'), new Date('2027-01-02T00:00:00Z')) // ['2026-11', '2026-12', '2027-01']
 */
export function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth();
  const lastYear = to.getUTCFullYear();
  const lastMonth = to.getUTCMonth();
  while (year < lastYear || (year === lastYear && month <= lastMonth)) {
    months.push(`${year}-${String(month + 1).padStart(2, '0')}`);
    month += 1;
    if (month === 12) {
      month = 0;
      year += 1;
    }
  }
  return months;
}
