import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../job-record';
import type { JobStore } from '../job-store';
import { createFileJobStore } from './file-job-store';
import { createTemporaryDirectory, newJob } from './test-helpers';

const here = dirname(fileURLToPath(import.meta.url));
const packageDirectory = join(here, '..', '..');
const childScript = join(here, 'fixtures', 'store-process.ts');

let directory: string;
let remove: () => Promise<void>;
const children: ChildProcessWithoutNullStreams[] = [];
const stores: JobStore[] = [];

/** Starts the fixture in a real OS process; its JSON lines arrive through `next()`. */
function startProcess(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  next: () => Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    ['--conditions=@sa/source', '--import', 'tsx', childScript, ...args],
    { cwd: packageDirectory },
  );
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(message: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      waiting.push(resolve);
      void exited.then((code) =>
        reject(new Error(`child exited (${String(code)}) before answering: ${stderr}`)),
      );
    });
  return { child, next, exited };
}

/** Resolves with the job once `accept` holds: woken by change hints, re-reading each time. */
async function waitFor(
  store: JobStore,
  id: string,
  accept: (record: JobRecord) => boolean,
): Promise<JobRecord> {
  return new Promise<JobRecord>((resolve, reject) => {
    let done = false;
    const check = () => {
      void store.get(id).then((record) => {
        if (done || !record || !accept(record)) return;
        done = true;
        unsubscribe();
        resolve(record);
      }, reject);
    };
    const unsubscribe = store.subscribe(check, { id });
    check(); // A change that happened before subscribing is not missed.
  });
}

beforeEach(async () => {
  ({ directory, remove } = await createTemporaryDirectory());
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await remove();
});

describe('file store shared by two OS processes', { timeout: 60_000 }, () => {
  it('lets one process own running jobs while another lists, waits for, cancels, and reaps them after kill -9', async () => {
    const owner = startProcess(['owner', directory, '3']);
    const { ready } = (await owner.next()) as { ready: string[] };
    const [toComplete, toCancel, toOrphan] = ready as [string, string, string];
    const store = createFileJobStore({ directory, pollIntervalMs: 25 });
    stores.push(store);

    const listed = await store.list({ status: 'running' });
    expect(listed.total).toBe(3);
    expect(
      listed.jobs.every(
        (job) => job.owner?.pid === owner.child.pid && job.owner?.host === hostname(),
      ),
    ).toBe(true);
    await waitFor(store, toOrphan, (record) => (record.progress?.progress ?? 0) >= 2);

    owner.child.stdin.write(`complete ${toComplete}\n`);
    expect(
      await waitFor(store, toComplete, (record) => record.status === 'completed'),
    ).toMatchObject({ result: { by: owner.child.pid } });

    const flagged = await store.requestCancel(toCancel, 'the user changed their mind');
    expect(flagged).toMatchObject({
      status: 'running',
      cancelReason: 'the user changed their mind',
    });
    expect(await waitFor(store, toCancel, (record) => record.status === 'cancelled')).toMatchObject(
      { error: { code: 'CANCELLED' } },
    );

    expect(await store.reapExpired()).toEqual([]);
    owner.child.kill('SIGKILL');
    await owner.exited;
    // The lease has 60 s left: only pid liveness can find the dead owner now.
    const reaped = await store.reapExpired();
    expect(reaped.map((record) => record.id)).toEqual([toOrphan]);
    expect(await store.get(toOrphan)).toMatchObject({
      status: 'interrupted',
      error: { code: 'INTERRUPTED' },
    });
    expect((await store.list({ status: 'running' })).total).toBe(0);
  });

  it('loses no update when two processes hammer the same jobs', async () => {
    const store = createFileJobStore({ directory });
    stores.push(store);
    const ids: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      ids.push(
        (
          await store.create(
            newJob({ status: 'running', leaseToken: 'shared-token', leaseMs: 60_000 }),
          )
        ).id,
      );
    }
    const rounds = 25;
    const first = startProcess(['hammer', directory, String(rounds), ...ids]);
    const second = startProcess(['hammer', directory, String(rounds), ...ids]);
    const results = (await Promise.all([first.next(), second.next()])) as Array<{
      versions: Record<string, number[]>;
      increments: number;
    }>;
    for (const id of ids) {
      const produced = results.flatMap((result) => result.versions[id] ?? []);
      for (const result of results) {
        const own = result.versions[id] ?? [];
        expect(own.every((version, index) => index === 0 || version > own[index - 1]!)).toBe(true);
      }
      // Every heartbeat produced its own version: none overwrote another's.
      expect(new Set(produced).size).toBe(2 * rounds);
      const record = await store.get(id);
      expect(record?.version).toBe(1 + 2 * rounds);
      expect(await store.getCursor(id, 'counter')).toBe(2 * rounds);
    }
    expect(results[0]!.increments + results[1]!.increments).toBe(2 * rounds * ids.length);
    expect((await store.list({ status: 'running' })).total).toBe(4);
  });
});
