import type { Timers } from './types';

/** The global timers, looked up at each call so fake timers installed later still apply. */
export const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The global clock, looked up at each call so a faked `Date` still applies. */
export const defaultNow = (): number => Date.now();

/** Longest delay `setTimeout` honours; longer ones would fire at once, so they mean "never". */
export const maxTimerDelayMs = 2_147_483_647;
