import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, isSaError } from './errors';
import { reportProgress } from './report-progress';
import { runWithBudget } from './run-with-budget';
import type { ProgressUpdate } from './types';
import { failure, promotedTask, sleep, untilAborted } from '../test/work-helpers';

function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runWithBudget within the budget', () => {
  it('completes with the work value and leaves no timer or listener behind', async () => {
    const request = new AbortController();
    const outcome = await runWithBudget(() => Promise.resolve('quick'), {
      budgetMs: 1000,
      signal: request.signal,
    });
    expect(outcome).toEqual({ status: 'completed', value: 'quick' });
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(request.signal)).toBe(0);
  });

  it.each([
    [100, 100, 'completed'],
    [100, 99, 'completed'],
    [100, 101, 'promoted'],
    [0, 0, 'completed'],
  ])(
    'with budgetMs %i, a work that settles after %i ms is %s',
    async (budgetMs, workMs, status) => {
      const outcome = runWithBudget(
        async () => {
          await sleep(workMs);
          return 'value';
        },
        { budgetMs },
      );
      await vi.advanceTimersByTimeAsync(Math.max(budgetMs, workMs));
      await expect(outcome).resolves.toMatchObject({ status });
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it('rejects with the work own error, unwrapped', async () => {
    const boom = new TypeError('bad input');
    const outcome = runWithBudget(
      async () => {
        await sleep(10);
        throw boom;
      },
      { budgetMs: 50 },
    );
    const settled = failure(outcome);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled).toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error on purpose
    const odd = runWithBudget(() => Promise.reject('plain string'), { budgetMs: 50 });
    expect(await failure(odd)).toBe('plain string');
  });

  it('turns a synchronous throw inside the work into a rejection', async () => {
    const boom = new Error('sync');
    const request = new AbortController();
    const outcome = runWithBudget(
      () => {
        throw boom;
      },
      { budgetMs: 50, signal: request.signal },
    );
    expect(await failure(outcome)).toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(request.signal)).toBe(0);
  });

  it('never promotes with an infinite budget, and sets no timer for it', async () => {
    const outcome = runWithBudget(
      async () => {
        await sleep(10_000);
        return 'late';
      },
      { budgetMs: Infinity },
    );
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(outcome).resolves.toEqual({ status: 'completed', value: 'late' });
  });

  it('uses the injected timers and clock', async () => {
    const scheduled: number[] = [];
    let clock = 500;
    const timers = {
      setTimeout: (callback: () => void, ms: number) => {
        scheduled.push(ms);
        return setTimeout(callback, ms);
      },
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const outcome = runWithBudget(
      async () => {
        clock += 30; // the synchronous part of the work took 30 ms of the budget
        await sleep(1000);
      },
      { budgetMs: 100, timers, now: () => clock },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduled).toEqual([70]);
    await vi.advanceTimersByTimeAsync(70);
    const task = promotedTask(await outcome);
    expect(task.createdAt).toBe(500);
    await vi.advanceTimersByTimeAsync(1000);
    await task.result;
  });
});

describe('runWithBudget beyond the budget', () => {
  it('promotes at the budget and the work keeps running until it settles', async () => {
    let finished = false;
    const outcome = runWithBudget(
      async () => {
        await sleep(500);
        finished = true;
        return 7;
      },
      { budgetMs: 100 },
    );
    await vi.advanceTimersByTimeAsync(100);
    const task = promotedTask(await outcome);
    expect(task.status).toBe('running');
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    await expect(task.result).resolves.toBe(7);
    expect(task.status).toBe('completed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets task.cancel stop a work that never settles, leaving no timer', async () => {
    const outcome = runWithBudget(() => new Promise<never>(() => {}), { budgetMs: 10 });
    await vi.advanceTimersByTimeAsync(10);
    const task = promotedTask(await outcome);
    task.cancel('stop');
    expect(task.status).toBe('cancelled');
    expect(isSaError(await failure(task.result), 'CANCELLED')).toBe(true);
    expect(task.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('runWithBudget and the request signal', () => {
  it('with an already-aborted signal, rejects at once without running the work', async () => {
    const request = new AbortController();
    request.abort(new Error('client went away'));
    const work = vi.fn(() => Promise.resolve(1));
    const error = await failure(runWithBudget(work, { budgetMs: 100, signal: request.signal }));
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).code).toBe('CANCELLED');
    expect((error as CancelledError).cause).toBe(request.signal.reason);
    expect(work).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("with an already-aborted signal and 'promote', promotes at once and runs the work", async () => {
    const request = new AbortController();
    request.abort();
    const outcome = await runWithBudget(
      async () => {
        await sleep(50);
        return 'kept';
      },
      { budgetMs: 100, signal: request.signal, onRequestAbort: 'promote' },
    );
    const task = promotedTask(outcome);
    expect(task.status).toBe('running');
    expect(abortListeners(request.signal)).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    await expect(task.result).resolves.toBe('kept');
  });

  it('cancels the work when the request aborts before promotion (default)', async () => {
    const request = new AbortController();
    let workSignal: AbortSignal | undefined;
    const outcome = runWithBudget(
      (context) => {
        workSignal = context.signal;
        return untilAborted(context);
      },
      { budgetMs: 100, signal: request.signal },
    );
    const settled = failure(outcome);
    await vi.advanceTimersByTimeAsync(40);
    request.abort('gone');
    const error = await settled;
    expect(isSaError(error, 'CANCELLED')).toBe(true);
    expect((error as Error).cause).toBe('gone');
    expect(workSignal?.aborted).toBe(true);
    expect(workSignal?.reason).toBe(error);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(request.signal)).toBe(0);
  });

  it("promotes the work when the request aborts before promotion with 'promote'", async () => {
    const request = new AbortController();
    const outcome = runWithBudget(
      async ({ signal }) => {
        await sleep(300);
        return signal.aborted ? 'aborted' : 'finished';
      },
      { budgetMs: 100, signal: request.signal, onRequestAbort: 'promote' },
    );
    await vi.advanceTimersByTimeAsync(40);
    request.abort();
    const task = promotedTask(await outcome);
    expect(task.status).toBe('running');
    expect(vi.getTimerCount()).toBe(1);
    expect(abortListeners(request.signal)).toBe(0);
    await vi.advanceTimersByTimeAsync(260);
    await expect(task.result).resolves.toBe('finished');
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    ['cancel', 'rejected'],
    ['promote', 'promoted'],
  ] as const)(
    "sees a request abort during the work's synchronous start (onRequestAbort '%s': %s)",
    async (onRequestAbort, expected) => {
      const request = new AbortController();
      const outcome = runWithBudget(
        async () => {
          request.abort();
          await sleep(50);
          return 'finished';
        },
        { budgetMs: 100, signal: request.signal, onRequestAbort },
      );
      const settled = await outcome.then(
        (result) => result.status,
        (error: unknown) => (isSaError(error, 'CANCELLED') ? 'rejected' : 'other'),
      );
      expect(settled).toBe(expected);
      expect(abortListeners(request.signal)).toBe(0);
      await vi.advanceTimersByTimeAsync(50);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it.each(['cancel', 'promote'] as const)(
    "ignores a request abort after promotion (onRequestAbort '%s')",
    async (onRequestAbort) => {
      const request = new AbortController();
      const outcome = runWithBudget(
        async ({ signal }) => {
          await sleep(300);
          return signal.aborted ? 'aborted' : 'finished';
        },
        { budgetMs: 100, signal: request.signal, onRequestAbort },
      );
      await vi.advanceTimersByTimeAsync(100);
      const task = promotedTask(await outcome);
      expect(abortListeners(request.signal)).toBe(0);
      request.abort();
      expect(task.status).toBe('running');
      expect(task.signal.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(200);
      await expect(task.result).resolves.toBe('finished');
      expect(vi.getTimerCount()).toBe(0);
    },
  );
});

describe('runWithBudget onProgress', () => {
  it('receives progress while inline and is detached at promotion', async () => {
    const inline: number[] = [];
    const outcome = runWithBudget(
      async () => {
        reportProgress({ progress: 0 });
        for (let progress = 1; progress <= 5; progress++) {
          await sleep(30);
          reportProgress({ progress, total: 5 });
        }
      },
      { budgetMs: 100, onProgress: (update) => inline.push(update.progress) },
    );
    await vi.advanceTimersByTimeAsync(100);
    const task = promotedTask(await outcome);
    expect(inline).toEqual([0, 1, 2, 3]);
    const later: ProgressUpdate[] = [];
    task.onProgress((update) => later.push(update));
    await vi.advanceTimersByTimeAsync(60);
    await task.result;
    expect(inline).toEqual([0, 1, 2, 3]);
    expect(later).toEqual([
      { progress: 4, total: 5 },
      { progress: 5, total: 5 },
    ]);
  });

  it('coalesces inline progress and delivers the last update when the work settles', async () => {
    const inline: number[] = [];
    const outcome = runWithBudget(
      async () => {
        for (let progress = 1; progress <= 100; progress++) {
          await sleep(1);
          reportProgress({ progress });
        }
        return 'done';
      },
      {
        budgetMs: 1000,
        onProgress: (update) => inline.push(update.progress),
        progressIntervalMs: 30,
      },
    );
    await vi.advanceTimersByTimeAsync(100);
    await expect(outcome).resolves.toEqual({ status: 'completed', value: 'done' });
    expect(inline[0]).toBe(1);
    expect(inline.at(-1)).toBe(100);
    expect(inline.length).toBeLessThanOrEqual(5);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops the coalescing timer of the inline listener at promotion', async () => {
    const inline: number[] = [];
    const outcome = runWithBudget(
      async () => {
        await Promise.resolve();
        reportProgress({ progress: 1 });
        reportProgress({ progress: 2 });
        return new Promise<never>(() => {});
      },
      {
        budgetMs: 10,
        onProgress: (update) => inline.push(update.progress),
        progressIntervalMs: 1000,
      },
    );
    await vi.advanceTimersByTimeAsync(10);
    const task = promotedTask(await outcome);
    expect(inline).toEqual([1]);
    expect(task.progress).toEqual({ progress: 2 });
    expect(vi.getTimerCount()).toBe(0);
    task.cancel();
  });

  it('is not called after the work settles', async () => {
    const inline: number[] = [];
    let report: ((update: ProgressUpdate) => void) | undefined;
    const outcome = runWithBudget(
      async (context) => {
        report = context.reportProgress;
        await sleep(1);
        report({ progress: 1 });
      },
      { budgetMs: 100, onProgress: (update) => inline.push(update.progress) },
    );
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toMatchObject({ status: 'completed' });
    report?.({ progress: 2 });
    expect(inline).toEqual([1]);
  });
});

describe('runWithBudget argument checks', () => {
  it.each([[-1], [Number.NaN], ['5'], [undefined], [null]])(
    'rejects budgetMs %s with an InvalidArgumentError naming budgetMs',
    async (budgetMs) => {
      const work = vi.fn(() => Promise.resolve());
      const error = await failure(runWithBudget(work, { budgetMs: budgetMs as number }));
      expect(isSaError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(/^budgetMs must be a number >= 0/);
      expect(work).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['work', () => runWithBudget('x' as never, { budgetMs: 1 })],
    ['options object', () => runWithBudget(() => Promise.resolve(), undefined as never)],
    [
      'onRequestAbort',
      () => runWithBudget(() => Promise.resolve(), { budgetMs: 1, onRequestAbort: 'x' as never }),
    ],
    ['signal', () => runWithBudget(() => Promise.resolve(), { budgetMs: 1, signal: {} as never })],
    ['timers', () => runWithBudget(() => Promise.resolve(), { budgetMs: 1, timers: {} as never })],
    [
      'onProgress',
      () => runWithBudget(() => Promise.resolve(), { budgetMs: 1, onProgress: 1 as never }),
    ],
    [
      'progressIntervalMs',
      () => runWithBudget(() => Promise.resolve(), { budgetMs: 1, progressIntervalMs: -5 }),
    ],
  ])('rejects a bad %s with an error naming it', async (name, call) => {
    const error = await failure(call());
    expect(isSaError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain(name);
  });
});
