// Shared measurement of the Redis and PostgreSQL store benchmarks: the job lifecycle (create,
// running, progress x10 via heartbeat, completed, get) with per-operation latency, and how long
// a cancel requested through one store takes to reach a subscriber of another (two replicas).
import { createJobManager } from '../src/job-manager';
import type { JobEvent, JobStore } from '../src/job-store';
import { startReplica } from '../src/redis/testing/replica-process';

const owner = { instanceId: 'bench', pid: process.pid, host: 'bench-host' };

/** Store calls in one lifecycle: create, running, 10 heartbeats, completed, get. */
export const callsPerLifecycle = 14;

/** Latency samples in milliseconds, per operation. */
export type Samples = Record<'create' | 'running' | 'heartbeat' | 'completed' | 'get', number[]>;

function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The value below which `fraction` of the samples fall. */
export function percentile(samples: readonly number[], fraction: number): number {
  const sorted = [...samples].sort((first, second) => first - second);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/** Times `body` `count` times (after `warmup` untimed runs); returns the samples in ms. */
export async function sample(
  count: number,
  body: () => Promise<unknown>,
  warmup = 50,
): Promise<number[]> {
  for (let index = 0; index < warmup; index++) await body();
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const start = process.hrtime.bigint();
    await body();
    samples.push(since(start));
  }
  return samples;
}

/** Runs `count` lifecycles one after another; returns lifecycles per second and per-op samples. */
export async function measureLifecycles(
  store: JobStore,
  count: number,
): Promise<{ perSecond: number; samples: Samples; lifecycleMs: number }> {
  const samples: Samples = { create: [], running: [], heartbeat: [], completed: [], get: [] };
  const timed = async <T>(name: keyof Samples, call: () => Promise<T>): Promise<T> => {
    const start = process.hrtime.bigint();
    const value = await call();
    samples[name].push(since(start));
    return value;
  };
  const start = process.hrtime.bigint();
  for (let index = 0; index < count; index++) {
    const job = await timed('create', () =>
      store.create({
        label: 'bench',
        tool: 'bench',
        status: 'pending',
        scope: null,
        owner: null,
        leaseToken: null,
      }),
    );
    const running = await timed('running', () =>
      store.transition(
        job.id,
        { from: 'pending', expectedVersion: job.version },
        { status: 'running', owner, leaseToken: 'token', leaseMs: 15_000 },
      ),
    );
    if (!running.ok) throw new Error(`running transition failed: ${running.reason}`);
    for (let step = 1; step <= 10; step++) {
      await timed('heartbeat', () =>
        store.heartbeat(job.id, 'token', {
          leaseMs: 15_000,
          progress: { progress: step, total: 10 },
        }),
      );
    }
    const done = await timed('completed', () =>
      store.transition(
        job.id,
        { from: 'running', ownerToken: 'token' },
        {
          status: 'completed',
          result: { content: [{ type: 'text', text: 'done' }] },
          ttlMs: 3_600_000,
        },
      ),
    );
    if (!done.ok) throw new Error(`completed transition failed: ${done.reason}`);
    const read = await timed('get', () => store.get(job.id));
    if (read?.status !== 'completed') throw new Error('the lifecycle lost its completion');
  }
  const totalMs = since(start);
  return { perSecond: (count * 1000) / totalMs, samples, lifecycleMs: totalMs / count };
}

/**
 * Cancel latency between replicas: a running job owned through store A is cancelled through
 * store B; measured until A's subscriber gets the cancel hint (pub/sub or NOTIFY).
 */
export async function measureCancelHint(
  owner: JobStore,
  other: JobStore,
  count: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const job = await owner.create({
      label: 'bench',
      tool: 'bench',
      status: 'running',
      scope: null,
      owner: { instanceId: 'a', pid: 1, host: 'a' },
      leaseToken: 'a',
      leaseMs: 60_000,
    });
    const received = new Promise<void>((resolve) => {
      const unsubscribe = owner.subscribe(
        (event: JobEvent) => {
          if (event.cancelRequested === true) {
            unsubscribe();
            resolve();
          }
        },
        { id: job.id },
      );
    });
    const start = process.hrtime.bigint();
    await other.requestCancel(job.id, 'bench');
    await received;
    samples.push(since(start));
  }
  return samples;
}

/**
 * Cancel latency between replica processes: a replica process (`replica-child.ts`) runs
 * `count` jobs; the cancel is made through this process's job manager, and measured until the
 * replica reports that the work's signal aborted.
 */
export async function measureCrossProcessCancel(options: {
  kind: 'redis' | 'postgres';
  url: string;
  namespace: string;
  store: JobStore;
  count: number;
}): Promise<number[]> {
  // The replica's jobs report progress and output once a second, as a long job would.
  const replica = await startReplica(
    options.kind,
    options.url,
    options.namespace,
    options.count,
    1000,
  );
  const manager = createJobManager({ store: options.store, logger: { warn: () => undefined } });
  const samples: number[] = [];
  try {
    for (const id of replica.jobIds) {
      for (let attempt = 0; (await manager.get(id))?.status !== 'running'; attempt++) {
        if (attempt > 500) throw new Error(`job ${id} never started`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    for (const id of replica.jobIds) {
      const aborted = replica.waitFor((message) => message.aborted === id);
      const start = process.hrtime.bigint();
      await manager.cancel(id, { reason: 'bench' });
      await aborted;
      samples.push(since(start));
    }
  } finally {
    replica.child.kill('SIGKILL');
    await manager.close();
  }
  return samples;
}

/** Formats milliseconds with three significant figures. */
export function ms(value: number): string {
  return `${value < 1 ? value.toFixed(3) : value.toPrecision(3)} ms`;
}

/** Prints rows as an aligned plain-text table. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Prints the lifecycle and cancel figures of one store against its baseline round trip. */
export function report(figures: {
  store: string;
  baselineName: string;
  baseline: number[];
  lifecycle: { perSecond: number; samples: Samples; lifecycleMs: number };
  cancelHint: number[];
  crossProcessCancel: number[];
}): void {
  const baselineMedian = percentile(figures.baseline, 0.5);
  const baselineMean =
    figures.baseline.reduce((sum, value) => sum + value, 0) / figures.baseline.length;
  const rows: string[][] = [
    [
      `baseline: ${figures.baselineName}`,
      ms(baselineMedian),
      ms(percentile(figures.baseline, 0.99)),
      '1.0x',
    ],
  ];
  for (const [name, samples] of Object.entries(figures.lifecycle.samples)) {
    const median = percentile(samples, 0.5);
    rows.push([
      name,
      ms(median),
      ms(percentile(samples, 0.99)),
      `${(median / baselineMedian).toFixed(1)}x`,
    ]);
  }
  rows.push([
    'cancel on B -> hint on A',
    ms(percentile(figures.cancelHint, 0.5)),
    ms(percentile(figures.cancelHint, 0.99)),
    `${(percentile(figures.cancelHint, 0.5) / baselineMedian).toFixed(1)}x`,
  ]);
  rows.push([
    'cancel on B -> work aborted in process A',
    ms(percentile(figures.crossProcessCancel, 0.5)),
    ms(percentile(figures.crossProcessCancel, 0.99)),
    `${(percentile(figures.crossProcessCancel, 0.5) / baselineMedian).toFixed(1)}x`,
  ]);
  printTable(['operation (' + figures.store + ')', 'p50', 'p99', 'p50 / baseline'], rows);
  const inRoundTrips = figures.lifecycle.lifecycleMs / baselineMean;
  console.log(
    `\nlifecycle (create, running, progress x10, completed, get): ${figures.lifecycle.perSecond.toFixed(0)}/s, ` +
      `${ms(figures.lifecycle.lifecycleMs)} each = ${inRoundTrips.toFixed(1)} baseline round trips ` +
      `for ${String(callsPerLifecycle)} store calls (ratio ${(inRoundTrips / callsPerLifecycle).toFixed(2)}x a bare round trip per call)`,
  );
}
