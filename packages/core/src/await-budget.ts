import type { Task, TaskWatcher } from './task';
import { maxTimerDelayMs } from './default-timers';
import { rejectWith } from './reject-with';
import { requestAbortedError } from './request-aborted-error';
import type { CheckedRunOptions } from './run-options';
import type { BudgetResult, TaskOutcome } from './types';

const settledPromise = Promise.resolve();
const listenOnce = { once: true } as const;

/**
 * Watches a task from before it starts (`launch` begins or queues it, after the watch is in
 * place, so no early progress is missed) until it settles, the budget runs out or the request
 * aborts; whichever comes first decides the result, and everything set up is undone.
 */
export function awaitBudget<T>(
  task: Task<T>,
  options: CheckedRunOptions,
  startedAt: number,
  launch: () => void,
): Promise<BudgetResult<T>> {
  if (options.onProgress === undefined) {
    // No progress listener, so nothing to miss before the work starts: launch first, and a
    // work that settles at once (a handler returning a plain value) needs no watch at all.
    launch();
    const outcome = task.outcome;
    if (outcome !== undefined) {
      return outcome.status === 'completed'
        ? Promise.resolve({ status: 'completed', value: outcome.value })
        : rejectWith(outcome.error);
    }
  }
  return new Promise<BudgetResult<T>>((resolve, reject) => {
    new BudgetWatch(task, options, resolve, reject).start(
      startedAt,
      options.onProgress === undefined ? undefined : launch,
    );
  });
}

/**
 * One watch, as an object rather than closures: it is the task's watcher and the signal's
 * abort listener (`handleEvent`), so a call allocates little.
 */
class BudgetWatch<T> implements TaskWatcher<T> {
  readonly #task: Task<T>;
  readonly #options: CheckedRunOptions;
  readonly #resolve: (result: BudgetResult<T>) => void;
  readonly #reject: (error: unknown) => void;
  #timerHandle: unknown;
  #timerSet = false;
  #done = false;
  #listening = false;
  #detachProgress: (() => void) | undefined;

  constructor(
    task: Task<T>,
    options: CheckedRunOptions,
    resolve: (result: BudgetResult<T>) => void,
    reject: (error: unknown) => void,
  ) {
    this.#task = task;
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Watches the task; `launch` starts it after the watch is in place (undefined: already started). */
  start(startedAt: number, launch: (() => void) | undefined): void {
    const task = this.#task;
    const options = this.#options;
    task.watcher = this;
    if (options.onProgress !== undefined) {
      this.#detachProgress = task.onProgress(options.onProgress, {
        intervalMs: options.progressIntervalMs,
      });
    }
    launch?.();
    if (this.#done) return;
    // Arm the budget timer and the abort listener one microtask later: a work that settles at
    // once never needs them, and they are most of the cost on that path. The remaining time
    // is measured from `startedAt`, so the budget stays exact; an abort in between is seen
    // through `signal.aborted`.
    void settledPromise.then(() => this.#arm(startedAt));
  }

  #arm(startedAt: number): void {
    if (this.#done) return;
    const options = this.#options;
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.handleEvent();
        return;
      }
      signal.addEventListener('abort', this, listenOnce);
      this.#listening = true;
    }
    const remaining = options.budgetMs - (options.now() - startedAt);
    if (remaining > maxTimerDelayMs) return;
    this.#timerHandle = options.timers.setTimeout(() => this.#expire(), Math.max(0, remaining));
    this.#timerSet = true;
  }

  /** The task settled first. */
  onTaskSettled(outcome: TaskOutcome<T>): void {
    this.#cleanUp();
    if (outcome.status === 'completed')
      this.#resolve({ status: 'completed', value: outcome.value });
    else this.#reject(outcome.error);
  }

  /** The request signal aborted first. */
  handleEvent(): void {
    const signal = this.#options.signal;
    if (this.#done || signal === undefined) return;
    if (this.#options.onRequestAbort === 'promote') this.#promote();
    else this.#task.cancelWith(requestAbortedError(signal, 'before the work finished'));
  }

  /** The budget ran out first. */
  #expire(): void {
    this.#timerSet = false;
    this.#promote();
  }

  #promote(): void {
    this.#cleanUp();
    this.#resolve({ status: 'promoted', task: this.#task });
  }

  #cleanUp(): void {
    this.#done = true;
    if (this.#timerSet) this.#options.timers.clearTimeout(this.#timerHandle);
    this.#timerSet = false;
    if (this.#listening) this.#options.signal?.removeEventListener('abort', this);
    this.#listening = false;
    this.#detachProgress?.();
    this.#detachProgress = undefined;
    const task = this.#task;
    if (task.watcher === this) task.watcher = undefined;
  }
}
