import { isSaError } from '@sa/core';
import type { TimerSet } from './manager-timers';

/** Options for `retryStoreCall`. */
export interface RetryStoreCallOptions {
  timers: TimerSet;
  logger: { warn(message: string): void };
  /** What is being written, for the log. */
  what: string;
  /** Stop retrying (rethrow the last error) once this returns true. */
  shouldStop?: () => boolean;
  /** First delay between attempts (default 100 ms), doubled up to `maxDelayMs`. */
  initialDelayMs?: number;
  /** Longest delay between attempts (default 5 s). */
  maxDelayMs?: number;
}

/** True for errors a retry cannot fix (bad arguments, a closed store, a missing job). */
export function isPermanentStoreError(error: unknown): boolean {
  return (
    isSaError(error, 'INVALID_ARGUMENT') ||
    isSaError(error, 'CLOSED') ||
    isSaError(error, 'NOT_FOUND')
  );
}

/**
 * Calls `call` until it succeeds, waiting with exponential backoff between failures and logging
 * them (the first, then every tenth); permanent errors and `shouldStop` end it with the error.
 */
export async function retryStoreCall<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryStoreCallOptions,
): Promise<T> {
  let delay = options.initialDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 5000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (isPermanentStoreError(error) || options.shouldStop?.() === true) throw error;
      if (attempt % 10 === 0) {
        const message = error instanceof Error ? error.message : String(error);
        options.logger.warn(
          `[@sa/jobs] ${options.what} failed (attempt ${attempt + 1}), retrying: ${message}`,
        );
      }
      await options.timers.sleep(delay);
      delay = Math.min(maxDelay, delay * 2);
      if (options.shouldStop?.() === true) throw error;
    }
  }
}
