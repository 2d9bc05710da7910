import { createCoalescer, type ProgressListener, type ProgressUpdate, type Timers } from '@sa/core';
import { increasingProgress } from './increasing-progress';

/** Forwards the progress of work for its whole life (not only while inline). */
export interface ProgressForwarder {
  push(update: ProgressUpdate): void;
  /** Sends what is kept and stops: nothing is forwarded once the work has ended. */
  finish(): void;
}

/** Options of `createProgressForwarder`. */
export interface ProgressForwarderOptions {
  /** Smallest gap between two forwarded updates (latest wins; 0: every update). */
  intervalMs: number;
  /** Injectable timers of the coalescing. */
  timers: Timers;
}

/**
 * A forwarder that coalesces updates, keeps `progress` strictly increasing and stops at
 * `finish()`: for a 2025-11-25 task whose request's progress token stays valid for its life.
 */
export function createProgressForwarder(
  send: ProgressListener,
  options: ProgressForwarderOptions,
): ProgressForwarder {
  const forward = increasingProgress(send);
  let finished = false;
  const coalescer =
    options.intervalMs > 0
      ? createCoalescer(forward, { intervalMs: options.intervalMs, timers: options.timers })
      : undefined;
  return {
    push(update) {
      if (finished) return;
      if (coalescer === undefined) forward(update);
      else coalescer.push(update);
    },
    finish() {
      if (finished) return;
      coalescer?.flush();
      finished = true;
    },
  };
}
