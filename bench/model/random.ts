/**
 * Seeded randomness for the scale model: the same seed gives the same arrivals, latencies and jitter, so a
 * run can be repeated and two designs compared on the same traffic.
 */

/**
 * mulberry32, the generator the sandbox and the bench already use: small, fast, good enough for sampling.
 *
 * @example const random = seededRandom(42); random() // a number in [0, 1), the same on every run
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The standard normal's 99th percentile: a log-normal with median m and 99th percentile p has σ = ln(p/m)/z. */
const Z_99 = 2.326_347_874;

/** A latency distribution: log-normal by its median and 99th percentile (both in ms). */
export interface Latency {
  readonly medianMs: number;
  readonly p99Ms: number;
}

/**
 * Draws from a log-normal distribution given by its median and 99th percentile (Box–Muller on `random`).
 * A point distribution (median = p99) always returns the median.
 *
 * @example sampleLatency({ medianMs: 50, p99Ms: 50 }, Math.random) // 50
 */
export function sampleLatency(latency: Latency, random: () => number): number {
  if (latency.p99Ms <= latency.medianMs) return latency.medianMs;
  const sigma = Math.log(latency.p99Ms / latency.medianMs) / Z_99;
  const u = Math.max(random(), Number.EPSILON);
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return latency.medianMs * Math.exp(sigma * normal);
}

/** Quantile of a sample (nearest rank); NaN for an empty one. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}
