/**
 * A simulated clock for the scale model: while installed, `setTimeout`, `setInterval`, their `clear*`
 * functions and `Date` read and advance virtual time, and `Math.random` is a seeded generator. The real code
 * under test — the SDK's retry backoff, Powertools' parameter cache, aws-local-stepfunctions' Retry waits and
 * Task timeouts, core's `new Date()` — then runs as a discrete-event simulation: whenever every promise has
 * settled and nothing but timers is left, the clock jumps to the next timer. An hour of simulated traffic
 * takes the CPU time of the code it runs, never an hour, and the same seed gives the same run.
 *
 * Only what is scheduled through these globals is simulated: code that waits on real I/O would leave the
 * run with nothing to do, which {@link VirtualTime.run} reports as {@link SimulationStalledError}.
 */
import { setImmediate as realSetImmediate } from 'node:timers';
import { seededRandom } from './random.ts';

/** The run has work that never settles and no timer left to move the clock: something waits on real I/O. */
export class SimulationStalledError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'SimulationStalledError';
  }
}

/** A second `install` while one is active: two clocks cannot both own the globals. */
export class ClockAlreadyInstalledError extends Error {
  public constructor() {
    super('A virtual clock is already installed: uninstall it before installing another.');
    this.name = 'ClockAlreadyInstalledError';
  }
}

interface Timer {
  readonly id: number;
  readonly delay: number;
  at: number;
  seq: number;
  readonly callback: () => void;
  readonly interval?: number;
  cancelled: boolean;
}

/** What `setTimeout` returns: Node's Timeout has these methods, and some libraries call them. */
class VirtualTimeout {
  public constructor(
    public readonly id: number,
    private readonly clock: VirtualTime,
  ) {}
  public ref(): this {
    return this;
  }
  public unref(): this {
    return this;
  }
  public hasRef(): boolean {
    return true;
  }
  public refresh(): this {
    this.clock.refresh(this.id);
    return this;
  }
  public [Symbol.toPrimitive](): number {
    return this.id;
  }
}

type Globals = {
  setTimeout: typeof globalThis.setTimeout;
  clearTimeout: typeof globalThis.clearTimeout;
  setInterval: typeof globalThis.setInterval;
  clearInterval: typeof globalThis.clearInterval;
  Date: DateConstructor;
  random: () => number;
};

let installed: VirtualTime | undefined;

/** Turns of the event loop, then real waits of 10 ms, before a run with no timer left is called stalled. */
const IDLE_TURNS = 100;
const IDLE_WAITS = 50;
const IDLE_WAIT_MS = 10;

/**
 * The simulated clock. Install it, run the simulation's work with {@link VirtualTime.run}, uninstall it.
 *
 * @example
 * const time = new VirtualTime({ start: Date.UTC(2026, 0, 1), seed: 7 });
 * const restore = time.install();
 * try { await time.run(async () => { await new Promise((r) => setTimeout(r, 60_000)); }); } finally { restore(); }
 * time.now - Date.UTC(2026, 0, 1) // 60000
 */
export class VirtualTime {
  private current: number;
  private readonly seed: number;
  private readonly timers: Timer[] = [];
  private readonly byId = new Map<number, Timer>();
  /** Far above Node's own async ids, so that a number handle cannot be mistaken for one of ours. */
  private nextId = 1_000_000_000;
  private nextSeq = 0;
  private failure: { error: unknown } | undefined;
  /** The real setTimeout, kept when the clock is installed (the stall check waits on real time). */
  private realTimeout: (callback: () => void, ms: number) => unknown = globalThis.setTimeout;
  /** Timers fired so far (a measure of how much the run scheduled). */
  public fired = 0;

  public constructor(options: { readonly start: number; readonly seed: number }) {
    this.current = options.start;
    this.seed = options.seed;
  }

  /** Virtual milliseconds since the epoch. */
  public get now(): number {
    return this.current;
  }

  /** Puts the virtual globals in place; returns the function that restores the real ones. */
  public install(): () => void {
    if (installed !== undefined) throw new ClockAlreadyInstalledError();
    installed = this;
    this.realTimeout = globalThis.setTimeout;
    const real: Globals = {
      setTimeout: globalThis.setTimeout,
      clearTimeout: globalThis.clearTimeout,
      setInterval: globalThis.setInterval,
      clearInterval: globalThis.clearInterval,
      Date: globalThis.Date,
      random: Math.random,
    };
    const clock = this;
    const schedule = (callback: unknown, ms: unknown, args: unknown[], interval: boolean) => {
      if (typeof callback !== 'function') throw new TypeError('The callback must be a function');
      const delay = Math.max(0, Number(ms) || 0);
      const run = () => (callback as (...rest: unknown[]) => void)(...args);
      return new VirtualTimeout(clock.add(run, delay, interval ? Math.max(1, delay) : undefined), clock);
    };
    // Only our own handles cancel a virtual timer: a real timer made before the clock was installed (and
    // cleared during the run) has an id of its own that must not cancel one of ours.
    const cancel = (handle: unknown) => {
      if (handle === undefined || handle === null) return;
      if (handle instanceof VirtualTimeout) clock.cancel(handle.id);
      else if (typeof handle === 'number' && handle >= 1_000_000_000) clock.cancel(handle);
      else real.clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
    };
    globalThis.setTimeout = ((callback: unknown, ms?: unknown, ...args: unknown[]) =>
      schedule(callback, ms, args, false)) as unknown as typeof globalThis.setTimeout;
    globalThis.setInterval = ((callback: unknown, ms?: unknown, ...args: unknown[]) =>
      schedule(callback, ms, args, true)) as unknown as typeof globalThis.setInterval;
    globalThis.clearTimeout = cancel as typeof globalThis.clearTimeout;
    globalThis.clearInterval = cancel as typeof globalThis.clearInterval;
    // A proxy, not a subclass: every Date made before or after (and structuredClone's copies) stays an
    // `instanceof Date`, and only `new Date()` and `Date.now()` read the virtual clock.
    globalThis.Date = new Proxy(real.Date, {
      construct(target, args) {
        return args.length === 0 ? new target(clock.current) : new target(...(args as [number]));
      },
      apply(target) {
        return new target(clock.current).toString();
      },
      get(target, property, receiver) {
        if (property === 'now') return () => clock.current;
        return Reflect.get(target, property, receiver);
      },
    });
    Math.random = seededRandom(this.seed);
    return () => {
      globalThis.setTimeout = real.setTimeout;
      globalThis.clearTimeout = real.clearTimeout;
      globalThis.setInterval = real.setInterval;
      globalThis.clearInterval = real.clearInterval;
      globalThis.Date = real.Date;
      Math.random = real.random;
      installed = undefined;
    };
  }

  /** Resolves after `ms` virtual milliseconds. */
  public sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.add(resolve, Math.max(0, ms));
    });
  }

  /**
   * Runs `work` to its end in virtual time: settles every promise, then moves the clock to the next timer,
   * fires it, and so on. Throws what `work` throws, an error a timer callback threw, or
   * {@link SimulationStalledError} when work is pending with no timer left.
   */
  public async run<T>(work: () => Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    work().then(
      (value) => {
        outcome = { ok: true, value };
      },
      (error: unknown) => {
        outcome = { ok: false, error };
      },
    );
    let idleTurns = 0;
    for (;;) {
      await new Promise<void>((resolve) => realSetImmediate(resolve));
      if (this.failure !== undefined) throw this.failure.error;
      if (outcome !== undefined) {
        if (outcome.ok) return outcome.value;
        throw outcome.error;
      }
      if (!this.fireNext()) {
        // No timer left: a chain of setImmediate callbacks, or a module loaded on first use, may still be on
        // its way. Give it turns of the event loop, then a little real time, before calling the run stalled.
        idleTurns += 1;
        if (idleTurns > IDLE_TURNS) {
          await new Promise<void>((resolve) => this.realTimeout(resolve, IDLE_WAIT_MS));
        }
        if (idleTurns > IDLE_TURNS + IDLE_WAITS) {
          throw new SimulationStalledError(
            `the simulated work is still pending at ${new Date(this.current).toISOString()} with no timer left: it waits on something outside the virtual clock`,
          );
        }
      } else {
        idleTurns = 0;
      }
    }
  }

  public add(callback: () => void, delay: number, interval?: number): number {
    const timer: Timer = {
      id: this.nextId++,
      delay,
      at: this.current + delay,
      seq: this.nextSeq++,
      callback,
      ...(interval === undefined ? {} : { interval }),
      cancelled: false,
    };
    this.byId.set(timer.id, timer);
    this.push(timer);
    return timer.id;
  }

  public cancel(id: number): void {
    const timer = this.byId.get(id);
    if (timer === undefined) return;
    timer.cancelled = true;
    this.byId.delete(id);
  }

  public refresh(id: number): void {
    const timer = this.byId.get(id);
    if (timer === undefined) return;
    // Re-armed from now with its own delay: the old heap entry is dropped and a fresh one takes its place.
    timer.cancelled = true;
    const fresh: Timer = { ...timer, at: this.current + timer.delay, seq: this.nextSeq++, cancelled: false };
    this.byId.set(id, fresh);
    this.push(fresh);
  }

  /** Fires every timer due at the earliest pending time; `false` when none is pending. */
  private fireNext(): boolean {
    let first = this.pop();
    while (first?.cancelled) first = this.pop();
    if (first === undefined) return false;
    this.current = Math.max(this.current, first.at);
    const due: Timer[] = [first];
    while (this.timers.length > 0 && (this.timers[0] as Timer).at <= this.current) {
      const next = this.pop() as Timer;
      if (!next.cancelled) due.push(next);
    }
    for (const timer of due) {
      if (timer.interval !== undefined) {
        timer.at = this.current + timer.interval;
        timer.seq = this.nextSeq++;
        this.push(timer);
      } else {
        this.byId.delete(timer.id);
      }
      this.fired += 1;
      try {
        timer.callback();
      } catch (error) {
        // An exception in a timer callback is an uncaught exception in Node: the run reports it.
        this.failure ??= { error };
      }
    }
    return true;
  }

  private push(timer: Timer): void {
    const heap = this.timers;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index] as Timer, heap[parent] as Timer)) break;
      [heap[index], heap[parent]] = [heap[parent] as Timer, heap[index] as Timer];
      index = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.timers;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && before(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
        if (right < heap.length && before(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest] as Timer, heap[index] as Timer];
        index = smallest;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
