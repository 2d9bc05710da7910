import { startInBackground } from '@sa/core';
import type { WorkContext } from '@sa/core';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobManager } from './job-manager';
import type { JobManager, JobManagerOptions } from './job-manager-types';
import type { JobStore } from './job-store';
import { createMemoryJobStore } from './memory-store';

const managers: JobManager[] = [];
let store: JobStore;

function manager(options: Partial<JobManagerOptions> = {}): JobManager {
  const created = createJobManager({
    store,
    leaseMs: 3000,
    heartbeatMs: 1000,
    logger: { warn: () => undefined },
    ...options,
  });
  managers.push(created);
  return created;
}

/** A work that runs until its signal aborts or the test resolves it. */
function controllable<T>() {
  let resolve!: (value: T) => void;
  let context: WorkContext | undefined;
  const work = (workContext: WorkContext): Promise<T> => {
    context = workContext;
    return new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      workContext.signal.addEventListener(
        'abort',
        () => onReject(workContext.signal.reason as Error),
        {
          once: true,
        },
      );
    });
  };
  return { work, resolve: (value: T) => resolve(value), context: () => context! };
}

/** The memory store, with push hints switched off: only polling and heartbeats carry news. */
function withoutHints(inner: JobStore): JobStore {
  return { ...inner, subscribe: () => () => undefined };
}

beforeEach(() => {
  vi.useFakeTimers();
  store = createMemoryJobStore();
});

afterEach(async () => {
  for (const created of managers.splice(0)) await created.close();
  await store.close();
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

describe('cancel', () => {
  it('aborts the work of an owned running job and returns it cancelled', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    const cancelled = await jobs.cancel(job.id, { reason: 'user asked' });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'user asked' });
    expect(cancelled.error).toEqual({ code: 'CANCELLED', message: 'user asked' });
    expect(work.context().signal.aborted).toBe(true);
  });

  it('cancels a pending job at once and never runs its work', async () => {
    const jobs = manager({ concurrency: 1 });
    const blocker = controllable<number>();
    await jobs.start(blocker.work, { tool: 't' });
    const never = vi.fn(() => Promise.resolve(1));
    const queued = await jobs.start(never, { tool: 't' });
    expect((await jobs.cancel(queued.id)).status).toBe('cancelled');
    blocker.resolve(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(never).not.toHaveBeenCalled();
    expect((await jobs.get(queued.id))?.status).toBe('cancelled');
  });

  it('reaches the owner in another manager by push hint', async () => {
    const owner = manager({ instanceId: 'owner' });
    const other = manager({ instanceId: 'other' });
    const work = controllable<number>();
    const job = await owner.adopt(startInBackground(work.work), { tool: 't' });
    const flagged = await other.cancel(job.id, { reason: 'from elsewhere' });
    expect(flagged.status).toBe('running');
    expect(flagged.cancelRequestedAt).toBeTypeOf('number');
    const done = await other.wait(job.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'cancelled', cancelReason: 'from elsewhere' });
    expect(work.context().signal.aborted).toBe(true);
  });

  it('reaches the owner by the heartbeat reply when no push hint arrives', async () => {
    const owner = createJobManager({
      store: withoutHints(store),
      leaseMs: 3000,
      heartbeatMs: 1000,
      instanceId: 'owner',
    });
    managers.push(owner);
    const other = manager({ instanceId: 'other' });
    const work = controllable<number>();
    const job = await owner.adopt(startInBackground(work.work), { tool: 't' });
    await other.cancel(job.id);
    expect(work.context().signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(work.context().signal.aborted).toBe(true);
    expect((await store.get(job.id))?.status).toBe('cancelled');
  });

  it('throws NOT_FOUND for unknown and other-scope jobs, CONFLICT for finished ones', async () => {
    const jobs = manager();
    const job = await jobs.adopt(
      startInBackground(() => Promise.resolve(1)),
      { tool: 't', scope: 'alice' },
    );
    await expect(jobs.cancel('no-such-job-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await jobs.wait(job.id, { timeoutMs: 100 });
    await expect(jobs.cancel(job.id, { scope: 'bob' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(jobs.cancel(job.id, { scope: 'alice' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await jobs.get(job.id))?.status).toBe('completed');
  });
});

describe('wait', () => {
  it('takes 50 concurrent waits on one signal without a MaxListenersExceededWarning', async () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const jobs = manager({ concurrency: 50 });
      const works = Array.from({ length: 50 }, () => controllable<number>());
      const started = await Promise.all(
        works.map((work) => jobs.adopt(startInBackground(work.work), { tool: 't' })),
      );
      const caller = new AbortController();
      const waits = started.map((job) =>
        jobs.wait(job.id, { timeoutMs: 60_000, signal: caller.signal }),
      );
      await vi.advanceTimersByTimeAsync(0);
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
      works.forEach((work, index) => work.resolve(index));
      const done = await Promise.all(waits);
      expect(done.map((record) => record.result)).toEqual(works.map((_, index) => index));
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
      expect(
        warn.mock.calls.filter((call) => String(call[0]).includes('MaxListenersExceeded')),
      ).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('resolves at once for a job that finished before the call', async () => {
    const jobs = manager();
    const job = await jobs.adopt(
      startInBackground(() => Promise.resolve(7)),
      { tool: 't' },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect((await jobs.get(job.id))?.status).toBe('completed');
    expect((await jobs.wait(job.id, { timeoutMs: 60_000 })).result).toBe(7);
  });

  it('wakes on completion without any timer firing', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    const waiting = jobs.wait(job.id, { timeoutMs: 60_000 });
    await Promise.resolve();
    work.resolve(5);
    const timers = vi.getTimerCount();
    const done = await waiting;
    expect(done.status).toBe('completed');
    expect(vi.getTimerCount()).toBeLessThanOrEqual(timers);
  });

  it('finds a completion by polling when the store sends no hints', async () => {
    const hintless = withoutHints(store);
    const owner = manager({ instanceId: 'owner' });
    const waiter = createJobManager({
      store: hintless,
      leaseMs: 3000,
      heartbeatMs: 1000,
      waitPollMs: 200,
    });
    managers.push(waiter);
    const work = controllable<number>();
    const job = await owner.adopt(startInBackground(work.work), { tool: 't' });
    let result: string | undefined;
    const waiting = waiter
      .wait(job.id, { timeoutMs: 60_000 })
      .then((record) => (result = record.status));
    work.resolve(1);
    await vi.advanceTimersByTimeAsync(199);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(result).toBe('completed');
  });

  it('resolves with the current record at the timeout', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    const waiting = jobs.wait(job.id, { timeoutMs: 5000 });
    await vi.advanceTimersByTimeAsync(5000);
    expect((await waiting).status).toBe('running');
  });

  it("with until 'change' wakes on progress and on output", async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    const onProgress = jobs.wait(job.id, { timeoutMs: 60_000, until: 'change' });
    await vi.advanceTimersByTimeAsync(0);
    work.context().reportProgress({ progress: 1, total: 2 });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await onProgress).progress).toEqual({ progress: 1, total: 2 });
    const onOutput = jobs.wait(job.id, { timeoutMs: 60_000, until: 'change' });
    await vi.advanceTimersByTimeAsync(0);
    jobs.appendOutput(job.id, 'stdout', 'hi');
    await vi.advanceTimersByTimeAsync(0);
    expect((await onOutput).status).toBe('running');
  });

  it('rejects with CANCELLED (the reason as cause) for an aborted signal, and NOT_FOUND for unknown or other-scope jobs', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't', scope: 'alice' });
    const controller = new AbortController();
    const waiting = jobs.wait(job.id, { timeoutMs: 60_000, signal: controller.signal });
    await vi.advanceTimersByTimeAsync(0);
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(waiting).rejects.toThrow('client went away');
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED', cause: reason });
    await expect(
      jobs.wait(job.id, { timeoutMs: 10, signal: AbortSignal.abort(reason) }),
    ).rejects.toMatchObject({ code: 'CANCELLED', cause: reason });
    await expect(jobs.wait('no-such-job-000000000000', { timeoutMs: 10 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(jobs.wait(job.id, { timeoutMs: 10, scope: 'bob' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(jobs.wait(job.id, { timeoutMs: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('timeoutMs') as unknown,
    });
  });

  it('rejects pending and later waits with CLOSED once the manager closed', async () => {
    const jobs = manager();
    const other = manager({ instanceId: 'other' });
    const work = controllable<number>();
    const job = await other.adopt(startInBackground(work.work), { tool: 't' });
    const waiting = jobs.wait(job.id, { timeoutMs: 60_000 });
    const rejection = expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    await jobs.close();
    await rejection;
    await expect(jobs.wait(job.id, { timeoutMs: 10 })).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects at once when the store is closed under it, instead of polling until the timeout', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    const waiting = jobs.wait(job.id, { timeoutMs: 60_000 });
    const rejection = expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    await vi.advanceTimersByTimeAsync(0);
    await store.close();
    await vi.advanceTimersByTimeAsync(250);
    await rejection;
  });
});
