import { describe, expect, it } from 'vitest';
import { clampTimerDelay, maxTimerDelayMs } from './index';

describe('clampTimerDelay', () => {
  it.each([
    [0, 0],
    [1500, 1500],
    [maxTimerDelayMs, maxTimerDelayMs],
    [maxTimerDelayMs + 1, maxTimerDelayMs],
    [1e9 * 1000, maxTimerDelayMs],
    [Number.POSITIVE_INFINITY, maxTimerDelayMs],
    [-5, 0],
    [Number.NaN, 0],
  ])('clamps %d ms to %d ms', (given, expected) => {
    expect(clampTimerDelay(given)).toBe(expected);
  });

  it('is 2^31 - 1, the longest delay setTimeout honours', () => {
    expect(maxTimerDelayMs).toBe(2 ** 31 - 1);
  });
});
