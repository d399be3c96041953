/**
 * The model's token buckets, created on first use per quota and scope (an account and Region, a partition
 * key, a function …), and what each met: requests, throttled answers, and throttles the caller saw after
 * its SDK's own retries (the ones Cordon's code had to handle).
 */
import { QUOTAS, type QuotaId } from './quotas.ts';
import { TokenBucket } from './token-bucket.ts';

export interface QuotaCounts {
  /** Requests (or units, for DynamoDB) that asked this quota. */
  requests: number;
  /** Answered with a throttling error. */
  throttled: number;
  /** Throttling errors that reached Cordon's code after the SDK's retries gave up. */
  surfaced: number;
  /** Distinct scopes (accounts, keys, functions) that met at least one throttle. */
  readonly throttledScopes: Set<string>;
  /** The first time (ms since the run's start) this quota throttled. */
  firstThrottleAt?: number;
}

export class QuotaBook {
  private readonly buckets = new Map<string, TokenBucket>();
  public readonly counts = new Map<QuotaId, QuotaCounts>();

  public constructor(
    private readonly now: () => number,
    private readonly start: number,
    /** Per-quota replacements (a what-if with a raised quota). */
    private readonly overrides: Partial<Record<QuotaId, { capacity: number; refillPerSecond: number }>> = {},
    /** No quota throttles (the validation against the bench, which has none); requests are still counted. */
    private readonly unlimited = false,
  ) {}

  /** Takes `cost` from the bucket of `quota` in `scope`; `false` when it is throttled. */
  public take(quota: QuotaId, scope: string, cost = 1): boolean {
    const key = `${quota}|${scope}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const spec = this.overrides[quota] ?? QUOTAS[quota];
      bucket = new TokenBucket(spec.capacity, spec.refillPerSecond, this.now());
      this.buckets.set(key, bucket);
    }
    const counts = this.countsOf(quota);
    counts.requests += cost;
    if (this.unlimited) return true;
    // A request larger than the whole bucket (a big item) is served when the bucket is full, as DynamoDB
    // serves an item larger than a second's worth of units.
    const ok = bucket.tryTake(this.now(), Math.min(cost, bucket.capacity));
    if (!ok) {
      counts.throttled += 1;
      counts.throttledScopes.add(scope);
      counts.firstThrottleAt ??= this.now() - this.start;
    }
    return ok;
  }

  /**
   * Waits for `cost` tokens instead of failing (what Step Functions does with a throttled state transition:
   * the execution slows down). Counts one throttle per request that had to wait; returns the wait in ms.
   */
  public async waitFor(
    quota: QuotaId,
    scope: string,
    sleep: (ms: number) => Promise<void>,
    cost = 1,
  ): Promise<number> {
    const started = this.now();
    if (this.take(quota, scope, cost)) return 0;
    const key = `${quota}|${scope}`;
    for (;;) {
      const bucket = this.buckets.get(key) as TokenBucket;
      await sleep(Math.max(1, bucket.msUntil(this.now(), Math.min(cost, bucket.capacity))));
      if (bucket.tryTake(this.now(), Math.min(cost, bucket.capacity))) return this.now() - started;
    }
  }

  /** A throttle the SDK's retries did not absorb. */
  public surfaced(quota: QuotaId): void {
    this.countsOf(quota).surfaced += 1;
  }

  private countsOf(quota: QuotaId): QuotaCounts {
    let counts = this.counts.get(quota);
    if (counts === undefined) {
      counts = { requests: 0, throttled: 0, surfaced: 0, throttledScopes: new Set() };
      this.counts.set(quota, counts);
    }
    return counts;
  }
}
