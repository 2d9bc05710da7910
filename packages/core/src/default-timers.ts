import type { Timers } from './types';

/** The global timers, looked up at each call so fake timers installed later still apply. */
export const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The global clock, looked up at each call so a faked `Date` still applies. */
export const defaultNow = (): number => Date.now();

/**
 * Longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days); a longer one fires after
 * 1 ms. Clamp every user-given duration with `clampTimerDelay` before it reaches a timer.
 */
export const maxTimerDelayMs = 2_147_483_647;

/**
 * A duration a timer can honour: `ms` clamped to `[0, maxTimerDelayMs]` (Infinity and anything
 * longer wait the longest delay instead of firing at once).
 *
 * @example
 * setTimeout(stop, clampTimerDelay(timeoutSeconds * 1000));
 */
export function clampTimerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > maxTimerDelayMs ? maxTimerDelayMs : ms;
}
