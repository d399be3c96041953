import { describe, expect, it } from 'vitest';
import { APPROVALS_INDEX, DECISIONS_INDEX, decisionMonth, monthsBetween } from '../../src/ledger/indexes.ts';

// Issue 18 (third wave): the month partitions of the decisions index. A window's reads are one Query per month
// it spans, so a month left out is decisions never listed, and a month too many is a wasted read.

describe('decisionMonth', () => {
  it('is the YYYY-MM of an ISO-8601 UTC time', () => {
    expect(decisionMonth('2026-11-28T10:00:00.000Z')).toBe('2026-11');
    expect(decisionMonth('2027-01-01T00:00:00.000Z')).toBe('2027-01');
  });
});

describe('monthsBetween', () => {
  it('lists every month from the first to the last, both included, across a year end', () => {
    expect(monthsBetween(new Date('2026-11-20T00:00:00Z'), new Date('2027-01-02T00:00:00Z'))).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
    ]);
  });

  it('lists one month for a window inside it, and the last month of a year alone', () => {
    expect(monthsBetween(new Date('2026-03-01T00:00:00Z'), new Date('2026-03-31T23:59:59Z'))).toEqual([
      '2026-03',
    ]);
    expect(monthsBetween(new Date('2026-12-01T00:00:00Z'), new Date('2026-12-31T00:00:00Z'))).toEqual([
      '2026-12',
    ]);
  });

  it('counts months in UTC, not in the local time zone', () => {
    // 23:30 UTC on the last day of the month: a zone east of UTC would already be in the next month.
    expect(monthsBetween(new Date('2026-01-31T23:30:00Z'), new Date('2026-02-01T00:30:00Z'))).toEqual([
      '2026-01',
      '2026-02',
    ]);
  });

  it('walks a whole year and more month by month, with two-digit months', () => {
    const months = monthsBetween(new Date('2025-12-15T00:00:00Z'), new Date('2027-01-15T00:00:00Z'));
    expect(months).toHaveLength(14);
    expect(months.slice(0, 3)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(months.slice(-3)).toEqual(['2026-11', '2026-12', '2027-01']);
  });

  it('lists nothing for a window that ends before it starts', () => {
    expect(monthsBetween(new Date('2026-05-01T00:00:00Z'), new Date('2026-04-30T00:00:00Z'))).toEqual([]);
    expect(monthsBetween(new Date('2027-01-01T00:00:00Z'), new Date('2026-12-31T00:00:00Z'))).toEqual([]);
  });
});

describe('the indexes', () => {
  it('name the attributes infra/storage.ts creates them on', () => {
    expect(DECISIONS_INDEX).toEqual({
      name: 'decisions-by-month',
      partitionKey: 'decisionMonth',
      sortKey: 'sk',
    });
    expect(APPROVALS_INDEX).toEqual({
      name: 'approvals-by-incident',
      partitionKey: 'incidentId',
      sortKey: 'requestedAt',
    });
  });
});
