import type { Timers } from '@sa/core';

/** One timer a `ManualTimers` holds until the test fires it. */
export interface ManualTimer {
  ms: number;
  fire(): void;
}

/** Timers that never fire by themselves: the test fires them, so nothing races the clock. */
export interface ManualTimers extends Timers {
  /** Timers set and not yet fired or cleared. */
  readonly pending: ManualTimer[];
  /** How many timers were ever set with this delay. */
  countSet(ms: number): number;
}

/** Creates timers the test fires by hand. */
export function createManualTimers(): ManualTimers {
  const pending: ManualTimer[] = [];
  const set: number[] = [];
  return {
    pending,
    countSet: (ms) => set.filter((each) => each === ms).length,
    setTimeout(callback, ms) {
      set.push(ms);
      const timer: ManualTimer = {
        ms,
        fire: () => {
          const index = pending.indexOf(timer);
          if (index === -1) return;
          pending.splice(index, 1);
          callback();
        },
      };
      pending.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      const index = pending.indexOf(handle as ManualTimer);
      if (index !== -1) pending.splice(index, 1);
    },
  };
}
