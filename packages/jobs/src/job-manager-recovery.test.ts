import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
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

function controllable<T>(options: { ignoreSignal?: boolean } = {}) {
  let resolve!: (value: T) => void;
  let context: WorkContext | undefined;
  const work = (workContext: WorkContext): Promise<T> => {
    context = workContext;
    return new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      if (options.ignoreSignal !== true)
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

/** A process id that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

/** Wraps a store so that chosen methods throw while `down` is true. */
function flaky(inner: JobStore) {
  const state = { down: false, transitionCalls: 0 };
  const fail = () => Promise.reject(new Error('connection refused'));
  const wrapped: JobStore = {
    ...inner,
    transition: (...args) => {
      state.transitionCalls++;
      return state.down ? fail() : inner.transition(...args);
    },
    heartbeat: (...args) => (state.down ? fail() : inner.heartbeat(...args)),
    appendOutput: (...args) => (state.down ? fail() : inner.appendOutput(...args)),
  };
  return { store: wrapped, state };
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

describe('restart recovery', () => {
  it('interrupts at once the running and pending jobs of a dead owner on this host', async () => {
    const dead = { instanceId: 'crashed', pid: deadPid(), host: hostname() };
    const running = await store.create({
      label: 'r',
      tool: 't',
      status: 'running',
      scope: null,
      owner: dead,
      leaseToken: 'x',
      leaseMs: 3_600_000,
    });
    const pending = await store.create({
      label: 'p',
      tool: 't',
      status: 'pending',
      scope: null,
      owner: dead,
      leaseToken: 'y',
      leaseMs: 3_600_000,
    });
    manager();
    await vi.advanceTimersByTimeAsync(0);
    for (const id of [running.id, pending.id]) {
      const record = await store.get(id);
      expect(record?.status).toBe('interrupted');
      expect(record?.error?.code).toBe('INTERRUPTED');
    }
  });

  it('interrupts the jobs of an owner on another host once its lease expires', async () => {
    const remote = { instanceId: 'remote', pid: process.pid, host: 'another-host' };
    const job = await store.create({
      label: 'r',
      tool: 't',
      status: 'running',
      scope: null,
      owner: remote,
      leaseToken: 'x',
      leaseMs: 3000,
    });
    manager({ reapIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect((await store.get(job.id))?.status).toBe('running');
    await vi.advanceTimersByTimeAsync(2000);
    expect((await store.get(job.id))?.status).toBe('interrupted');
  });

  it('stops the work of a job it lost to the reaper', async () => {
    const { store: broken, state } = flaky(store);
    const jobs = createJobManager({
      store: broken,
      leaseMs: 3000,
      heartbeatMs: 1000,
      logger: { warn: () => undefined },
    });
    managers.push(jobs);
    const work = controllable<number>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    state.down = true;
    await vi.advanceTimersByTimeAsync(4000);
    state.down = false;
    await store.reapExpired();
    await vi.advanceTimersByTimeAsync(0);
    expect(work.context().signal.aborted).toBe(true);
    expect((await store.get(job.id))?.status).toBe('interrupted');
  });
});

describe('store failures', () => {
  it('retries the terminal write until the store is back, and writes it once', async () => {
    const { store: broken, state } = flaky(store);
    const jobs = createJobManager({
      store: broken,
      leaseMs: 60_000,
      heartbeatMs: 1000,
      logger: { warn: (message) => warnings.push(message) },
    });
    managers.push(jobs);
    const work = controllable<string>();
    const job = await jobs.adopt(startInBackground(work.work), { tool: 't' });
    jobs.appendOutput(job.id, 'stdout', 'kept');
    state.down = true;
    work.resolve('result');
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await store.get(job.id))?.status).toBe('running');
    expect(warnings.some((message) => message.includes('connection refused'))).toBe(true);
    state.down = false;
    await vi.advanceTimersByTimeAsync(5000);
    const done = await store.get(job.id);
    expect(done).toMatchObject({ status: 'completed', result: 'result', version: 2 });
    expect((await store.readOutput(job.id, 'stdout')).data).toBe('kept');
  });

  it('does not write twice when a terminal write landed but its reply was lost', async () => {
    let lose = true;
    const lossy: JobStore = {
      ...store,
      transition: async (...args) => {
        const result = await store.transition(...args);
        if (lose && args[2].status === 'completed') {
          lose = false;
          throw new Error('reply lost');
        }
        return result;
      },
    };
    const jobs = createJobManager({
      store: lossy,
      leaseMs: 60_000,
      heartbeatMs: 1000,
      logger: { warn: (message) => warnings.push(message) },
    });
    managers.push(jobs);
    const job = await jobs.adopt(
      startInBackground(() => Promise.resolve(1)),
      { tool: 't' },
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(await store.get(job.id)).toMatchObject({ status: 'completed', version: 2 });
    expect(warnings.filter((message) => message.includes('could not be marked'))).toEqual([]);
  });
});

describe('close', () => {
  it('waits for running work within the grace period', async () => {
    const jobs = manager();
    const work = controllable<number>();
    const job = await jobs.start(work.work, { tool: 't' });
    const closing = jobs.close({ graceMs: 5000 });
    await vi.advanceTimersByTimeAsync(1000);
    work.resolve(9);
    await closing;
    expect(await store.get(job.id)).toMatchObject({ status: 'completed', result: 9 });
  });

  it('cancels what is still running after the grace period, started or adopted, and leaves nothing running', async () => {
    const jobs = manager();
    const started = controllable<number>({ ignoreSignal: true });
    const adopted = controllable<number>({ ignoreSignal: true });
    const a = await jobs.start(started.work, { tool: 't' });
    const b = await jobs.adopt(startInBackground(adopted.work), { tool: 't' });
    const closing = jobs.close({ graceMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    await closing;
    expect((await store.list({ status: ['pending', 'running'] })).total).toBe(0);
    expect((await store.get(a.id))?.status).toBe('cancelled');
    expect((await store.get(b.id))?.status).toBe('cancelled');
    await expect(jobs.start(() => Promise.resolve(1), { tool: 't' })).rejects.toMatchObject({
      code: 'CLOSED',
    });
  });
});

describe('pruner', () => {
  it('deletes finished jobs past their retention on its timer', async () => {
    const jobs = manager({ retention: { completed: 10_000, failed: null, pruneIntervalMs: 5000 } });
    const done = await jobs.adopt(
      startInBackground(() => Promise.resolve(1)),
      { tool: 't' },
    );
    const failed = await jobs.adopt(
      startInBackground(() => Promise.reject(new Error('x'))),
      { tool: 't' },
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(await store.get(done.id)).toBeDefined();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await store.get(done.id)).toBeUndefined();
    expect(await store.get(failed.id)).toBeDefined();
  });
});

describe('options', () => {
  it.each([
    ['leaseMs', { leaseMs: 0 }],
    ['heartbeatMs', { leaseMs: 1000, heartbeatMs: 1000 }],
    ['concurrency', { concurrency: 0 }],
    ['retention.completed', { retention: { completed: -1 } }],
    ['store', { store: undefined }],
  ])('rejects an invalid %s', (field, options) => {
    expect(() => createJobManager({ store, ...options } as JobManagerOptions)).toThrow(field);
  });
});
