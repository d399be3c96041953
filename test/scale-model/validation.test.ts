/**
 * The scale model (bench/scale) reproduces what the bench measures today, on its own clock and quotas, and
 * the same seed gives the same run. Small sizes: the bench runs the full ones (docs/benchmarks.md).
 */
import { describe, expect, it } from 'vitest';
import { exactlyOnce, roundTrips, throttledBurst } from '../../bench/scale/validation.ts';
import { type StormShape, WORST_HOUR, worstHour } from '../../bench/scale/worst-hour.ts';

const TINY_STORM: StormShape = {
  ...WORST_HOUR,
  accounts: 5,
  findings: 30,
  deliveriesPerFinding: 2,
  windowMinutes: 2,
  worm: { instances: 5, withinMinutes: 1, startMinute: 0 },
  leakedKey: { ips: 3, startMinute: 0, withinMinutes: 1 },
};

describe('the scale model against the bench', () => {
  it('contains in 5 round trips of 50 ms, whatever the number of ENIs (the containment section)', async () => {
    for (const enis of [1, 3]) {
      const result = await roundTrips(enis);
      expect(result).toMatchObject({ enis, roundTrips: 5, status: 'SUCCEEDED' });
    }
  });

  it('repeated deliveries start exactly one execution per finding and contain each once', async () => {
    const result = await exactlyOnce({ findings: 10, perFinding: 4, unlimited: true });
    expect(result).toMatchObject({
      deliveries: 40,
      executions: 10,
      started: 10,
      duplicates: 30,
      failedDeliveries: 0,
      succeeded: 10,
      contained: 10,
      duplicateContainments: 0,
    });
  });

  it('concurrent incidents under 5 % throttling: none lost, none contained twice, every ENI cut', async () => {
    const result = await throttledBurst({ incidents: 10, unlimited: true });
    expect(result.injected).toBeGreaterThan(0);
    expect(result).toMatchObject({
      incidents: 10,
      succeeded: 10,
      lost: 0,
      duplicateContainments: 0,
      uncontained: 0,
    });
  });
});

describe('the storm on the scale model', () => {
  it('is deterministic: the same seed gives the same report', async () => {
    const first = await worstHour({ shape: TINY_STORM, seed: 4 });
    const second = await worstHour({ shape: TINY_STORM, seed: 4 });
    const { wallSeconds: _a, ...same } = first;
    const { wallSeconds: _b, ...again } = second;
    expect(again).toEqual(same);
    expect(first.lost).toBe(0);
    expect(first.duplicateEniContainments).toBe(0);
    expect(first.duplicateKeyDeactivations).toBe(0);
    expect(first.automatic.contained).toBe(first.automatic.expected);
    expect(first.byClass.worm?.findings).toBe(5);
  });

  it("Slack's webhook rate refuses notifications: no execution fails for it, and no step says posted", async () => {
    // One message every 10 s, no burst: nearly every notification meets a 429 with Retry-After.
    const storm = await worstHour({
      shape: TINY_STORM,
      seed: 4,
      quotaOverrides: { slackWebhook: { capacity: 1, refillPerSecond: 0.1 } },
    });

    const { notifySlack } = storm.notifications;
    expect(notifySlack['rate-limited'] ?? 0).toBeGreaterThan(0);
    expect(notifySlack.posted ?? 0).toBe(storm.notifications.slackPosted);
    expect(storm.notifications.slackRefused).toBeGreaterThan(0);
    expect(storm.stepRetries.TransientServiceError ?? 0).toBe(0);
    const failed = Object.values(storm.executions).reduce((sum, byStatus) => sum + (byStatus.FAILED ?? 0), 0);
    expect(failed).toBe(0);
    expect(storm.lost).toBe(0);
  });
});
