import { startInBackground } from '@sa/core';
import type { WorkContext } from '@sa/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobManager } from './job-manager';
import type { JobManager, JobManagerOptions } from './job-manager-types';
import type { JobStore } from './job-store';
import { createMemoryJobStore } from './memory-store';

const managers: JobManager[] = [];
let store: JobStore;
let warnings: string[];

function manager(options: Partial<JobManagerOptions> = {}): JobManager {
  const created = createJobManager({
    store,
    leaseMs: 3000,
    heartbeatMs: 1000,
    logger: { warn: (message) => warnings.push(message) },
    ...options,
  });
  managers.push(created);
  return created;
}

/** A work that runs until the test resolves (or rejects) it. */
function controllable<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  let context: WorkContext | undefined;
  const work = (workContext: WorkContext): Promise<T> => {
    context = workContext;
    return new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
  };
  return {
    work,
    resolve: (value: T) => resolve(value),
    reject: (error: unknown) => reject(error),
    context: () => context!,
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  warnings = [];
  store = createMemoryJobStore();
});

afterEach(async () => {
  for (const created of managers.splice(0)) await created.close();
  await store.close();
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

describe('start', () => {
  it('stores a pending job, runs it, and completes it with its JSON result', async () => {
    const jobs = manager();
    const work = controllable<{ rows: number }>();
    const job = await jobs.start(work.work, {
      tool: 'export',
      label: 'nightly',
      input: { table: 't' },
    });
    expect(job).toMatchObject({
      status: 'pending',
      tool: 'export',
      label: 'nightly',
      input: { table: 't' },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect((await jobs.get(job.id))?.status).toBe('running');
    work.resolve({ rows: 3 });
    const done = await jobs.wait(job.id, { timeoutMs: 1000 });
    expect(done).toMatchObject({ status: 'completed', result: { rows: 3 } });
    expect(done.expiresAt).toBe(done.finishedAt! + 24 * 60 * 60 * 1000);
  });

  it('keeps work beyond the concurrency pending until a slot frees', async () => {
    const jobs = manager({ concurrency: 1 });
    const first = controllable<number>();
    const second = controllable<number>();
    const a = await jobs.start(first.work, { tool: 't' });
    const b = await jobs.start(second.work, { tool: 't' });
    await vi.advanceTimersByTimeAsync(0);
    expect((await jobs.get(a.id))?.status).toBe('running');
    expect((await jobs.get(b.id))?.status).toBe('pending');
    first.resolve(1);
    await jobs.wait(a.id, { timeoutMs: 100 });
    await vi.advanceTimersByTimeAsync(0);
    const running = await jobs.get(b.id);
    expect(running?.status).toBe('running');
    expect(running?.startedAt).toBeTypeOf('number');
    second.resolve(2);
    expect((await jobs.wait(b.id, { timeoutMs: 100 })).result).toBe(2);
  });

  it('returns the existing job for a repeated idempotency key without running the work twice', async () => {
    const jobs = manager();
    const work = vi.fn(() => Promise.resolve(1));
    const first = await jobs.start(work, { tool: 't', idempotencyKey: 'k' });
    const second = await jobs.start(work, { tool: 't', idempotencyKey: 'k' });
    expect(second.id).toBe(first.id);
    await jobs.wait(first.id, { timeoutMs: 100 });
    expect(work).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['tool', { tool: '' }],
    ['input', { tool: 't', input: { n: 1n } }],
    ['scope', { tool: 't', scope: 3 }],
  ])('rejects an invalid %s and stores nothing', async (field, meta) => {
    const jobs = manager();
    await expect(jobs.start(() => Promise.resolve(1), meta as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(field) as unknown,
    });
    expect((await store.list()).total).toBe(0);
  });
});

describe('adopt', () => {
  it('stores a running job before it resolves, with the true start time', async () => {
    const jobs = manager();
    const work = controllable<string>();
    const task = startInBackground(work.work);
    const startedAt = task.createdAt;
    await vi.advanceTimersByTimeAsync(20_000);
    const job = await jobs.adopt(task, { tool: 'slow', scope: 'session-1' });
    const stored = await store.get(job.id);
    expect(stored).toMatchObject({ status: 'running', createdAt: startedAt, scope: 'session-1' });
    expect(stored?.owner).toMatchObject({ instanceId: jobs.instanceId, pid: process.pid });
    work.resolve('done');
    expect(await jobs.wait(job.id, { timeoutMs: 100 })).toMatchObject({
      status: 'completed',
      result: 'done',
    });
  });

  it('writes progress reported as the work starts within the flush interval, not at the next heartbeat', async () => {
    const jobs = manager({ heartbeatMs: 10_000, leaseMs: 30_000 });
    const work = controllable<number>();
    const job = await jobs.start(
      (context) => {
        context.reportProgress({ progress: 3, total: 10, message: 'at once' });
        return work.work(context);
      },
      { tool: 'eager' },
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect((await store.get(job.id))?.progress).toEqual({
      progress: 3,
      total: 10,
      message: 'at once',
    });
    work.resolve(1);
    await jobs.wait(job.id, { timeoutMs: 100 });
  });

  it('writes coalesced progress with the heartbeat and keeps the lease alive', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const task = startInBackground(work.work);
    const job = await jobs.adopt(task, { tool: 'slow' });
    for (let step = 1; step <= 50; step++)
      work.context().reportProgress({ progress: step, total: 50 });
    await vi.advanceTimersByTimeAsync(1000);
    const stored = await store.get(job.id);
    expect(stored?.progress).toEqual({ progress: 50, total: 50 });
    expect(stored!.version).toBeLessThanOrEqual(3);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await store.reapExpired()).toEqual([]);
    expect((await store.get(job.id))?.status).toBe('running');
    work.resolve(1);
    await jobs.wait(job.id, { timeoutMs: 100 });
  });

  it('keeps 200 running jobs alive on one timer, however many report progress', async () => {
    const jobs = manager();
    const works = Array.from({ length: 200 }, () => controllable<number>());
    const timersBefore = vi.getTimerCount();
    const records = [];
    for (const work of works)
      records.push(await jobs.adopt(startInBackground(work.work), { tool: 'many' }));
    for (const work of works) work.context().reportProgress({ progress: 1 });
    // One timer for every heartbeat and progress write (two per job before), whatever the count.
    expect(vi.getTimerCount() - timersBefore).toBeLessThanOrEqual(2);
    // Written within the flush interval, 64 at a time with a turn of the event loop between.
    await vi.advanceTimersByTimeAsync(1100);
    for (const record of records)
      expect((await store.get(record.id))?.progress).toEqual({ progress: 1 });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await store.reapExpired()).toEqual([]);
    for (const work of works) work.resolve(1);
    // The 200 terminal writes go 64 at a time, with a (fake) turn of the event loop between.
    await vi.advanceTimersByTimeAsync(100);
    for (const record of records)
      expect((await jobs.wait(record.id, { timeoutMs: 1000 })).status).toBe('completed');
  });

  it.each([
    ['a BigInt', () => 10n, 'BigInt'],
    [
      'a cycle',
      () => {
        const value: Record<string, unknown> = {};
        value.self = value;
        return value;
      },
      'circular',
    ],
    ['a Map', () => new Map([[1, 2]]), 'Map'],
    [
      'a class instance',
      () =>
        new (class Point {
          x = 1;
        })(),
      'Point',
    ],
    ['a function', () => ({ callback: () => 1 }), 'function'],
  ])('fails the job with NOT_SERIALIZABLE for %s', async (_name, makeResult, hint) => {
    const jobs = manager();
    const task = startInBackground(() => Promise.resolve(makeResult()));
    const job = await jobs.adopt(task, { tool: 't' });
    const done = await jobs.wait(job.id, { timeoutMs: 100 });
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('NOT_SERIALIZABLE');
    expect(done.error?.message).toContain(hint);
  });

  it('stores a Date result as its JSON form and undefined as null', async () => {
    const jobs = manager();
    const date = await jobs.adopt(
      startInBackground(() => Promise.resolve({ at: new Date(0) })),
      { tool: 't' },
    );
    const nothing = await jobs.adopt(
      startInBackground(() => Promise.resolve(undefined)),
      { tool: 't' },
    );
    expect((await jobs.wait(date.id, { timeoutMs: 100 })).result).toEqual({
      at: '1970-01-01T00:00:00.000Z',
    });
    expect((await jobs.wait(nothing.id, { timeoutMs: 100 })).result).toBeNull();
  });

  it('fails the job with the serialised error of a failed work', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    work.reject(new Error('disk full'));
    expect((await jobs.wait(job.id, { timeoutMs: 100 })).error).toEqual({
      code: 'HANDLER_ERROR',
      message: 'disk full',
    });
  });

  it('stores output appended before the end, in order, before the terminal transition', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    for (let line = 0; line < 100; line++) jobs.appendOutput(job.id, 'stdout', `line ${line}\n`);
    jobs.appendOutput(job.id, 'stderr', 'warning\n');
    work.resolve(1);
    await jobs.wait(job.id, { timeoutMs: 100 });
    const out = await jobs.readOutput(job.id, 'stdout');
    expect(out.data.split('\n')).toHaveLength(101);
    expect(out.data.startsWith('line 0\nline 1\n')).toBe(true);
    expect((await jobs.readOutput(job.id, 'stderr')).data).toBe('warning\n');
  });
});

describe('durations past the largest timer delay', () => {
  it('clamps a heartbeat of 1e10 ms to the largest delay instead of beating every millisecond', async () => {
    let heartbeats = 0;
    const counted: JobStore = {
      ...store,
      heartbeat: (...args) => {
        heartbeats += 1;
        return store.heartbeat(...args);
      },
    };
    const jobs = manager({
      store: counted,
      leaseMs: 1e12,
      heartbeatMs: 1e10,
      reapIntervalMs: 1e12,
      retention: { pruneIntervalMs: 1e12 },
    });
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(heartbeats).toBe(0);
    work.resolve(1);
    expect(await jobs.wait(job.id, { timeoutMs: 1e12 })).toMatchObject({ status: 'completed' });
  });
});
