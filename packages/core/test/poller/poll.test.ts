import { describe, expect, it, vi } from 'vitest';
import type { CursorStore, PollerCursor } from '../../src/poller/cursor.ts';
import { chunkBySize, type GuardDutyPort, type PollerBatch, pollFindings } from '../../src/poller/poll.ts';

const NOW = new Date('2026-11-28T10:00:00Z');

function finding(id: string, minutesAgo: number) {
  return { Id: id, Severity: 8, UpdatedAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString() };
}

class MemoryCursors implements CursorStore {
  public readonly stored = new Map<string, PollerCursor>();
  public async read(detectorId: string) {
    return this.stored.get(detectorId);
  }
  public async write(detectorId: string, cursor: PollerCursor) {
    this.stored.set(detectorId, cursor);
  }
}

/** A GuardDuty with the given findings (already sorted oldest first), paged like the API. */
function guardDuty(findings: ReturnType<typeof finding>[], pageSize = 50) {
  const listFindings = vi.fn<GuardDutyPort['listFindings']>(async ({ nextToken }) => {
    const start = nextToken === undefined ? 0 : Number(nextToken);
    const page = findings.slice(start, start + pageSize).map((item) => item.Id);
    const next = start + pageSize < findings.length ? String(start + pageSize) : undefined;
    return { findingIds: page, ...(next === undefined ? {} : { nextToken: next }) };
  });
  const getFindings = vi.fn<GuardDutyPort['getFindings']>(async (_detector, ids) =>
    findings.filter((item) => ids.includes(item.Id)),
  );
  const port: GuardDutyPort = { listDetectorIds: async () => ['d1'], listFindings, getFindings };
  return { port, listFindings, getFindings };
}

function setup(findings: ReturnType<typeof finding>[], pageSize?: number) {
  const gd = guardDuty(findings, pageSize);
  const cursors = new MemoryCursors();
  const batches: PollerBatch[] = [];
  const ports = {
    guardDuty: gd.port,
    cursors,
    sendToTriage: vi.fn(async (batch: PollerBatch) => {
      batches.push(batch);
    }),
    now: () => NOW,
  };
  return { ...gd, cursors, batches, ports };
}

describe('pollFindings', () => {
  it('hands new findings to triage as one poller batch and advances the cursor', async () => {
    const { ports, batches, cursors, listFindings } = setup([finding('a', 4), finding('b', 2)]);

    const [result] = await pollFindings({ minSeverity: 4 }, ports);

    expect(batches).toEqual([{ source: 'cordon.poller', findings: [finding('a', 4), finding('b', 2)] }]);
    expect(cursors.stored.get('d1')).toEqual({ updatedAt: NOW.getTime() - 2 * 60_000 });
    expect(result).toMatchObject({ detectorId: 'd1', listed: 2, sent: 2, batches: 1, truncated: false });
    expect(listFindings.mock.calls[0]?.[0]).toMatchObject({
      detectorId: 'd1',
      maxResults: 50,
      sort: { AttributeName: 'updatedAt', OrderBy: 'ASC' },
      criteria: {
        Criterion: {
          severity: { GreaterThanOrEqual: 4 },
          updatedAt: { GreaterThanOrEqual: NOW.getTime() - 15 * 60_000 },
        },
      },
    });
  });

  it('starts from the stored cursor, minus the overlap', async () => {
    const { ports, cursors, listFindings } = setup([]);
    await cursors.write('d1', { updatedAt: NOW.getTime() - 60_000 });

    await pollFindings({ minSeverity: 0 }, ports);

    expect(listFindings.mock.calls[0]?.[0].criteria.Criterion.updatedAt).toEqual({
      GreaterThanOrEqual: NOW.getTime() - 6 * 60_000,
    });
  });

  it('follows every page and fetches findings 50 at a time', async () => {
    const many = Array.from({ length: 120 }, (_, index) => finding(`f${index}`, 120 - index));
    const { ports, listFindings, getFindings, batches } = setup(many);

    const [result] = await pollFindings(
      { minSeverity: 0, maxLookbackMs: 86_400_000, initialLookbackMs: 86_400_000 },
      ports,
    );

    expect(listFindings).toHaveBeenCalledTimes(3);
    expect(getFindings.mock.calls.map(([, ids]) => ids.length)).toEqual([50, 50, 20]);
    expect(batches.flatMap((batch) => batch.findings)).toHaveLength(120);
    expect(result?.sent).toBe(120);
  });

  it('stops at the per-run maximum and says so', async () => {
    const many = Array.from({ length: 120 }, (_, index) => finding(`f${index}`, 120 - index));
    const { ports, cursors } = setup(many);

    const [result] = await pollFindings(
      { minSeverity: 0, maxFindingsPerRun: 60, initialLookbackMs: 86_400_000 },
      ports,
    );

    expect(result).toMatchObject({ listed: 60, sent: 60, truncated: true });
    expect(cursors.stored.get('d1')).toEqual({ updatedAt: Date.parse(finding('f59', 61).UpdatedAt) });
  });

  it('keeps each triage payload under the size limit', async () => {
    const { ports, batches } = setup([finding('a', 3), finding('b', 2), finding('c', 1)]);

    await pollFindings({ minSeverity: 0, maxBatchBytes: 150 }, ports);

    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(batch.source).toBe('cordon.poller');
  });

  it('does not move the cursor when a hand-over fails', async () => {
    const { ports, cursors } = setup([finding('a', 3)]);
    ports.sendToTriage.mockRejectedValueOnce(new Error('TooManyRequestsException'));

    await expect(pollFindings({ minSeverity: 0 }, ports)).rejects.toThrow('TooManyRequestsException');
    expect(cursors.stored.size).toBe(0);
  });

  it('writes nothing when nothing new was found', async () => {
    const { ports, cursors, batches } = setup([]);

    const [result] = await pollFindings({ minSeverity: 0 }, ports);

    expect(batches).toEqual([]);
    expect(cursors.stored.size).toBe(0);
    expect(result?.cursor).toBeUndefined();
  });
});

describe('chunkBySize', () => {
  it('keeps order and puts an oversized item alone', () => {
    const big = { text: 'x'.repeat(100) };

    expect(chunkBySize([1, 2, big, 3], 20)).toEqual([[1, 2], [big], [3]]);
  });
});
