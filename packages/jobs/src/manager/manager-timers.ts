import { clampTimerDelay } from '@sa/core';
import type { Timers } from '@sa/core';

/**
 * Starts a timer that does not keep the process alive (unref'd where the handle allows). Every
 * timer of the manager goes through here, so every user-given duration (heartbeat, intervals,
 * wait timeouts, grace) is clamped to `maxTimerDelayMs` instead of firing after 1 ms.
 */
export function startBackgroundTimer(timers: Timers, callback: () => void, ms: number): unknown {
  const handle = timers.setTimeout(callback, clampTimerDelay(ms));
  (handle as { unref?: () => void } | null)?.unref?.();
  return handle;
}

/** A set of background timers that can all be cleared at once. */
export class TimerSet {
  private readonly handles = new Set<unknown>();
  private readonly sleepers = new Set<() => void>();
  constructor(private readonly timers: Timers) {}

  /** Runs `callback` once after `ms`, unless cleared. */
  after(ms: number, callback: () => void): unknown {
    const handle: unknown = startBackgroundTimer(
      this.timers,
      () => {
        this.handles.delete(handle);
        callback();
      },
      ms,
    );
    this.handles.add(handle);
    return handle;
  }

  /** Clears one timer. */
  clear(handle: unknown): void {
    if (!this.handles.delete(handle)) return;
    this.timers.clearTimeout(handle);
  }

  /** Clears every timer. */
  clearAll(): void {
    for (const handle of this.handles) this.timers.clearTimeout(handle);
    this.handles.clear();
    const sleepers = [...this.sleepers];
    this.sleepers.clear();
    for (const wake of sleepers) wake();
  }

  /** How many timers are live. */
  get size(): number {
    return this.handles.size;
  }

  /** A promise that resolves after `ms` (cleared by `clearAll`, then it resolves at once). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleepers.delete(wake);
        resolve();
      };
      this.sleepers.add(wake);
      this.after(ms, wake);
    });
  }
}
