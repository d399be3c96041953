/**
 * The scale model's parts (bench/model): the token bucket every quota is, the virtual clock the simulation
 * runs on, the quota book, and how a real SDK client's standard retry mode meets a throttled quota.
 */
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { AwsWorld, MODEL_CREDENTIALS } from '../../bench/model/aws-world.ts';
import { fixedLatencies } from '../../bench/model/latency.ts';
import { QuotaBook } from '../../bench/model/quota-book.ts';
import { QUOTAS, type QuotaSpec } from '../../bench/model/quotas.ts';
import { quantile, sampleLatency, seededRandom } from '../../bench/model/random.ts';
import { TokenBucket, TokenBucketInvalidError } from '../../bench/model/token-bucket.ts';
import { ClockAlreadyInstalledError, VirtualTime } from '../../bench/model/virtual-time.ts';

describe('TokenBucket', () => {
  it('serves a burst up to its capacity, then refuses until tokens come back (EC2 mutating: 50, 5 per second)', () => {
    const bucket = new TokenBucket(50, 5, 0);
    for (let request = 0; request < 50; request += 1) expect(bucket.tryTake(0)).toBe(true);
    expect(bucket.tryTake(0)).toBe(false);
    expect(bucket.msUntil(0)).toBe(200);
    expect(bucket.tryTake(199)).toBe(false);
    expect(bucket.tryTake(200)).toBe(true);
  });

  it('refills no further than its capacity', () => {
    const bucket = new TokenBucket(10, 100, 0);
    bucket.tryTake(0, 10);
    expect(bucket.level(60_000)).toBe(10);
  });

  it('refusing takes nothing', () => {
    const bucket = new TokenBucket(3, 1, 0);
    expect(bucket.tryTake(0, 4)).toBe(false);
    expect(bucket.level(0)).toBe(3);
  });

  it('a bucket that never refills, or a request larger than it, waits forever', () => {
    const bucket = new TokenBucket(2, 0, 0);
    bucket.tryTake(0, 2);
    expect(bucket.msUntil(0)).toBe(Number.POSITIVE_INFINITY);
    expect(new TokenBucket(2, 1, 0).msUntil(0, 3)).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    [0, 1],
    [Number.NaN, 1],
    [10, -1],
    [10, Number.POSITIVE_INFINITY],
  ])('a quota that cannot be (capacity %s, refill %s) is a TokenBucketInvalidError', (capacity, refill) => {
    expect(() => new TokenBucket(capacity, refill, 0)).toThrow(TokenBucketInvalidError);
  });
});

describe('QuotaBook', () => {
  it('keeps one bucket per quota and scope, and counts requests, throttles and throttled scopes', () => {
    let now = 0;
    const book = new QuotaBook(() => now, 0, { ec2Mutating: { capacity: 2, refillPerSecond: 1 } });
    expect([
      book.take('ec2Mutating', 'a'),
      book.take('ec2Mutating', 'a'),
      book.take('ec2Mutating', 'a'),
    ]).toEqual([true, true, false]);
    expect(book.take('ec2Mutating', 'b')).toBe(true);
    now = 1000;
    expect(book.take('ec2Mutating', 'a')).toBe(true);
    const counts = book.counts.get('ec2Mutating');
    expect(counts?.requests).toBe(5);
    expect(counts?.throttled).toBe(1);
    expect([...(counts?.throttledScopes ?? [])]).toEqual(['a']);
    expect(counts?.firstThrottleAt).toBe(0);
  });

  it('unlimited counts requests and throttles nothing', () => {
    const book = new QuotaBook(() => 0, 0, { ec2Mutating: { capacity: 1, refillPerSecond: 0 } }, true);
    for (let request = 0; request < 10; request += 1) expect(book.take('ec2Mutating', 'a')).toBe(true);
    expect(book.counts.get('ec2Mutating')).toMatchObject({ requests: 10, throttled: 0 });
  });

  it('waitFor slows a request down to the refill rate instead of failing it (a throttled state transition)', async () => {
    let now = 0;
    const book = new QuotaBook(() => now, 0, { sfnStateTransition: { capacity: 1, refillPerSecond: 4 } });
    const sleep = async (ms: number) => {
      now += ms;
    };
    expect(await book.waitFor('sfnStateTransition', 'home', sleep)).toBe(0);
    expect(await book.waitFor('sfnStateTransition', 'home', sleep)).toBe(250);
    expect(book.counts.get('sfnStateTransition')).toMatchObject({ requests: 2, throttled: 1 });
  });
});

describe('quotas', () => {
  it('every quota cites the page that publishes it and says when its value is an assumption', () => {
    for (const spec of Object.values(QUOTAS) as QuotaSpec[]) {
      expect(spec.source).toMatch(/^https:\/\//);
      expect(spec.note.length).toBeGreaterThan(20);
      expect(spec.capacity).toBeGreaterThanOrEqual(1);
      if (spec.assumed === true) expect(spec.note.toLowerCase()).toContain('assum');
    }
  });

  it('the EC2 buckets are the published ones (non-mutating 100/20, unfiltered 50/10, mutating 50/5)', () => {
    expect([QUOTAS.ec2NonMutating.capacity, QUOTAS.ec2NonMutating.refillPerSecond]).toEqual([100, 20]);
    expect([QUOTAS.ec2Unfiltered.capacity, QUOTAS.ec2Unfiltered.refillPerSecond]).toEqual([50, 10]);
    expect([QUOTAS.ec2Mutating.capacity, QUOTAS.ec2Mutating.refillPerSecond]).toEqual([50, 5]);
  });
});

describe('seeded randomness', () => {
  it('the same seed draws the same sequence; a point latency is always its median', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
    expect(sampleLatency({ medianMs: 50, p99Ms: 50 }, seededRandom(1))).toBe(50);
  });

  it('a log-normal latency has about the median and 99th percentile it was given', () => {
    const random = seededRandom(3);
    const samples = Array.from({ length: 20_000 }, () => sampleLatency({ medianMs: 40, p99Ms: 140 }, random));
    expect(quantile(samples, 0.5)).toBeGreaterThan(38);
    expect(quantile(samples, 0.5)).toBeLessThan(42);
    expect(quantile(samples, 0.99)).toBeGreaterThan(125);
    expect(quantile(samples, 0.99)).toBeLessThan(155);
  });
});

describe('VirtualTime', () => {
  it('runs timers in virtual time, in order, without waiting: an hour takes no real hour', async () => {
    const time = new VirtualTime({ start: 1_000_000, seed: 1 });
    const restore = time.install();
    const began = performance.now();
    try {
      const order = await time.run(async () => {
        const seen: Array<[string, number]> = [];
        await Promise.all([
          new Promise<void>((resolve) =>
            setTimeout(() => resolve(void seen.push(['hour', Date.now()])), 3_600_000),
          ),
          new Promise<void>((resolve) =>
            setTimeout(() => resolve(void seen.push(['second', Date.now()])), 1000),
          ),
        ]);
        return seen;
      });
      expect(order).toEqual([
        ['second', 1_001_000],
        ['hour', 4_600_000],
      ]);
    } finally {
      restore();
    }
    expect(performance.now() - began).toBeLessThan(2000);
    expect(typeof Date.now()).toBe('number');
    expect(Date.now()).toBeGreaterThan(1_700_000_000_000);
  });

  it('two clocks cannot own the globals at once (ClockAlreadyInstalledError)', () => {
    const first = new VirtualTime({ start: 0, seed: 1 });
    const restore = first.install();
    try {
      expect(() => new VirtualTime({ start: 0, seed: 2 }).install()).toThrow(ClockAlreadyInstalledError);
    } finally {
      restore();
    }
  });
});

describe("a real SDK client's standard retry mode against a throttled quota", () => {
  const where = { account: '222222222222', region: 'eu-west-1' } as const;

  async function describeTwice(refillPerSecond: number) {
    const time = new VirtualTime({ start: 0, seed: 5 });
    const restore = time.install();
    try {
      return await time.run(async () => {
        const world = new AwsWorld({
          time,
          random: seededRandom(5),
          home: { account: '111111111111', region: 'us-east-1' },
          latencies: fixedLatencies(10),
          ledgerTable: 'ledger',
          approvalsTable: 'approvals',
          quotaOverrides: { ec2Unfiltered: { capacity: 1, refillPerSecond } },
        });
        const ec2 = world.attach(
          new EC2Client({ region: where.region, credentials: MODEL_CREDENTIALS }),
          where,
        );
        const request = new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] });
        await ec2.send(request).catch(() => undefined);
        const began = time.now;
        const second = await ec2.send(request).then(
          () => 'answered',
          (error: { name?: string; $metadata?: { attempts?: number } }) =>
            `${error.name} after ${error.$metadata?.attempts} attempts`,
        );
        return { second, ms: time.now - began, counts: world.quotas.counts.get('ec2Unfiltered') };
      });
    } finally {
      restore();
    }
  }

  it('a bucket that has refilled by the retry absorbs the throttle: the caller sees an answer', async () => {
    // 60 tokens a second: 0.6 of a token 10 ms after the first call (throttled), a whole one by the retry.
    const { second, counts } = await describeTwice(60);
    expect(second).not.toMatch(/RequestLimitExceeded/);
    expect(counts?.throttled).toBeGreaterThanOrEqual(1);
    expect(counts?.surfaced).toBe(0);
  });

  it('a bucket that stays empty surfaces RequestLimitExceeded after 3 attempts, having backed off between them', async () => {
    const { second, ms, counts } = await describeTwice(0.001);
    expect(second).toBe('RequestLimitExceeded after 3 attempts');
    expect(counts).toMatchObject({ throttled: 3, surfaced: 1 });
    // Three round trips of 10 ms, and two backoff waits between them.
    expect(ms).toBeGreaterThan(30);
  });
});
