import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInBackground } from '@sa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileJobStore } from './file-store';
import { createJobManager } from './job-manager';
import type { JobManager, JobManagerOptions } from './job-manager-types';
import type { JobStore } from './job-store';

// The manager over the durable file store, with real timers and real files. Two store instances
// on one directory stand for two processes (the two-OS-process test lives with the file store).
let directory: string;
const stores: JobStore[] = [];
const managers: JobManager[] = [];

function openStore(): JobStore {
  const store = createFileJobStore({
    directory,
    pollIntervalMs: 50,
    logger: { warn: () => undefined },
  });
  stores.push(store);
  return store;
}

function manager(store: JobStore, options: Partial<JobManagerOptions> = {}): JobManager {
  const created = createJobManager({
    store,
    leaseMs: 3000,
    heartbeatMs: 200,
    waitPollMs: 50,
    logger: { warn: () => undefined },
    ...options,
  });
  managers.push(created);
  return created;
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sa-jobs-manager-'));
});

afterEach(async () => {
  for (const created of managers.splice(0)) await created.close();
  for (const store of stores.splice(0)) await store.close();
  await rm(directory, { recursive: true, force: true });
});

describe('job manager over the file store', () => {
  it('runs a job to completion, durable for a store opened later', async () => {
    const jobs = manager(openStore());
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const job = await jobs.start(
      async ({ reportProgress }) => {
        await released;
        reportProgress({ progress: 1, total: 1 });
        jobs.appendOutput(job.id, 'stdout', 'héllo\n');
        return { ok: true };
      },
      { tool: 'export', input: { table: 'users' } },
    );
    release();
    const done = await jobs.wait(job.id, { timeoutMs: 10_000 });
    expect(done).toMatchObject({ status: 'completed', result: { ok: true } });
    const reopened = openStore();
    expect(await reopened.get(job.id)).toMatchObject({
      status: 'completed',
      result: { ok: true },
      input: { table: 'users' },
    });
    expect((await reopened.readOutput(job.id, 'stdout')).data).toBe('héllo\n');
  });

  it('is durable as running before adopt resolves, and cancellable from another instance', async () => {
    const owner = manager(openStore(), { instanceId: 'owner' });
    const other = manager(openStore(), { instanceId: 'other' });
    let aborted = false;
    const task = startInBackground(
      ({ signal }) =>
        new Promise<number>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason as Error);
          });
        }),
    );
    const job = await owner.adopt(task, { tool: 'slow' });
    expect((await openStore().get(job.id))?.status).toBe('running');
    await other.cancel(job.id, { reason: 'from the other side' });
    const done = await other.wait(job.id, { timeoutMs: 10_000 });
    expect(done).toMatchObject({ status: 'cancelled', cancelReason: 'from the other side' });
    expect(aborted).toBe(true);
  });

  it('marks the running jobs of a dead owner on this host interrupted when a manager starts', async () => {
    const store = openStore();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const orphan = await store.create({
      label: 'orphan',
      tool: 't',
      status: 'running',
      scope: null,
      owner: { instanceId: 'crashed', pid: dead, host: hostname() },
      leaseToken: 'crashed-token',
      leaseMs: 3_600_000,
    });
    const jobs = manager(store);
    const record = await jobs.wait(orphan.id, { timeoutMs: 10_000 });
    expect(record.status).toBe('interrupted');
    expect(record.error?.code).toBe('INTERRUPTED');
  });

  it('leaves no job running after close', async () => {
    const store = openStore();
    const jobs = manager(store);
    const never = () => new Promise<number>(() => undefined);
    await jobs.start(never, { tool: 't' });
    await jobs.adopt(startInBackground(never), { tool: 't' });
    await jobs.close({ graceMs: 100 });
    const page = await store.list();
    expect(page.total).toBe(2);
    expect(page.jobs.map((job) => job.status)).toEqual(['cancelled', 'cancelled']);
  });
});
