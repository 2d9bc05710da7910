import type { Timers } from '@sa/core';

/** The global timers, looked up at call time so fake timers installed later still apply. */
export const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
