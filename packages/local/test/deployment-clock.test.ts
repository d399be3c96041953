import { describe, expect, it } from 'vitest';
import { DeploymentClock, durationMs } from '../src/deployment-clock.ts';

describe('durationMs (ISO-8601 durations)', () => {
  it.each([
    ['PT6H', 21_600_000],
    ['PT90S', 90_000],
    ['PT1.5M', 90_000],
    ['P1DT2H', 93_600_000],
    ['P2W', 1_209_600_000],
    ['P91D', 7_862_400_000],
  ])('reads %s', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', 'P1M', 'P1Y', '6h', 'PT6', 'P1DT', '-PT1H', 'PT1H30'])('refuses %j', (text) => {
    expect(durationMs(text)).toBeUndefined();
  });
});

describe('DeploymentClock', () => {
  it('starts where it is told, runs with the wall clock, and moves forward at once', () => {
    let wall = 1_000_000;
    const clock = new DeploymentClock(new Date('2026-11-28T10:00:00.000Z'), () => wall);
    expect(clock.now().toISOString()).toBe('2026-11-28T10:00:00.000Z');

    wall += 250;
    clock.advance(6 * 3_600_000);

    expect(clock.now().toISOString()).toBe('2026-11-28T16:00:00.250Z');
  });

  it('never goes back', () => {
    const clock = new DeploymentClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
  });
});
