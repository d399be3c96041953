/**
 * The one clock of a local deployment: the sandbox's models, triage, the ledger, the blast radius's hour,
 * the settings loaders' time to live, the approvals' deadlines and the engine all read it. It runs with the
 * wall clock from where it starts, and `advance` moves it forward at once (a scenario's `PT6H`).
 *
 * @example
 * const clock = new DeploymentClock();
 * const sandbox = createSandbox({ now: clock.now });
 * clock.advance(6 * 3_600_000); // six hours later, for every part at once
 */
export class DeploymentClock {
  private offsetMs: number;
  private readonly wall: () => number;

  /**
   * @param start The time the clock shows now (default: the wall clock's).
   * @param wall The wall clock it runs with (tests may fix it).
   */
  public constructor(start?: Date, wall: () => number = () => Date.now()) {
    this.wall = wall;
    this.offsetMs = start === undefined ? 0 : start.getTime() - wall();
  }

  /** The current time (a bound function: hand it around as `now`). */
  public readonly now = (): Date => new Date(this.wall() + this.offsetMs);

  /** Moves the clock forward by `ms` milliseconds (never back: a clock that went back would reorder the ledger). */
  public advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`the clock only moves forward by a finite time, got ${ms} ms`);
    }
    this.offsetMs += ms;
  }
}

/**
 * An ISO-8601 duration (`PT6H`, `P1DT30M`, `PT90S`, `P2W`) in milliseconds; `undefined` when the text is not one.
 * Years and months are refused: their length depends on the date they start from.
 *
 * @example durationMs('PT6H') // 21600000
 */
export function durationMs(text: string): number | undefined {
  const match =
    /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      text,
    );
  if (match === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  if ([weeks, days, hours, minutes, seconds].every((part) => part === undefined)) return undefined;
  const value = (part: string | undefined, unit: number) => (part === undefined ? 0 : Number(part) * unit);
  return Math.round(
    value(weeks, 604_800_000) +
      value(days, 86_400_000) +
      value(hours, 3_600_000) +
      value(minutes, 60_000) +
      value(seconds, 1000),
  );
}
