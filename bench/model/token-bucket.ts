/**
 * The token bucket AWS describes for its API quotas ("Request throttling for the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): a bucket holds at most
 * `capacity` tokens, each request takes one (or `cost`), and tokens come back continuously at
 * `refillPerSecond` up to the capacity. A request that finds too few tokens is throttled.
 */

/** A bucket that cannot hold a single request, or refills at a negative rate: a quota that cannot be. */
export class TokenBucketInvalidError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'TokenBucketInvalidError';
  }
}

/**
 * One token bucket on a clock in milliseconds. Full when created.
 *
 * @example
 * const bucket = new TokenBucket(50, 5, 0); // EC2 mutating actions: 50 tokens, 5 per second
 * bucket.tryTake(0) // true, 49 left
 * bucket.msUntil(0, 50) // 200: one token comes back every 200 ms
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  public constructor(
    public readonly capacity: number,
    public readonly refillPerSecond: number,
    now: number,
  ) {
    if (!(capacity >= 1) || !Number.isFinite(capacity)) {
      throw new TokenBucketInvalidError(`a bucket holds at least one token, got capacity ${capacity}`);
    }
    if (!(refillPerSecond >= 0) || !Number.isFinite(refillPerSecond)) {
      throw new TokenBucketInvalidError(
        `a bucket refills at 0 tokens per second or more, got ${refillPerSecond}`,
      );
    }
    this.tokens = capacity;
    this.last = now;
  }

  /** Tokens in the bucket at `now` (fractional while it refills). */
  public level(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Takes `cost` tokens if the bucket has them; `false` (and nothing taken) when it does not. */
  public tryTake(now: number, cost = 1): boolean {
    this.refill(now);
    if (this.tokens + 1e-9 < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens are in the bucket (0 when they are now; Infinity if it never refills). */
  public msUntil(now: number, cost = 1): number {
    this.refill(now);
    const missing = cost - this.tokens;
    if (missing <= 1e-9) return 0;
    if (this.refillPerSecond === 0 || cost > this.capacity) return Number.POSITIVE_INFINITY;
    return Math.ceil((missing / this.refillPerSecond) * 1000);
  }

  private refill(now: number): void {
    if (now <= this.last) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
  }
}
