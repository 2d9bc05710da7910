import { Task } from './task';
import { defaultNow, defaultTimers } from './default-timers';
import type { BackgroundTask, StartInBackgroundOptions, Work } from './types';
import {
  assertFunction,
  assertOptionalFunction,
  assertOptionalObject,
  assertOptionalTimers,
} from './validate';

/**
 * Starts work in the background at once (explicit async mode) and returns its task.
 *
 * @example
 * const task = startInBackground(({ signal }) => crunch({ signal }));
 * task.onProgress((update) => console.log(update.progress));
 * const value = await task.result;
 */
export function startInBackground<T>(
  work: Work<T>,
  options?: StartInBackgroundOptions,
): BackgroundTask<T> {
  assertFunction('work', work);
  assertOptionalObject('options', options);
  assertOptionalFunction('now', options?.now);
  assertOptionalTimers('timers', options?.timers);
  const task = new Task(work, {
    now: options?.now ?? defaultNow,
    timers: options?.timers ?? defaultTimers,
  });
  task.begin();
  return task;
}
