import { describe, expect, it } from 'vitest';
import { slackCallsFor } from '../../src/approval/group-rate.ts';
import { GROUP_UPDATE_INTERVAL_SECONDS, MAX_GROUP_MEMBERS } from '../../src/approval/groups.ts';
import { requestApproval } from '../../src/approval/request-approval.ts';
import { groupHarness, stormPayload } from './group-fixtures.ts';

/** `count` requests of one kind, evenly over `seconds`. */
function burst(count: number, seconds: number, kind = 'worm') {
  return Array.from({ length: count }, (_, index) => ({
    at: Math.floor((index * seconds * 1000) / count),
    kind,
  }));
}

describe('slackCallsFor', () => {
  it('500 requests in 5 minutes: 500 posts and e-mails without grouping; one of each with it, and an update every 10 s at most', () => {
    // Prepare
    const storm = burst(500, 300);

    // Act
    const alone = slackCallsFor(storm, { grouping: false });
    const grouped = slackCallsFor(storm, { grouping: true });

    // Assess
    expect([alone.postMessage.length, alone.snsPublish.length, alone.update.length, alone.messages]).toEqual([
      500, 500, 0, 500,
    ]);
    expect([grouped.postMessage.length, grouped.snsPublish.length, grouped.messages]).toEqual([1, 1, 1]);
    expect(grouped.update.length).toBeGreaterThanOrEqual(29);
    expect(grouped.update.length).toBeLessThanOrEqual(31);
    const gaps = grouped.update.slice(1).map((at, index) => at - (grouped.update[index] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(GROUP_UPDATE_INTERVAL_SECONDS * 1000);
    expect(grouped.update.at(-1)).toBeGreaterThanOrEqual(storm.at(-1)?.at ?? 0);
  });

  it('one group per kind and window, and a new one past the window or past the size limit', () => {
    // Act
    const kinds = slackCallsFor([...burst(10, 60, 'crypto'), ...burst(10, 60, 'c2')], { grouping: true });
    const windows = slackCallsFor(
      [
        { at: 0, kind: 'worm' },
        { at: 599_999, kind: 'worm' },
        { at: 600_000, kind: 'worm' },
      ],
      { grouping: true },
    );
    const full = slackCallsFor(burst(MAX_GROUP_MEMBERS + 1, 60), { grouping: true });

    // Assess
    expect(kinds.messages).toBe(2);
    expect(windows.postMessage).toEqual([0, 600_000]);
    expect(full.messages).toBe(2);
  });

  it('a webhook only posts: no updates; the window at 0 is no grouping', () => {
    // Act / Assess
    expect(slackCallsFor(burst(50, 60), { grouping: true, updates: false }).update).toEqual([]);
    expect(slackCallsFor(burst(50, 60), { grouping: true, windowSeconds: 0 }).messages).toBe(50);
  });

  it('agrees with the request path on a burst: one post, and the message brought up to date once its turn comes', async () => {
    // Prepare
    const harness = groupHarness();
    const model = slackCallsFor(burst(30, 0), { grouping: true });

    // Act
    await Promise.all(
      Array.from({ length: 30 }, (_, index) => requestApproval(stormPayload(index + 1), harness.ports())),
    );

    // Assess
    expect(harness.posts).toHaveLength(model.postMessage.length);
    expect(harness.published).toHaveLength(model.snsPublish.length);
    expect(harness.updates).toHaveLength(model.update.length);
    expect(harness.updates.at(-1)?.message.text).toContain('×30');
  });
});
