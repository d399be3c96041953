/**
 * Lambda as the scale model runs Cordon's functions: execution environments made on demand (a cold start
 * loads the bundle, then the handler is built once per environment, as the module scope runs once), reused
 * while warm, limited by the account's concurrency and each function's scaling rate, with CPU time scaled
 * by the memory size. Synchronous invocations (Step Functions' Tasks) are refused when throttled; an
 * asynchronous one (EventBridge's, the poller's) is queued and retried as Lambda's asynchronous invocation does.
 */
import type { Context } from 'aws-lambda';
import type { Latencies } from './latency.ts';
import type { QuotaBook } from './quota-book.ts';
import { LAMBDA_ACCOUNT_CONCURRENCY } from './quotas.ts';
import { sampleLatency } from './random.ts';
import type { VirtualTime } from './virtual-time.ts';

/**
 * Lambda's CPU grows with memory: "At 1,769 MB, a function has the equivalent of one vCPU"
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). Node runs one thread, so CPU time
 * measured on one core is stretched by 1769 / memory below that, and not shortened above it.
 */
export const ONE_VCPU_MB = 1769;

/**
 * Asynchronous invocation (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):
 * a function error is retried twice, one minute then two minutes later; a throttled event goes back to the
 * queue and is retried "for up to 6 hours", the interval growing "exponentially from 1 second after the first
 * attempt to a maximum of 5 minutes".
 */
export const ASYNC_RETRY = {
  functionErrorDelaysMs: [60_000, 120_000],
  throttleFirstDelayMs: 1_000,
  throttleMaxDelayMs: 300_000,
  maxEventAgeMs: 6 * 3_600_000,
} as const;

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface FunctionModel {
  readonly id: string;
  readonly memoryMb: number;
  /** CPU milliseconds of loading the bundle and building the handler (Init), on one vCPU (measured). */
  readonly initCpuMs: number;
  /** CPU milliseconds one invocation spends in its own code (not waiting on AWS), on one vCPU (measured). */
  readonly invokeCpuMs: number;
  /** Builds the handler of one new execution environment, as its module scope would. */
  create(): LambdaHandler;
}

/** Lambda refused the invocation: no concurrency or scaling left (HTTP 429). */
export class LambdaThrottledError extends Error {
  public constructor(functionId: string) {
    super(`Rate Exceeded: ${functionId} has no concurrency or scaling left`);
    this.name = 'TooManyRequestsException';
  }
}

interface Environment {
  readonly handler: LambdaHandler;
  busy: boolean;
}

export interface FunctionStats {
  invocations: number;
  coldStarts: number;
  throttles: number;
  errors: number;
  inUse: number;
  peakConcurrency: number;
  /** Billed milliseconds (Init included, as Lambda bills it) times memory, in GB-seconds. */
  gbSeconds: number;
  /** Longest invocation (ms), to compare with the function's timeout. */
  longestMs: number;
  /** Asynchronous events: redelivered after a throttle or an error, and given up. */
  asyncRetries: number;
  asyncDropped: number;
}

export interface AsyncOutcome {
  readonly attempts: number;
  readonly result?: unknown;
  readonly error?: Error;
}

export class LambdaService {
  private readonly functions = new Map<string, FunctionModel>();
  private readonly idle = new Map<string, Environment[]>();
  public readonly stats = new Map<string, FunctionStats>();
  private inUse = 0;
  public peakConcurrency = 0;

  public constructor(
    private readonly time: VirtualTime,
    private readonly quotas: QuotaBook,
    private readonly latencies: Latencies,
    private readonly random: () => number,
    private readonly options: {
      readonly functionArn: (id: string) => string;
      readonly concurrency?: number;
    },
  ) {}

  public register(fn: FunctionModel): void {
    this.functions.set(fn.id, fn);
    this.idle.set(fn.id, []);
    this.stats.set(fn.id, {
      invocations: 0,
      coldStarts: 0,
      throttles: 0,
      errors: 0,
      inUse: 0,
      peakConcurrency: 0,
      gbSeconds: 0,
      longestMs: 0,
      asyncRetries: 0,
      asyncDropped: 0,
    });
  }

  /** A function's model (its memory, its measured CPU). */
  public functionModel(id: string): FunctionModel {
    const fn = this.functions.get(id);
    if (fn === undefined) throw new Error(`No function ${id} in the scale model`);
    return fn;
  }

  /** Invokes and waits for the answer (RequestResponse); throws the function's error or `LambdaThrottledError`. */
  public async invoke(id: string, event: unknown): Promise<unknown> {
    const fn = this.functionModel(id);
    const stats = this.stats.get(id) as FunctionStats;
    const latency = sampleLatency(this.latencies.lambdaInvoke, this.random);
    await this.time.sleep(latency / 2);
    const environment = await this.acquire(fn, stats);
    const started = this.time.now;
    stats.invocations += 1;
    try {
      await this.time.sleep(fn.invokeCpuMs * this.cpuStretch(fn));
      const output = await environment.handler(structuredClone(event), this.context(fn));
      return JSON.parse(JSON.stringify(output ?? null)) as unknown;
    } catch (error) {
      stats.errors += 1;
      throw error;
    } finally {
      const ms = this.time.now - started;
      stats.longestMs = Math.max(stats.longestMs, ms);
      stats.gbSeconds += (Math.ceil(ms) / 1000) * (fn.memoryMb / 1024);
      this.release(fn, stats, environment);
      await this.time.sleep(latency / 2);
    }
  }

  /**
   * An asynchronous invocation (EventBridge's target, the poller's hand-over): queued by Lambda and run with
   * its retries. Resolves when the event is processed or given up, with what happened.
   */
  public async invokeAsync(id: string, event: unknown): Promise<AsyncOutcome> {
    const stats = this.stats.get(id) as FunctionStats;
    const queuedAt = this.time.now;
    let attempts = 0;
    let throttleDelay: number = ASYNC_RETRY.throttleFirstDelayMs;
    let errorRetries = 0;
    for (;;) {
      attempts += 1;
      try {
        const result = await this.invoke(id, event);
        return { attempts, result };
      } catch (error) {
        if (error instanceof LambdaThrottledError) {
          if (this.time.now + throttleDelay - queuedAt > ASYNC_RETRY.maxEventAgeMs) {
            stats.asyncDropped += 1;
            return { attempts, error };
          }
          stats.asyncRetries += 1;
          // The interval grows from one second to five minutes; jittered, as a queue spreads its retries.
          await this.time.sleep(throttleDelay * (0.5 + this.random() / 2));
          throttleDelay = Math.min(ASYNC_RETRY.throttleMaxDelayMs, throttleDelay * 2);
          continue;
        }
        const delay = ASYNC_RETRY.functionErrorDelaysMs[errorRetries];
        if (delay === undefined) {
          stats.asyncDropped += 1;
          return { attempts, error: error as Error };
        }
        errorRetries += 1;
        stats.asyncRetries += 1;
        await this.time.sleep(delay);
      }
    }
  }

  /** CPU time is stretched below one vCPU's worth of memory. */
  public cpuStretch(fn: FunctionModel): number {
    return Math.max(1, ONE_VCPU_MB / fn.memoryMb);
  }

  private async acquire(fn: FunctionModel, stats: FunctionStats): Promise<Environment> {
    const pool = this.idle.get(fn.id) as Environment[];
    let environment = pool.pop();
    const limit = this.options.concurrency ?? LAMBDA_ACCOUNT_CONCURRENCY.limit;
    if (environment === undefined) {
      if (this.inUse >= limit || !this.quotas.take('lambdaScaling', fn.id)) {
        stats.throttles += 1;
        throw new LambdaThrottledError(fn.id);
      }
      this.inUse += 1;
      stats.inUse += 1;
      stats.coldStarts += 1;
      this.notePeaks(stats);
      const initMs = fn.initCpuMs * this.cpuStretch(fn);
      await this.time.sleep(sampleLatency(this.latencies.lambdaEnvironment, this.random) + initMs);
      // Lambda bills the Init phase ("You are charged for this time": lambda-runtime-environment.html).
      stats.gbSeconds += (Math.ceil(initMs) / 1000) * (fn.memoryMb / 1024);
      environment = { handler: fn.create(), busy: true };
      return environment;
    }
    this.inUse += 1;
    stats.inUse += 1;
    this.notePeaks(stats);
    environment.busy = true;
    return environment;
  }

  private release(fn: FunctionModel, stats: FunctionStats, environment: Environment): void {
    environment.busy = false;
    this.inUse -= 1;
    stats.inUse -= 1;
    (this.idle.get(fn.id) as Environment[]).push(environment);
  }

  private notePeaks(stats: FunctionStats): void {
    stats.peakConcurrency = Math.max(stats.peakConcurrency, stats.inUse);
    this.peakConcurrency = Math.max(this.peakConcurrency, this.inUse);
  }

  private context(fn: FunctionModel): Context {
    const invokedFunctionArn = this.options.functionArn(fn.id);
    return {
      functionName: invokedFunctionArn.split(':').at(-1) ?? fn.id,
      invokedFunctionArn,
      awsRequestId: `model-${this.time.now.toString(36)}`,
      memoryLimitInMB: String(fn.memoryMb),
      getRemainingTimeInMillis: () => 60_000,
    } as Context; // only the fields the middlewares read
  }
}
