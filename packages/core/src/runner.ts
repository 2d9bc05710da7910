import { rejectWith } from './reject-with';
import { Task } from './task';
import { defaultNow, defaultTimers, maxTimerDelayMs } from './default-timers';
import { CancelledError, ClosedError, InvalidArgumentError } from './errors';
import { runTaskWithBudget } from './run-with-budget';
import type {
  BackgroundTask,
  BudgetResult,
  Runner,
  RunnerCloseResult,
  RunnerOptions,
  RunWithBudgetOptions,
  StartInBackgroundOptions,
  Timers,
  Work,
} from './types';
import {
  assertOptionalDuration,
  assertOptionalFunction,
  assertOptionalObject,
  assertOptionalTimers,
  describeValue,
} from './validate';

/**
 * Creates a runner that runs at most `concurrency` works at once; more wait as `pending`
 * (first come, first served). A settled task frees its slot, even a cancelled one whose work
 * ignores its signal.
 *
 * @example
 * const runner = createRunner({ concurrency: 4 });
 * const outcome = await runner.runWithBudget(work, { budgetMs: 5_000 });
 * await runner.close({ graceMs: 10_000 });
 */
export function createRunner(options: RunnerOptions): Runner {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(
      `createRunner needs an options object with concurrency, got ${describeValue(options)}`,
    );
  }
  const { concurrency } = options;
  if (
    typeof concurrency !== 'number' ||
    !(Number.isInteger(concurrency) || concurrency === Infinity) ||
    concurrency < 1
  ) {
    throw new InvalidArgumentError(
      `concurrency must be an integer >= 1 (or Infinity), got ${describeValue(concurrency)}`,
    );
  }
  assertOptionalTimers('timers', options.timers);
  assertOptionalFunction('now', options.now);
  const runnerTimers = options.timers ?? defaultTimers;
  const runnerNow = options.now ?? defaultNow;

  const live = new Set<Task<unknown>>();
  const running = new Set<Task<unknown>>();
  let queue: Task<unknown>[] = [];
  let head = 0;
  let pendingCount = 0;
  /**
   * Tasks begun by `admit` whose work has not returned yet. They hold a slot without entering
   * `live` and `running`: a work that settles synchronously (a handler returning a plain value)
   * never touches the sets, which were the largest cost of an inline MCP tool call.
   */
  let inlineCount = 0;
  let draining = false;
  let accepting = true;
  let starting = true;
  let onIdle: (() => void) | undefined;
  let closing: Promise<RunnerCloseResult> | undefined;

  const busy = (): number => running.size + inlineCount;

  const drain = (): void => {
    if (draining) return;
    draining = true;
    try {
      while (starting && busy() < concurrency && head < queue.length) {
        const task = queue[head++]!;
        if (task.status !== 'pending') continue;
        pendingCount--;
        running.add(task);
        task.begin();
      }
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
    } finally {
      draining = false;
    }
  };

  const createTask = <T>(work: Work<T>, now: () => number, timers: Timers): Task<T> =>
    new Task(work, { now, timers });

  /** Queues a task and starts it if a slot is free. */
  const admit = <T>(task: Task<T>): Task<T> => {
    const entry = task as Task<unknown>;
    if (starting && busy() < concurrency && head === queue.length) {
      // A free slot and nobody waiting: start at once, without a trip through the queue.
      inlineCount++;
      try {
        task.begin();
      } finally {
        inlineCount--;
      }
      if (task.outcome === undefined) {
        live.add(entry);
        running.add(entry);
        task.addSettledListener(() => release(entry));
      } else {
        // Settled while it ran: its slot is free for what queued meanwhile, and a close()
        // that waits for idle may go on.
        drain();
        if (isIdle()) onIdle?.();
      }
      return task;
    }
    live.add(entry);
    pendingCount++;
    queue.push(entry);
    task.addSettledListener(() => {
      if (!running.has(entry)) pendingCount--;
      release(entry);
    });
    drain();
    return task;
  };

  /** A settled task leaves: its slot (if it had one) goes to the next waiting task. */
  const release = (entry: Task<unknown>): void => {
    live.delete(entry);
    if (running.delete(entry)) drain();
    if (isIdle()) onIdle?.();
  };

  const isIdle = (): boolean => live.size === 0 && inlineCount === 0;

  const close = (closeOptions?: { graceMs?: number }): Promise<RunnerCloseResult> => {
    if (closing !== undefined) return closing;
    try {
      assertOptionalObject('options', closeOptions);
      assertOptionalDuration('graceMs', closeOptions?.graceMs);
    } catch (error) {
      return rejectWith(error);
    }
    accepting = false;
    const graceMs = closeOptions?.graceMs ?? 0;
    closing = waitForIdle(graceMs).then(() => {
      starting = false;
      const left = [...live].sort(
        (first, second) => Number(first.status === 'running') - Number(second.status === 'running'),
      );
      for (const task of left) {
        task.cancelWith(new CancelledError('The runner closed before the work finished'));
      }
      return { cancelled: left };
    });
    return closing;
  };

  const waitForIdle = (graceMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      if (isIdle() || graceMs === 0) {
        resolve();
        return;
      }
      let handle: unknown;
      const timed = graceMs <= maxTimerDelayMs;
      onIdle = () => {
        onIdle = undefined;
        if (timed) runnerTimers.clearTimeout(handle);
        resolve();
      };
      if (timed) {
        handle = runnerTimers.setTimeout(() => {
          onIdle = undefined;
          resolve();
        }, graceMs);
      }
    });

  return {
    runWithBudget<T>(work: Work<T>, runOptions: RunWithBudgetOptions): Promise<BudgetResult<T>> {
      if (!accepting) return Promise.reject(new ClosedError('The runner is closed'));
      return runTaskWithBudget(work, runOptions, admit, { timers: runnerTimers, now: runnerNow });
    },
    startInBackground<T>(
      work: Work<T>,
      startOptions?: StartInBackgroundOptions,
    ): BackgroundTask<T> {
      if (!accepting) throw new ClosedError('The runner is closed');
      if (typeof work !== 'function') {
        throw new InvalidArgumentError(`work must be a function, got ${describeValue(work)}`);
      }
      assertOptionalObject('options', startOptions);
      assertOptionalFunction('now', startOptions?.now);
      assertOptionalTimers('timers', startOptions?.timers);
      return admit(
        createTask(work, startOptions?.now ?? runnerNow, startOptions?.timers ?? runnerTimers),
      );
    },
    get running() {
      return busy();
    },
    get pending() {
      return pendingCount;
    },
    close,
  };
}
