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

  it('reads the requests in time order, whatever order they are given in', () => {
    // Prepare
    const inOrder = [
      { at: 0, kind: 'worm' },
      { at: 1_000, kind: 'worm' },
      { at: 30_000, kind: 'worm' },
    ];

    // Act
    const shuffled = slackCallsFor([...inOrder].reverse(), { grouping: true });

    // Assess
    expect(shuffled).toEqual(slackCallsFor(inOrder, { grouping: true }));
    expect(shuffled.postMessage).toEqual([0]);
    expect(shuffled.update).toEqual([10_000, 30_000]);
  });

  it('without grouping, each request posts and e-mails at its own time', () => {
    // Act
    const alone = slackCallsFor(burst(3, 3), { grouping: false });

    // Assess
    expect(alone).toEqual({
      postMessage: [0, 1_000, 2_000],
      update: [],
      snsPublish: [0, 1_000, 2_000],
      messages: 3,
    });
  });

  it('a lone request is never updated; a member joining after the interval updates at once', () => {
    // Act
    const lone = slackCallsFor([{ at: 0, kind: 'worm' }], { grouping: true });
    const late = slackCallsFor(
      [
        { at: 0, kind: 'worm' },
        { at: 30_000, kind: 'worm' },
      ],
      { grouping: true },
    );

    // Assess
    expect(lone.update).toEqual([]);
    expect(late.update).toEqual([30_000]);
  });

  it('a waiting member updates when its turn comes, before a member arriving at that moment joins', () => {
    // Act
    const plan = slackCallsFor(
      [
        { at: 0, kind: 'worm' },
        { at: 1_000, kind: 'worm' },
        { at: 10_000, kind: 'worm' },
      ],
      { grouping: true },
    );

    // Assess: member 2 shows itself at 10 s; member 3, arriving then, waits its own turn (20 s).
    expect(plan.update).toEqual([10_000, 20_000]);
  });

  it('a full group still brings its message up to date before the next group opens', () => {
    // Act
    const plan = slackCallsFor(burst(3, 3), { grouping: true, maxMembers: 2 });

    // Assess
    expect(plan.postMessage).toEqual([0, 2_000]);
    expect(plan.update).toEqual([10_000]);
  });

  it('lists the updates of several groups in time order', () => {
    // Act
    const plan = slackCallsFor(
      [
        { at: 0, kind: 'a' },
        { at: 1_000, kind: 'b' },
        { at: 10_000, kind: 'a' },
        { at: 10_500, kind: 'b' },
        { at: 10_600, kind: 'a' },
      ],
      { grouping: true },
    );

    // Assess
    expect(plan.update).toEqual([10_000, 11_000, 20_000]);
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
