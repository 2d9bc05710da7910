import { rejectWith } from './reject-with';
import { awaitBudget } from './await-budget';
import { Task } from './task';
import { requestAbortedError } from './request-aborted-error';
import { checkRunOptions, type CheckedRunOptions } from './run-options';
import type { BudgetResult, RunWithBudgetOptions, Timers, Work } from './types';

/**
 * Runs work inline for up to `budgetMs`: resolves `completed` if it settles in time (or rejects
 * with its own error), else `promoted` with a `BackgroundTask` while the work keeps running.
 *
 * @example
 * const outcome = await runWithBudget(({ signal }) => crunch({ signal }), { budgetMs: 20_000 });
 * if (outcome.status === 'completed') return outcome.value;
 * return `Still running in the background as ${outcome.task.id}`;
 */
export function runWithBudget<T>(
  work: Work<T>,
  options: RunWithBudgetOptions,
): Promise<BudgetResult<T>> {
  return runTaskWithBudget(work, options, (task) => task.begin());
}

/**
 * The one body of `runWithBudget`, free and on a runner: checks the arguments, honours an
 * already aborted request signal, creates the task and watches the budget. `launch` begins the
 * task (the free function) or hands it to a slot or the queue (a runner).
 */
export function runTaskWithBudget<T>(
  work: Work<T>,
  options: RunWithBudgetOptions,
  launch: (task: Task<T>) => void,
  defaults?: { timers: Timers; now: () => number },
): Promise<BudgetResult<T>> {
  let checked: CheckedRunOptions;
  try {
    checked = checkRunOptions(work, options, defaults);
  } catch (error) {
    return rejectWith(error);
  }
  const { signal } = checked;
  if (signal?.aborted === true && checked.onRequestAbort === 'cancel') {
    return Promise.reject(requestAbortedError(signal, 'before the work started'));
  }
  const task = new Task(work, { now: checked.now, timers: checked.timers });
  if (signal?.aborted === true) {
    launch(task);
    return Promise.resolve({ status: 'promoted', task });
  }
  return awaitBudget(task, checked, task.createdAt, () => launch(task));
}
