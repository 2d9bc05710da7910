import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isSaError } from './errors';
import { createRunner } from './runner';
import type { BackgroundTask, TaskStatus } from './types';
import { after, failure, promotedTask, sleep, untilAborted } from '../test/work-helpers';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createRunner queueing', () => {
  it('runs at most `concurrency` works and queues the rest as pending, first come first served', async () => {
    const runner = createRunner({ concurrency: 2 });
    const order: string[] = [];
    const make = (name: string, ms: number) =>
      runner.startInBackground(async () => {
        order.push(name);
        await sleep(ms);
        return name;
      });
    const first = make('first', 100);
    const second = make('second', 50);
    const third = make('third', 10);
    const fourth = make('fourth', 10);
    expect([first.status, second.status, third.status, fourth.status]).toEqual([
      'running',
      'running',
      'pending',
      'pending',
    ]);
    expect(third.startedAt).toBeUndefined();
    expect(runner.running).toBe(2);
    expect(runner.pending).toBe(2);
    await vi.advanceTimersByTimeAsync(50);
    expect(third.status).toBe('running');
    expect(third.startedAt).toBe(Date.now());
    expect(third.createdAt).toBeLessThan(third.startedAt!);
    expect(runner.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    await Promise.all([first.result, second.result, third.result, fourth.result]);
    expect(order).toEqual(['first', 'second', 'third', 'fourth']);
    expect(runner.running).toBe(0);
    expect(runner.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports pending, running, then the final status to status listeners', async () => {
    const runner = createRunner({ concurrency: 1 });
    runner.startInBackground(after(10, 'a'));
    const queued = runner.startInBackground(after(10, 'b'));
    const statuses: TaskStatus[] = [queued.status];
    queued.onStatus((status) => statuses.push(status));
    await vi.advanceTimersByTimeAsync(20);
    await queued.result;
    expect(statuses).toEqual(['pending', 'running', 'completed']);
  });

  it('counts the wait in the budget and promotes a task that is still pending', async () => {
    const runner = createRunner({ concurrency: 1 });
    runner.startInBackground(after(300, 'blocker'));
    const work = vi.fn(after(50, 'queued'));
    const outcome = runner.runWithBudget(work, { budgetMs: 100 });
    await vi.advanceTimersByTimeAsync(100);
    const task = promotedTask(await outcome);
    expect(task.status).toBe('pending');
    expect(work).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(task.status).toBe('running');
    await vi.advanceTimersByTimeAsync(50);
    await expect(task.result).resolves.toBe('queued');
  });

  it('completes inline when a slot frees within the budget', async () => {
    const runner = createRunner({ concurrency: 1 });
    runner.startInBackground(after(30, 'blocker'));
    const outcome = runner.runWithBudget(after(30, 'queued'), { budgetMs: 100 });
    await vi.advanceTimersByTimeAsync(60);
    await expect(outcome).resolves.toEqual({ status: 'completed', value: 'queued' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops a pending work whose request aborts, without ever running it', async () => {
    const runner = createRunner({ concurrency: 1 });
    const blocker = runner.startInBackground(untilAborted);
    const request = new AbortController();
    const work = vi.fn(after(10, 'never'));
    const outcome = runner.runWithBudget(work, { budgetMs: 100, signal: request.signal });
    expect(runner.pending).toBe(1);
    request.abort();
    expect(isSaError(await failure(outcome), 'CANCELLED')).toBe(true);
    expect(runner.pending).toBe(0);
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
    blocker.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(work).not.toHaveBeenCalled();
    expect(runner.running).toBe(0);
  });

  it('never runs a pending task that was cancelled, and frees the slot of a cancelled one', async () => {
    const runner = createRunner({ concurrency: 1 });
    const stubborn = runner.startInBackground(() => new Promise<never>(() => {}));
    const skippedWork = vi.fn(after(1, 'skipped'));
    const skipped = runner.startInBackground(skippedWork);
    const next = runner.startInBackground(after(1, 'next'));
    skipped.cancel();
    expect(skipped.status).toBe('cancelled');
    expect(runner.pending).toBe(1);
    stubborn.cancel();
    expect(next.status).toBe('running');
    await vi.advanceTimersByTimeAsync(1);
    await expect(next.result).resolves.toBe('next');
    expect(skippedWork).not.toHaveBeenCalled();
  });

  it('frees the slot of a work that throws synchronously', async () => {
    const runner = createRunner({ concurrency: 1 });
    const thrower = runner.startInBackground(() => {
      throw new Error('sync');
    });
    expect(thrower.status).toBe('failed');
    const next = runner.startInBackground(after(1, 'next'));
    expect(next.status).toBe('running');
    await vi.advanceTimersByTimeAsync(1);
    await expect(next.result).resolves.toBe('next');
    await expect(thrower.result).rejects.toThrow('sync');
  });

  it('holds the slot of a synchronous work while it runs, then frees it at once', () => {
    const runner = createRunner({ concurrency: 1 });
    let innerStatusDuringOuter: TaskStatus | undefined;
    let inner: BackgroundTask<string> | undefined;
    const outer = runner.startInBackground(() => {
      inner = runner.startInBackground(() => 'inner');
      innerStatusDuringOuter = inner.status;
      return 'outer';
    });
    expect(innerStatusDuringOuter).toBe('pending');
    expect(outer.status).toBe('completed');
    expect(inner?.status).toBe('completed');
    expect(runner.running).toBe(0);
    expect(runner.pending).toBe(0);
  });

  it('counts a work as running while its synchronous part runs', () => {
    const runner = createRunner({ concurrency: 2 });
    let runningDuringWork: number | undefined;
    runner.startInBackground(() => {
      runningDuringWork = runner.running;
      return 'done';
    });
    expect(runningDuringWork).toBe(1);
    expect(runner.running).toBe(0);
  });

  it('gives a close() from inside a work that goes on asynchronously its grace period', async () => {
    const runner = createRunner({ concurrency: 1 });
    let closing: ReturnType<typeof runner.close> | undefined;
    const task = runner.startInBackground(async () => {
      closing = runner.close({ graceMs: 60_000 });
      await sleep(10);
      return 'finished';
    });
    await vi.advanceTimersByTimeAsync(10);
    await expect(task.result).resolves.toBe('finished');
    await expect(closing).resolves.toEqual({ cancelled: [] });
  });

  it('lets a close() from inside a work that settles synchronously finish without its grace timer', async () => {
    const runner = createRunner({ concurrency: 1 });
    let closing: ReturnType<typeof runner.close> | undefined;
    runner.startInBackground(() => {
      closing = runner.close({ graceMs: 60_000 });
      return 'done';
    });
    await expect(closing).resolves.toEqual({ cancelled: [] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs everything at once with an infinite concurrency', () => {
    const runner = createRunner({ concurrency: Infinity });
    const tasks = Array.from({ length: 50 }, () => runner.startInBackground(untilAborted));
    expect(runner.running).toBe(50);
    for (const task of tasks) task.cancel();
    expect(runner.running).toBe(0);
  });

  it.each([[0], [-1], [1.5], [Number.NaN], ['2'], [undefined]])(
    'rejects concurrency %s with an error naming concurrency',
    (concurrency) => {
      expect(() => createRunner({ concurrency: concurrency as number })).toThrow(
        /^concurrency must be an integer >= 1/,
      );
    },
  );

  it('rejects a missing options object and bad timers', () => {
    expect(() => createRunner(undefined as never)).toThrow(/options object with concurrency/);
    expect(() => createRunner({ concurrency: 1, timers: {} as never })).toThrow(/timers/);
  });
});

describe('Runner.close', () => {
  it('stops accepting work at once', async () => {
    const runner = createRunner({ concurrency: 1 });
    const closing = runner.close();
    const error = await failure(runner.runWithBudget(after(1, 'x'), { budgetMs: 10 }));
    expect(isSaError(error, 'CLOSED')).toBe(true);
    expect(() => runner.startInBackground(after(1, 'x'))).toThrow(
      expect.objectContaining({ code: 'CLOSED' }),
    );
    await expect(closing).resolves.toEqual({ cancelled: [] });
    expect(runner.close()).toBe(closing);
  });

  it('waits up to graceMs, then cancels what is left (pending and running) and returns it', async () => {
    const runner = createRunner({ concurrency: 2 });
    const quick = runner.startInBackground(after(50, 'quick'));
    const slow = runner.startInBackground(untilAborted);
    const queuedWork = vi.fn(after(10, 'queued'));
    const queued = runner.startInBackground(queuedWork);
    const lastWork = vi.fn(after(10, 'last'));
    const last = runner.startInBackground(lastWork);
    const closing = runner.close({ graceMs: 100 });
    await vi.advanceTimersByTimeAsync(50);
    expect(quick.status).toBe('completed');
    expect(queued.status).toBe('running');
    await vi.advanceTimersByTimeAsync(10);
    expect(queued.status).toBe('completed');
    expect(last.status).toBe('running');
    expect(() => runner.startInBackground(after(1, 'late'))).toThrow(/closed/);
    await vi.advanceTimersByTimeAsync(40);
    const { cancelled } = await closing;
    expect(cancelled).toEqual([slow]);
    expect(slow.status).toBe('cancelled');
    expect(last.status).toBe('completed');
    expect(lastWork).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels pending tasks without starting them when the grace period ends', async () => {
    const runner = createRunner({ concurrency: 1 });
    const running = runner.startInBackground(untilAborted);
    const pendingWork = vi.fn(after(1, 'pending'));
    const pending = runner.startInBackground(pendingWork);
    const closing = runner.close({ graceMs: 20 });
    await vi.advanceTimersByTimeAsync(20);
    const { cancelled } = await closing;
    expect(new Set(cancelled)).toEqual(new Set([running, pending]));
    expect(pending.status).toBe('cancelled');
    expect(pendingWork).not.toHaveBeenCalled();
    expect(isSaError(running.signal.reason, 'CANCELLED')).toBe(true);
    expect(runner.running).toBe(0);
    expect(runner.pending).toBe(0);
  });

  it('resolves as soon as everything settled within the grace period', async () => {
    const runner = createRunner({ concurrency: 1 });
    runner.startInBackground(after(10, 'a'));
    const closing = runner.close({ graceMs: 60_000 });
    await vi.advanceTimersByTimeAsync(10);
    await expect(closing).resolves.toEqual({ cancelled: [] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels everything at once without a grace period', async () => {
    const runner = createRunner({ concurrency: 1 });
    const task = runner.startInBackground(untilAborted);
    await expect(runner.close()).resolves.toEqual({ cancelled: [task] });
    expect(task.status).toBe('cancelled');
  });

  it('rejects a bad graceMs with an error naming it', async () => {
    const runner = createRunner({ concurrency: 1 });
    const error = await failure(runner.close({ graceMs: -1 }));
    expect((error as Error).message).toMatch(/^graceMs/);
    await expect(runner.close()).resolves.toEqual({ cancelled: [] });
  });
});
