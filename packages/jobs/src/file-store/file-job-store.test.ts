import { spawnSync } from 'node:child_process';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isSaError } from '@sa/core';
import type { JobEvent, JobStore } from '../job-store';
import { createFileJobStore } from './file-job-store';
import { createFileLocks } from './file-lock';
import { createIndexLog } from './index-log';
import { createTemporaryDirectory, newJob } from './test-helpers';

let directory: string;
let remove: () => Promise<void>;
const stores: JobStore[] = [];
let now = 1_000_000;
const clock = { now: () => now };

function open(
  options: { maxOutputBytes?: number; logger?: { warn(message: string): void } } = {},
): JobStore {
  const store = createFileJobStore({ directory, clock, ...options });
  stores.push(store);
  return store;
}

/** Compacts the index log the way another process would. */
async function compactIndex(root: string): Promise<void> {
  const locks = createFileLocks({ directory: join(root, 'locks') });
  const log = createIndexLog({ directory: join(root, 'index'), writer: 'compactor', locks });
  await log.compact();
  await log.close();
  await locks.close();
}

beforeEach(async () => {
  ({ directory, remove } = await createTemporaryDirectory());
  now = 1_000_000;
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await remove();
});

describe('createFileJobStore', () => {
  it('keeps every change on disk: a second store on the directory sees it', async () => {
    const first = open();
    const job = await first.create(
      newJob({ owner: { instanceId: 'a', pid: process.pid, host: hostname() }, leaseToken: 't' }),
    );
    now += 10;
    await first.transition(job.id, { from: 'pending' }, { status: 'running', leaseMs: 1000 });
    await first.heartbeat(job.id, 't', { leaseMs: 1000, progress: { progress: 3, total: 10 } });
    now += 10;
    await first.transition(
      job.id,
      { from: 'running', ownerToken: 't' },
      { status: 'completed', result: { answer: 42 } },
    );
    const second = open();
    const seen = await second.get(job.id);
    expect(seen).toMatchObject({
      status: 'completed',
      result: { answer: 42 },
      progress: { progress: 3, total: 10 },
      version: 4,
      startedAt: 1_000_010,
      finishedAt: 1_000_020,
    });
  });

  it.each(['../etc/passwd', 'a/b', '..', '.', '', 'a.json', 'x'.repeat(129)])(
    'refuses the id %j before touching a path',
    async (id) => {
      const store = open();
      const attempts = [
        () => store.get(id),
        () => store.transition(id, { from: 'pending' }, { status: 'running' }),
        () => store.heartbeat(id, 't', { leaseMs: 1 }),
        () => store.requestCancel(id),
        () => store.appendOutput(id, 'stdout', 'x'),
        () => store.readOutput(id, 'stdout'),
        () => store.getCursor(id, 'c'),
        () => store.create(newJob({ id })),
      ];
      for (const attempt of attempts) {
        await expect(attempt()).rejects.toSatisfy((error) => isSaError(error, 'INVALID_ARGUMENT'));
      }
    },
  );

  it('rejects bad input with an error naming the field and keeps the stored job intact', async () => {
    const store = open();
    const job = await store.create(newJob());
    await expect(
      store.transition(job.id, { from: 'pending' }, { status: 'nonsense' as never }),
    ).rejects.toThrow(/patch.status/);
    await expect(
      store.transition(
        job.id,
        { from: 'pending' },
        { result: { bad: undefined as never, n: 1n as never } },
      ),
    ).rejects.toThrow(/result/);
    await expect(store.list({ limit: 0 })).rejects.toThrow(/limit/);
    await expect(store.list({ cursor: 'nope' })).rejects.toThrow(/cursor/);
    await expect(store.readOutput(job.id, 'stdin' as never)).rejects.toThrow(/stream/);
    expect(await store.get(job.id)).toEqual(job);
  });

  it('quarantines a truncated record with a warning and keeps serving the others', async () => {
    const warnings: string[] = [];
    const store = open({ logger: { warn: (message) => warnings.push(message) } });
    const torn = await store.create(newJob({ label: 'torn' }));
    const kept = await store.create(newJob({ label: 'kept' }));
    await truncate(join(directory, 'records', `${torn.id}.json`), 17);
    expect(await store.get(torn.id)).toBeUndefined();
    expect(warnings.join('\n')).toMatch(new RegExp(`record ${torn.id} is corrupt`));
    expect(await readdir(join(directory, 'quarantine'))).toHaveLength(1);
    expect(await store.get(kept.id)).toEqual(kept);
    const page = await store.list();
    expect(page.jobs.map((job) => job.id)).toEqual([kept.id]);
    expect(page.total).toBe(1);
    const again = await store.create(newJob({ label: 'after' }));
    expect((await store.list()).total).toBe(2);
    expect(await store.get(again.id)).toEqual(again);
  });

  it('quarantines a record whose content is valid JSON but not a job', async () => {
    const warnings: string[] = [];
    const store = open({ logger: { warn: (message) => warnings.push(message) } });
    const job = await store.create(newJob());
    await writeFile(
      join(directory, 'records', `${job.id}.json`),
      JSON.stringify({ id: job.id, status: 'weird' }),
    );
    const result = await store.transition(job.id, { from: 'pending' }, { status: 'running' });
    expect(result).toEqual({ ok: false, reason: 'not_found', current: undefined });
    expect(warnings).toHaveLength(1);
  });

  it('pages newest first with totals over all matches, across a cold reopen', async () => {
    const store = open();
    const ids: string[] = [];
    for (let index = 0; index < 25; index += 1) {
      now += 1;
      const job = await store.create(
        newJob({
          label: index % 2 === 0 ? 'even' : 'odd',
          scope: index % 5 === 0 ? 'alice' : null,
        }),
      );
      ids.push(job.id);
    }
    const reopened = open();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await reopened.list({ limit: 7, cursor });
      expect(page.total).toBe(25);
      seen.push(...page.jobs.map((job) => job.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await reopened.list({ label: 'even', limit: 2 })).total).toBe(13);
    expect((await reopened.list({ scope: 'alice' })).jobs).toHaveLength(5);
  });

  it('sees another store instance’s new jobs and deletions without a full re-read', async () => {
    const first = open();
    const second = open();
    expect((await second.list()).total).toBe(0);
    const job = await first.create(newJob());
    expect((await second.list()).jobs.map((entry) => entry.id)).toEqual([job.id]);
    await first.requestCancel(job.id, 'stop');
    expect((await second.list({ status: 'cancelled' })).total).toBe(1);
    expect(await first.prune({})).toBe(1);
    expect((await second.list()).total).toBe(0);
  });

  it('returns the existing job for an idempotency key, also from another instance', async () => {
    const first = open();
    const second = open();
    const [a, b] = await Promise.all([
      first.create(newJob(), { idempotencyKey: 'key/../1' }),
      second.create(newJob(), { idempotencyKey: 'key/../1' }),
    ]);
    expect(a.id).toBe(b.id);
    expect((await first.list()).total).toBe(1);
  });

  it('bounds output per job and stream, counts dropped bytes and never splits a character', async () => {
    const store = open({ maxOutputBytes: 16 });
    const job = await store.create(newJob());
    for (const chunk of ['héllo ', 'wörld ', '€€€ ', 'end'])
      await store.appendOutput(job.id, 'stdout', chunk);
    const total = Buffer.byteLength('héllo wörld €€€ end');
    const all = await store.readOutput(job.id, 'stdout');
    expect(all.endOffset).toBe(total);
    expect(all.droppedBytes).toBeGreaterThanOrEqual(total - 16);
    expect(all.nextOffset).toBe(total);
    expect('héllo wörld €€€ end'.endsWith(all.data)).toBe(true);
    expect(Buffer.byteLength(all.data)).toBeLessThanOrEqual(16);
    // "€€€ end": the last '€' starts 7 bytes before the end.
    const small = await store.readOutput(job.id, 'stdout', { offset: total - 7, maxBytes: 2 });
    expect(small).toMatchObject({ data: '€', nextOffset: total - 4, droppedBytes: 0 });
    const middle = await store.readOutput(job.id, 'stdout', { offset: total - 8, maxBytes: 3 });
    expect(middle).toMatchObject({ data: '€', nextOffset: total - 4, droppedBytes: 0 });
    const cut = await store.readOutput(job.id, 'stdout', { offset: total - 10, maxBytes: 5 });
    expect(cut).toMatchObject({ data: '€', nextOffset: total - 7 });
    expect(await store.readOutput(job.id, 'stderr')).toEqual({
      data: '',
      nextOffset: 0,
      droppedBytes: 0,
      endOffset: 0,
    });
    const files = await readdir(join(directory, 'jobs', job.id));
    expect(files.filter((name) => name.startsWith('stdout.')).length).toBeLessThanOrEqual(5);
  });

  it('keeps a single oversized chunk’s tail only', async () => {
    const store = open({ maxOutputBytes: 10 });
    const job = await store.create(newJob());
    await store.appendOutput(job.id, 'stderr', 'a'.repeat(5));
    await store.appendOutput(job.id, 'stderr', '0123456789abcdefghij');
    const read = await store.readOutput(job.id, 'stderr');
    expect(read).toEqual({ data: 'abcdefghij', nextOffset: 25, droppedBytes: 15, endOffset: 25 });
  });

  it('keeps named cursors per job with compare-and-set', async () => {
    const store = open();
    const job = await store.create(newJob());
    expect(await store.getCursor(job.id, 'delivered')).toBeUndefined();
    expect(await store.setCursor(job.id, 'delivered', undefined, 5)).toBe(true);
    expect(await store.setCursor(job.id, 'delivered', undefined, 9)).toBe(false);
    expect(await store.setCursor(job.id, 'delivered', 5, 9)).toBe(true);
    expect(await open().getCursor(job.id, 'delivered')).toBe(9);
  });

  it('finds a running job whose owner process is dead at once, without waiting for the lease', async () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(child.stdout.toString());
    const store = open();
    const dead = await store.create(
      newJob({
        status: 'running',
        owner: { instanceId: 'x', pid: deadPid, host: hostname() },
        leaseToken: 't',
        leaseMs: 60_000,
      }),
    );
    const alive = await store.create(
      newJob({
        status: 'running',
        owner: { instanceId: 'y', pid: process.pid, host: hostname() },
        leaseToken: 'u',
        leaseMs: 60_000,
      }),
    );
    const elsewhere = await store.create(
      newJob({
        status: 'running',
        owner: { instanceId: 'z', pid: deadPid, host: 'another-host' },
        leaseToken: 'v',
        leaseMs: 60_000,
      }),
    );
    const reaped = await store.reapExpired();
    expect(reaped.map((job) => job.id)).toEqual([dead.id]);
    expect(reaped[0]).toMatchObject({ status: 'interrupted', error: { code: 'INTERRUPTED' } });
    now += 60_000;
    expect((await store.reapExpired()).map((job) => job.id).sort()).toEqual(
      [alive.id, elsewhere.id].sort(),
    );
  });

  it('never prunes a running job', async () => {
    const store = open();
    const running = await store.create(
      newJob({ status: 'running', leaseToken: 't', leaseMs: 1000 }),
    );
    const pending = await store.create(newJob());
    const done = await store.create(newJob());
    await store.requestCancel(done.id);
    now += 1000;
    await expect(store.prune({ statuses: ['running'] })).rejects.toThrow(
      /running jobs are never pruned/,
    );
    expect(
      await store.prune({
        statuses: ['pending', 'cancelled', 'completed'],
        olderThan: now + 1,
        batchSize: 1,
      }),
    ).toBe(2);
    expect(await store.get(running.id)).toMatchObject({ status: 'running' });
    expect(await store.get(pending.id)).toBeUndefined();
    expect((await store.list()).jobs.map((job) => job.id)).toEqual([running.id]);
  });

  it('delivers its own events at once and another instance’s as hints', async () => {
    const first = open();
    const second = createFileJobStore({ directory, clock, pollIntervalMs: 20 });
    stores.push(second);
    const own: JobEvent[] = [];
    const foreign: JobEvent[] = [];
    const job = await first.create(newJob());
    first.subscribe((event) => own.push(event), { id: job.id });
    second.subscribe((event) => foreign.push(event));
    await second.list();
    await first.requestCancel(job.id);
    expect(own).toEqual([
      { type: 'changed', id: job.id, status: 'cancelled', version: 2, cancelRequested: true },
    ]);
    await vi.waitFor(() =>
      expect(foreign).toContainEqual(expect.objectContaining({ id: job.id, status: 'cancelled' })),
    );
  });

  it('refuses calls after close and leaves no timers behind', async () => {
    const store = open();
    store.subscribe(() => undefined);
    await store.close();
    await expect(store.list()).rejects.toSatisfy((error) => isSaError(error, 'CLOSED'));
  });

  it('compacts the index log and still lists every job', async () => {
    const store = open();
    const job = await store.create(newJob({ status: 'running', leaseToken: 't', leaseMs: 10 }));
    for (let index = 0; index < 30; index += 1) {
      await store.heartbeat(job.id, 't', { leaseMs: 10, progress: { progress: index } });
    }
    const indexPath = join(directory, 'index', 'index.log');
    expect((await readFile(indexPath, 'utf8')).split('\n').length).toBeGreaterThan(30);
    now += 1;
    const other = await store.create(newJob());
    const second = open();
    expect((await second.list()).total).toBe(2);
    await compactIndex(directory);
    expect((await readFile(indexPath, 'utf8')).trim().split('\n')).toHaveLength(2);
    await store.requestCancel(other.id);
    expect((await second.list()).jobs.map((entry) => [entry.id, entry.status])).toEqual([
      [other.id, 'cancelled'],
      [job.id, 'running'],
    ]);
    expect((await store.list({ status: 'cancelled' })).total).toBe(1);
  });
});

describe('createFileJobStore live file (heartbeats)', () => {
  it('keeps the latest heartbeat across a reopen and folds it into the next transition', async () => {
    const store = open();
    const job = await store.create(newJob({ status: 'running', leaseToken: 't', leaseMs: 1000 }));
    for (let step = 1; step <= 3; step += 1) {
      now += 100;
      await store.heartbeat(job.id, 't', { leaseMs: 1000, progress: { progress: step } });
    }
    const reopened = open();
    expect(await reopened.get(job.id)).toMatchObject({
      version: 4,
      progress: { progress: 3 },
      leaseExpiresAt: now + 1000,
    });
    const done = await reopened.transition(
      job.id,
      { from: 'running', ownerToken: 't' },
      { status: 'completed' },
    );
    expect(done).toMatchObject({ ok: true, record: { version: 5, progress: { progress: 3 } } });
    expect(await store.get(job.id)).toMatchObject({ status: 'completed', version: 5 });
  });

  it('ignores a torn live file and serves the record file', async () => {
    const store = open();
    const job = await store.create(newJob({ status: 'running', leaseToken: 't', leaseMs: 1000 }));
    await store.heartbeat(job.id, 't', { leaseMs: 1000, progress: { progress: 1 } });
    await truncate(join(directory, 'records', `${job.id}.live`), 50);
    expect(await store.get(job.id)).toMatchObject({ version: 1, progress: null });
    const beat = await store.heartbeat(job.id, 't', { leaseMs: 1000, progress: { progress: 2 } });
    expect(beat.record).toMatchObject({ version: 2, progress: { progress: 2 } });
  });
});

describe('createFileJobStore timers', () => {
  it('polls for other processes only while someone listens, and close clears it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const store = open();
      expect(vi.getTimerCount()).toBe(0);
      const unsubscribe = store.subscribe(() => undefined);
      expect(vi.getTimerCount()).toBe(1);
      unsubscribe();
      expect(vi.getTimerCount()).toBe(0);
      store.subscribe(() => undefined);
      await store.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
