import { rejectWith } from './reject-with';
import { awaitBudget } from './await-budget';
import { Task } from './background-task';
import { requestAbortedError } from './request-aborted-error';
import { checkRunOptions, type CheckedRunOptions } from './run-options';
import type { BudgetResult, RunWithBudgetOptions, Work } from './types';

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
  let checked: CheckedRunOptions;
  try {
    checked = checkRunOptions(work, options);
  } catch (error) {
    return rejectWith(error);
  }
  const { signal } = checked;
  if (signal?.aborted === true && checked.onRequestAbort === 'cancel') {
    return Promise.reject(requestAbortedError(signal, 'before the work started'));
  }
  const task = new Task(work, checked);
  if (signal?.aborted === true) {
    task.begin();
    return Promise.resolve({ status: 'promoted', task });
  }
  return awaitBudget(task, checked, task.createdAt, () => task.begin());
}
