/**
 * Runs a scenario on the scale model: installs a virtual clock, builds Cordon's deployment on it, runs the
 * scenario's body to its end in virtual time, and restores the real clock — also when the body throws.
 */
import {
  CordonModel,
  type CordonModelOptions,
  type FunctionCost,
  type ModelFunctionId,
} from '../model/cordon.ts';
import { VirtualTime } from '../model/virtual-time.ts';

/** The simulated day starts here (a fixed date: runs are the same whenever they happen). */
export const SIMULATION_START = Date.UTC(2026, 10, 30, 14, 0, 0);

/** Cordon's home account and Region in the model. */
export const HOME = { account: '111111111111', region: 'us-east-1' } as const;

/** Defaults for what section 5 measures, when a scenario runs without the measurement. */
export const DEFAULT_COST: FunctionCost = { initCpuMs: 150, invokeCpuMs: 3 };

export type SimulationOptions = Omit<CordonModelOptions, 'time' | 'home' | 'memoryMb' | 'cost'> & {
  readonly memoryMb?: (id: ModelFunctionId) => number;
  readonly cost?: (id: ModelFunctionId) => FunctionCost;
};

export interface Simulated<T> {
  readonly result: T;
  /** Virtual milliseconds the scenario took. */
  readonly virtualMs: number;
  /** Real milliseconds it took to simulate. */
  readonly wallMs: number;
  readonly timersFired: number;
}

/**
 * @example
 * const { result } = await simulate({ seed: 1, latencies: latencies() }, async (cordon) => { await cordon.deliver(event); await cordon.settle(); return cordon.sfn.runs.size; });
 */
export async function simulate<T>(
  options: SimulationOptions,
  body: (cordon: CordonModel, time: VirtualTime) => Promise<T>,
): Promise<Simulated<T>> {
  const time = new VirtualTime({ start: SIMULATION_START, seed: options.seed });
  const began = performance.now();
  const restore = time.install();
  try {
    const result = await time.run(async () => {
      const cordon = await CordonModel.create({
        ...options,
        time,
        home: HOME,
        memoryMb: options.memoryMb ?? (() => 512),
        cost: options.cost ?? (() => DEFAULT_COST),
      });
      return body(cordon, time);
    });
    return {
      result,
      virtualMs: time.now - SIMULATION_START,
      wallMs: performance.now() - began,
      timersFired: time.fired,
    };
  } finally {
    restore();
  }
}
