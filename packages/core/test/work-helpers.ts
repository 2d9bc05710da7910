// Works and assertions shared by the tests of runWithBudget, the runner and tasks.
import type { BackgroundTask, BudgetResult } from '../src/types';

/** Resolves after `ms` (on fake timers when a test installs them). */
export const sleep = (ms: number): Promise<void> =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A work that sleeps `ms` and returns `value`. */
export const after =
  <T>(ms: number, value: T) =>
  async (): Promise<T> => {
    await sleep(ms);
    return value;
  };

/** A work that only ends when its signal aborts (then it rejects with the signal's reason). */
export function untilAborted({ signal }: { signal: AbortSignal }): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** The task of a `promoted` outcome; fails the test on any other outcome. */
export function promotedTask<T>(outcome: BudgetResult<T>): BackgroundTask<T> {
  if (outcome.status !== 'promoted') throw new Error(`expected promoted, got ${outcome.status}`);
  return outcome.task;
}

/** The reason `promise` rejects with; fails the test if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
}
