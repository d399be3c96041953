import { describe, expect, it } from 'vitest';
import { toIsoTime } from '../../src/intake/timestamps.ts';

describe('toIsoTime', () => {
  it.each([
    ['2017-12-08T15:32:49.865Z', '2017-12-08T15:32:49.865Z'],
    ['2025-02-25 20:40:06.721', '2025-02-25T20:40:06.721Z'],
    ['2025-02-25 20:40:06.000000000', '2025-02-25T20:40:06.000Z'],
    ['2023-08-04T12:36:15.490+0000', '2023-08-04T12:36:15.490Z'],
    [1492735675000, '2017-04-21T00:47:55.000Z'],
    [1513612691.551, '2017-12-18T15:58:11.551Z'],
  ])('reads %j as %s', (input, expected) => {
    expect(toIsoTime(input)).toBe(expected);
  });

  it.each([[''], ['May'], ['1'], ['2023-08-04T12: 36: 15.490+0000'], [null], [{}], [-5], [Number.NaN]])(
    'answers undefined for %j',
    (input) => {
      expect(toIsoTime(input)).toBeUndefined();
    },
  );
});
