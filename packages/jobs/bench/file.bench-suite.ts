// Benchmarks of the file job store: durable lifecycle against the raw fsync floor of the same
// run, and listing 100,000 stored records (warm index, cold open), with a full correctness pass.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileJobStore } from '../src/file-store';
import { changedLine } from '../src/file-store/index-entry';
import type { JobRecord } from '../src/job-record';
import { printTable } from '../../../scripts/bench-table';
import type { Row } from '../../../scripts/bench-table';

const lifecycles = 200;
const durableWritesPerLifecycle = 3; // create, → running, → completed (heartbeats are atomic, not fsynced)
const listedRecords = 100_000;

function milliseconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((first, second) => first - second);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** One durable write the way the store does it: temp file, fsync, rename, directory fsync. */
async function rawDurableWrite(directory: string, name: string, content: string): Promise<void> {
  const temporary = join(directory, `.${name}.tmp`);
  const handle = await open(temporary, 'w');
  await handle.writeFile(content);
  await handle.sync();
  await handle.close();
  await rename(temporary, join(directory, name));
  const folder = await open(directory, 'r');
  await folder.sync();
  await folder.close();
}

async function lifecycleRows(root: string): Promise<Row[]> {
  const store = createFileJobStore({ directory: join(root, 'lifecycle') });
  const runOne = async (index: number): Promise<JobRecord | undefined> => {
    const job = await store.create({
      label: `bench-${index}`,
      tool: 'bench',
      input: { index },
      status: 'pending',
      scope: null,
      owner: null,
      leaseToken: null,
    });
    const owner = { instanceId: 'bench', pid: process.pid, host: 'bench-host' };
    await store.transition(
      job.id,
      { from: 'pending' },
      { status: 'running', owner, leaseToken: 'token', leaseMs: 30_000 },
    );
    for (let step = 1; step <= 10; step += 1) {
      await store.heartbeat(job.id, 'token', {
        leaseMs: 30_000,
        progress: { progress: step, total: 10 },
      });
    }
    await store.transition(
      job.id,
      { from: 'running', ownerToken: 'token' },
      { status: 'completed', result: { ok: true, index }, ttlMs: 86_400_000 },
    );
    return store.get(job.id);
  };
  const sample = await runOne(-1);
  const recordBytes = Buffer.byteLength(JSON.stringify(sample));
  const floorDirectory = join(root, 'floor');
  await mkdir(floorDirectory, { recursive: true });
  const content = 'x'.repeat(recordBytes);
  const storeSamples: number[] = [];
  const floorSamples: number[] = [];
  // One lifecycle, then its floor, in turn: both see the same disk weather (other processes
  // share this disk), and the medians drop the outliers.
  for (let index = 0; index < lifecycles; index += 1) {
    let start = process.hrtime.bigint();
    await runOne(index);
    storeSamples.push(milliseconds(start));
    start = process.hrtime.bigint();
    for (let write = 0; write < durableWritesPerLifecycle; write += 1) {
      await rawDurableWrite(floorDirectory, `${index}.json`, content);
    }
    floorSamples.push(milliseconds(start));
  }
  await store.close();
  const lifecycle = median(storeSamples);
  const floor = median(floorSamples);
  return [
    {
      name: `file store lifecycle (create, running, progress x10, completed, get), ${recordBytes} B record`,
      figure: `${lifecycle.toFixed(2)} ms (${Math.round(1000 / lifecycle)}/s)`,
      target: '<= 2x floor',
      baseline: `${floor.toFixed(2)} ms (${durableWritesPerLifecycle} x write+fsync+rename+dir fsync)`,
      ratio: `${(lifecycle / floor).toFixed(2)}x`,
      pass: lifecycle <= 2 * floor,
    },
  ];
}

/** Writes `count` records straight in the store's on-disk format (as if created over time). */
async function seedRecords(directory: string, count: number): Promise<void> {
  await mkdir(join(directory, 'records'), { recursive: true });
  await mkdir(join(directory, 'index'), { recursive: true });
  const statuses = ['completed', 'failed', 'running', 'pending', 'cancelled'] as const;
  const lines: string[] = [];
  const base = Date.UTC(2026, 0, 1);
  for (let start = 0; start < count; start += 1000) {
    const writes: Promise<void>[] = [];
    for (let index = start; index < Math.min(count, start + 1000); index += 1) {
      const record: JobRecord = {
        id: randomBytes(16).toString('base64url'),
        label: `job-${index % 7}`,
        tool: 'bench',
        input: { index },
        status: statuses[index % statuses.length]!,
        progress: null,
        result: null,
        error: null,
        createdAt: base + index * 10,
        startedAt: base + index * 10,
        updatedAt: base + index * 10,
        finishedAt: null,
        expiresAt: null,
        owner: null,
        leaseToken: null,
        leaseExpiresAt: null,
        cancelRequestedAt: null,
        cancelReason: null,
        scope: index % 3 === 0 ? 'alice' : null,
        idempotencyKey: null,
        version: 1,
      };
      writes.push(
        writeFile(join(directory, 'records', `${record.id}.json`), JSON.stringify(record)),
      );
      lines.push(JSON.stringify(changedLine(record, 'seed')));
    }
    await Promise.all(writes);
  }
  await writeFile(join(directory, 'index', 'index.log'), `${lines.join('\n')}\n`);
}

async function listingRows(root: string): Promise<Row[]> {
  const directory = join(root, 'listing');
  await seedRecords(directory, listedRecords);
  const coldStart = process.hrtime.bigint();
  const store = createFileJobStore({ directory });
  const first = await store.list({ limit: 50 });
  const coldOpen = milliseconds(coldStart);
  const samples: number[] = [];
  for (let round = 0; round < 30; round += 1) {
    const start = process.hrtime.bigint();
    await store.list({ limit: 50 });
    samples.push(milliseconds(start));
  }
  const filtered: number[] = [];
  for (let round = 0; round < 30; round += 1) {
    const start = process.hrtime.bigint();
    await store.list({ limit: 50, status: 'running', scope: 'alice' });
    filtered.push(milliseconds(start));
  }
  // Correctness: every record exactly once, newest first, totals right.
  let previous: JobRecord | undefined;
  const seen = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list({ limit: 1000, cursor });
    if (page.total !== listedRecords)
      throw new Error(`list total ${page.total}, expected ${listedRecords}`);
    for (const job of page.jobs) {
      if (previous && previous.createdAt <= job.createdAt)
        throw new Error('list is not newest first');
      seen.add(job.id);
      previous = job;
    }
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor);
  if (seen.size !== listedRecords)
    throw new Error(`listed ${seen.size} records, expected ${listedRecords}`);
  const alice = await store.list({ status: 'running', scope: 'alice' });
  const expectedAlice = Array.from({ length: listedRecords }, (_, index) => index).filter(
    (index) => index % 5 === 2 && index % 3 === 0,
  ).length;
  if (alice.total !== expectedAlice)
    throw new Error(`filtered total ${alice.total}, expected ${expectedAlice}`);
  if (
    first.jobs[0]?.input === undefined ||
    (first.jobs[0].input as { index: number }).index !== listedRecords - 1
  ) {
    throw new Error('the first page does not start with the newest record');
  }
  await store.close();
  const warm = median(samples);
  return [
    {
      name: `list first page (50) of ${listedRecords.toLocaleString('en')} records, warm index`,
      figure: `${warm.toFixed(2)} ms`,
      target: '< 50 ms',
      baseline: '50 ms target',
      ratio: `${(warm / 50).toFixed(2)}x of target`,
      pass: warm < 50,
    },
    {
      name: '  same, filtered by status and scope',
      figure: `${median(filtered).toFixed(2)} ms`,
      target: '< 50 ms',
      baseline: `${warm.toFixed(2)} ms (unfiltered)`,
      ratio: `${(median(filtered) / warm).toFixed(2)}x`,
      pass: median(filtered) < 50,
    },
    {
      name: `cold open of that directory + first page`,
      figure: `${coldOpen.toFixed(0)} ms`,
      target: 'report',
      baseline: `${warm.toFixed(2)} ms (warm)`,
      ratio: `${(coldOpen / warm).toFixed(0)}x`,
      pass: undefined,
    },
    {
      name: `  correctness: ${pages} pages of 1000 list every record once, newest first, totals right`,
      figure: 'ok',
      target: 'ok',
      baseline: '-',
      ratio: '-',
      pass: true,
    },
  ];
}

/** Runs the file store benchmarks and prints figure, target, baseline and ratio. */
export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sa-file-bench-'));
  try {
    console.log(`\nFile store (directory under ${tmpdir()}):`);
    printTable([...(await lifecycleRows(root)), ...(await listingRows(root))]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
