import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, isSaError } from './errors';
import { reportProgress } from './report-progress';
import { startInBackground } from './start-in-background';
import type { ProgressUpdate, TaskOutcome, TaskStatus } from './types';
import { untilAborted } from '../test/work-helpers';

/** A promise with its resolve and reject functions, for works the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('startInBackground', () => {
  it('runs at once and completes with the work value', async () => {
    let clock = 1000;
    const task = startInBackground(
      async () => {
        clock = 1500;
        await Promise.resolve();
        return 42;
      },
      { now: () => clock },
    );
    expect(task.status).toBe('running');
    expect(task.id).toMatch(/^task-\d+$/);
    expect(task.createdAt).toBe(1000);
    expect(task.startedAt).toBe(1000);
    expect(task.settledAt).toBeUndefined();
    await expect(task.result).resolves.toBe(42);
    expect(task.status).toBe('completed');
    expect(task.settledAt).toBe(1500);
  });

  it('gives every task its own id', () => {
    const ids = new Set(
      Array.from({ length: 20 }, () => startInBackground(() => Promise.resolve()).id),
    );
    expect(ids.size).toBe(20);
  });

  it('turns a synchronous throw inside the work into a failure', async () => {
    const boom = new Error('sync boom');
    const task = startInBackground(() => {
      throw boom;
    });
    expect(task.status).toBe('failed');
    await expect(task.result).rejects.toBe(boom);
  });

  it('fails with the work own error, even when it is not an Error', async () => {
    const task = startInBackground(() => Promise.reject(new Error('nope')));
    await expect(task.result).rejects.toThrow('nope');
    const odd = startInBackground(async () => {
      await Promise.resolve();
      throw 'a string'; // eslint-disable-line @typescript-eslint/only-throw-error
    });
    await expect(odd.result).rejects.toBe('a string');
    expect(odd.status).toBe('failed');
  });

  it('accepts a work that returns a plain value', async () => {
    const task = startInBackground(() => 'plain');
    await expect(task.result).resolves.toBe('plain');
  });

  it.each([undefined, null, 0, ''])(
    'completes at once when a plain work returns %j (begin never throws)',
    async (value) => {
      const task = startInBackground(() => value);
      expect(task.status).toBe('completed');
      await expect(task.result).resolves.toBe(value);
    },
  );

  it('adopts a thenable that is not a Promise', async () => {
    const thenable = { then: (resolve: (value: number) => void) => resolve(7) };
    const task = startInBackground(() => thenable as unknown as PromiseLike<number>);
    await expect(task.result).resolves.toBe(7);
  });

  it('never causes an unhandled rejection when nobody listens', async () => {
    startInBackground(() => Promise.reject(new Error('nobody listens')));
    const read = startInBackground(() => Promise.reject(new Error('read late')));
    await new Promise((resolve) => setImmediate(resolve));
    void read.result;
    await new Promise((resolve) => setImmediate(resolve));
    // The setup file fails this file if any rejection went unhandled.
  });

  it('rejects bad arguments with errors naming them', () => {
    expect(() => startInBackground('nope' as never)).toThrow(/work must be a function/);
    expect(() => startInBackground(() => Promise.resolve(), { now: 5 as never })).toThrow(/now/);
    expect(() => startInBackground(() => Promise.resolve(), { timers: {} as never })).toThrow(
      /timers/,
    );
  });
});

describe('BackgroundTask.cancel', () => {
  it('aborts the work signal with a CANCELLED error and settles at once', async () => {
    const task = startInBackground(untilAborted);
    const signal = task.signal;
    task.cancel('no longer needed');
    expect(task.status).toBe('cancelled');
    expect(signal.aborted).toBe(true);
    expect(isSaError(signal.reason, 'CANCELLED')).toBe(true);
    expect((signal.reason as Error).message).toBe('no longer needed');
    const error: unknown = await task.result.catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error).toBe(signal.reason);
  });

  it('settles a work that never settles and ignores its signal', async () => {
    const task = startInBackground(() => new Promise<never>(() => {}));
    const outcomes: TaskOutcome<never>[] = [];
    task.onSettled((outcome) => outcomes.push(outcome));
    task.cancel();
    await expect(task.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.status).toBe('cancelled');
    expect(outcomes[0] && 'error' in outcomes[0] ? outcomes[0].error : undefined).toBeInstanceOf(
      CancelledError,
    );
    expect(task.signal.aborted).toBe(true);
  });

  it('creates an aborted signal for a work that reads it only after the cancel', async () => {
    const seen = deferred<boolean>();
    const task = startInBackground(async (context) => {
      await new Promise((resolve) => setImmediate(resolve));
      seen.resolve(context.signal.aborted);
    });
    task.cancel();
    await expect(seen.promise).resolves.toBe(true);
  });

  it('is a no-op once settled, and the late work outcome is ignored', async () => {
    const gate = deferred<string>();
    const task = startInBackground(() => gate.promise);
    task.cancel();
    gate.resolve('too late');
    await expect(task.result).rejects.toMatchObject({ code: 'CANCELLED' });
    const done = startInBackground(() => Promise.resolve('done'));
    await done.result;
    done.cancel();
    expect(done.status).toBe('completed');
    expect(done.signal.aborted).toBe(false);
  });

  it('rejects a reason that is not a string', () => {
    const task = startInBackground(untilAborted);
    expect(() => task.cancel(3 as never)).toThrow(/reason must be a string/);
    task.cancel();
  });

  it('counts a CANCELLED error thrown by the work itself as cancelled', async () => {
    const task = startInBackground(() => Promise.reject(new CancelledError('gave up')));
    await expect(task.result).rejects.toThrow('gave up');
    expect(task.status).toBe('cancelled');
  });
});

describe('BackgroundTask listeners', () => {
  it('reports status changes and settles listeners once, at once when already settled', async () => {
    const gate = deferred<number>();
    const task = startInBackground(() => gate.promise);
    const statuses: TaskStatus[] = [];
    const unsubscribe = task.onStatus((status) => statuses.push(status));
    const outcomes: TaskOutcome<number>[] = [];
    task.onSettled((outcome) => outcomes.push(outcome));
    gate.resolve(5);
    await task.result;
    expect(statuses).toEqual(['completed']);
    expect(outcomes).toEqual([{ status: 'completed', value: 5 }]);
    unsubscribe();
    const late: TaskOutcome<number>[] = [];
    task.onSettled((outcome) => late.push(outcome));
    expect(late).toEqual([{ status: 'completed', value: 5 }]);
  });

  it('stops calling a listener once unsubscribed', async () => {
    const gate = deferred<void>();
    const task = startInBackground(async () => {
      reportProgress({ progress: 1 });
      await gate.promise;
      reportProgress({ progress: 2 });
    });
    const updates: ProgressUpdate[] = [];
    const settled: unknown[] = [];
    const unsubscribe = task.onProgress((update) => updates.push(update));
    const unsubscribeSettled = task.onSettled((outcome) => settled.push(outcome));
    unsubscribe();
    unsubscribe();
    unsubscribeSettled();
    gate.resolve();
    await task.result;
    expect(updates).toEqual([]);
    expect(settled).toEqual([]);
    expect(task.progress).toEqual({ progress: 2 });
  });

  it('keeps the work and the other listeners going when a listener throws', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const gate = deferred<void>();
    const task = startInBackground(async () => {
      await gate.promise;
      for (let progress = 1; progress <= 3; progress++) reportProgress({ progress });
      return 'survived';
    });
    const thrower = () => {
      throw new Error('listener bug');
    };
    const updates: number[] = [];
    const outcomes: string[] = [];
    task.onProgress(thrower);
    task.onProgress((update) => updates.push(update.progress));
    task.onProgress(thrower, { intervalMs: 10 });
    task.onStatus(thrower);
    task.onSettled(thrower);
    task.onSettled((outcome) => outcomes.push(outcome.status));
    gate.resolve();
    await expect(task.result).resolves.toBe('survived');
    expect(updates).toEqual([1, 2, 3]);
    expect(outcomes).toEqual(['completed']);
    expect(warnings).toHaveBeenCalledWith(expect.stringContaining('listener bug'), {
      code: 'SA_LISTENER_ERROR',
    });
  });

  it('coalesces progress for listeners that ask for it: latest wins, last one delivered', async () => {
    vi.useFakeTimers();
    const loop = deferred<void>();
    const finish = deferred<void>();
    const task = startInBackground(async () => {
      await loop.promise;
      for (let progress = 1; progress <= 1000; progress++) reportProgress({ progress });
      await finish.promise;
      reportProgress({ progress: 1001 });
      reportProgress({ progress: 1002 });
    });
    const coalesced: number[] = [];
    const every: number[] = [];
    task.onProgress((update) => every.push(update.progress));
    task.onProgress((update) => coalesced.push(update.progress), { intervalMs: 100 });
    loop.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(every).toHaveLength(1000);
    expect(coalesced).toEqual([1]);
    await vi.advanceTimersByTimeAsync(99);
    expect(coalesced).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(coalesced).toEqual([1, 1000]);
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(0);
    finish.resolve();
    await task.result;
    expect(coalesced).toEqual([1, 1000, 1001, 1002]);
    expect(every).toHaveLength(1002);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('delivers the last coalesced update at settlement and leaves no timer', async () => {
    vi.useFakeTimers();
    const gate = deferred<void>();
    const task = startInBackground(async () => {
      await gate.promise;
      for (let progress = 1; progress <= 50; progress++) reportProgress({ progress });
    });
    const coalesced: number[] = [];
    task.onProgress((update) => coalesced.push(update.progress), { intervalMs: 1000 });
    gate.resolve();
    await task.result;
    expect(coalesced).toEqual([1, 50]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ignores progress after settlement and subscriptions to a settled task', async () => {
    let report: ((update: ProgressUpdate) => void) | undefined;
    const task = startInBackground(async (context) => {
      report = context.reportProgress;
      await Promise.resolve();
    });
    await task.result;
    report?.({ progress: 9 });
    expect(task.progress).toBeUndefined();
    const unsubscribe = task.onProgress(() => {});
    expect(typeof unsubscribe).toBe('function');
    unsubscribe();
  });

  it('rejects bad listener arguments with errors naming them', () => {
    const task = startInBackground(untilAborted);
    expect(() => task.onProgress('x' as never)).toThrow(/listener must be a function/);
    expect(() => task.onProgress(() => {}, { intervalMs: -1 })).toThrow(/intervalMs/);
    expect(() => task.onStatus(undefined as never)).toThrow(/listener/);
    expect(() => task.onSettled(null as never)).toThrow(/listener/);
    task.cancel();
  });
});
