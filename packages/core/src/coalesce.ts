import { clampTimerDelay } from './default-timers';
import type { Timers } from './types';

/** Delivers values at most once per interval: the first at once, then the latest one. */
export interface Coalescer<T> {
  /** Offers a value: delivered at once if the interval is free, else kept (latest wins). */
  push(value: T): void;
  /** Delivers the kept value, if any, now, and stops the timer. */
  flush(): void;
  /** Drops the kept value and stops the timer. */
  dispose(): void;
}

/** Options for `createCoalescer`. */
export interface CoalescerOptions {
  /** Smallest gap between two deliveries, in milliseconds. */
  intervalMs: number;
  /** Injectable timers. */
  timers: Timers;
}

/**
 * Creates a coalescer: at most one delivery per `intervalMs`, latest value wins, and `flush`
 * delivers the last one, so a tight loop cannot flood a listener.
 *
 * @example
 * const coalescer = createCoalescer(write, { intervalMs: 100, timers: { setTimeout, clearTimeout } });
 * for (const update of updates) coalescer.push(update);
 * coalescer.flush();
 */
export function createCoalescer<T>(
  deliver: (value: T) => void,
  options: CoalescerOptions,
): Coalescer<T> {
  const { intervalMs, timers } = options;
  let handle: unknown;
  let waiting = false;
  let kept: T | undefined;
  let hasKept = false;

  const onInterval = (): void => {
    waiting = false;
    handle = undefined;
    if (!hasKept) return;
    const value = kept as T;
    kept = undefined;
    hasKept = false;
    start();
    deliver(value);
  };
  const start = (): void => {
    waiting = true;
    handle = timers.setTimeout(onInterval, clampTimerDelay(intervalMs));
  };
  const stop = (): void => {
    if (waiting) timers.clearTimeout(handle);
    waiting = false;
    handle = undefined;
  };

  return {
    push(value) {
      if (waiting) {
        kept = value;
        hasKept = true;
        return;
      }
      start();
      deliver(value);
    },
    flush() {
      stop();
      if (!hasKept) return;
      const value = kept as T;
      kept = undefined;
      hasKept = false;
      deliver(value);
    },
    dispose() {
      stop();
      kept = undefined;
      hasKept = false;
    },
  };
}
