import { rejectWith } from './reject-with';
import type { Task } from './background-task';
import { maxTimerDelayMs } from './default-timers';
import { requestAbortedError } from './request-aborted-error';
import type { BudgetResult, ProgressListener, TaskOutcome, Timers } from './types';

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
 * Waits for a task (pending or running) until it settles, the budget runs out or the request
 * aborts; whichever comes first decides the result, and everything set up here is undone.
 */
export function awaitBudget<T>(
  task: Task<T>,
  options: BudgetWatchOptions,
): Promise<BudgetResult<T>> {
  const settled = task.outcome;
  if (settled !== undefined) return fromOutcome(settled);
  return new Promise<BudgetResult<T>>((resolve, reject) => {
    const { signal, timers } = options;
    let timerHandle: unknown;
    let timerSet = false;
    let detachProgress: (() => void) | undefined;

    const cleanUp = (): void => {
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

function fromOutcome<T>(outcome: TaskOutcome<T>): Promise<BudgetResult<T>> {
  return outcome.status === 'completed'
    ? Promise.resolve({ status: 'completed', value: outcome.value })
    : rejectWith(outcome.error);
}
