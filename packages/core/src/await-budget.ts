import type { Task } from './background-task';
import { maxTimerDelayMs } from './default-timers';
import { requestAbortedError } from './request-aborted-error';
import type { BudgetResult, ProgressListener, Timers } from './types';

/** What `awaitBudget` needs, already checked. */
export interface BudgetWatchOptions {
  /** When the budget started counting (the call's time), by `now`. */
  startedAt: number;
  budgetMs: number;
  signal: AbortSignal | undefined;
  onRequestAbort: 'cancel' | 'promote';
  timers: Timers;
  now: () => number;
  onProgress: ProgressListener | undefined;
  progressIntervalMs: number | undefined;
}

/**
 * Watches a task from before it starts (`launch` begins or queues it, after the listeners are
 * attached, so no early progress is missed) until it settles, the budget runs out or the
 * request aborts; whichever comes first decides the result, and everything set up is undone.
 */
export function awaitBudget<T>(
  task: Task<T>,
  options: BudgetWatchOptions,
  launch: () => void,
): Promise<BudgetResult<T>> {
  return new Promise<BudgetResult<T>>((resolve, reject) => {
    const { signal, timers } = options;
    let timerHandle: unknown;
    let timerSet = false;
    let done = false;
    let detachProgress: (() => void) | undefined;

    const cleanUp = (): void => {
      done = true;
      if (timerSet) timers.clearTimeout(timerHandle);
      timerSet = false;
      signal?.removeEventListener('abort', onAbort);
      detachProgress?.();
      detachSettled();
    };
    const promote = (): void => {
      cleanUp();
      resolve({ status: 'promoted', task });
    };
    const onAbort = (): void => {
      if (options.onRequestAbort === 'promote') {
        promote();
        return;
      }
      if (signal !== undefined)
        task.cancelWith(requestAbortedError(signal, 'before the work finished'));
    };
    const detachSettled = task.addSettledListener((outcome) => {
      cleanUp();
      if (outcome.status === 'completed') resolve({ status: 'completed', value: outcome.value });
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own error, unwrapped
      else reject(outcome.error);
    });

    if (options.onProgress !== undefined) {
      detachProgress = task.onProgress(options.onProgress, {
        intervalMs: options.progressIntervalMs,
      });
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    launch();
    if (done) return;
    const remaining = options.budgetMs - (options.now() - options.startedAt);
    if (remaining <= maxTimerDelayMs) {
      timerHandle = timers.setTimeout(
        () => {
          timerSet = false;
          promote();
        },
        Math.max(0, remaining),
      );
      timerSet = true;
    }
  });
}
