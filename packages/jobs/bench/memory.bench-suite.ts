// Benchmarks of the memory job store and the manager's wait(): lifecycle throughput against the
// MCP SDK's InMemoryTaskStore measured in the same run, first page of list over 100,000 records,
// and wait() wake-up latency after an in-process completion against the SDK's 1000 ms poll.
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import { startInBackground } from '@sa/core';
import { createJobManager } from '../src/job-manager';
import { createMemoryJobStore } from '../src/memory-store';

interface Row {
  name: string;
  figure: string;
  target: string;
  baseline: string;
  ratio: string;
  pass: boolean;
}

const owner = { instanceId: 'bench', pid: process.pid, host: 'bench-host' };
const request = { method: 'tools/call', params: { name: 'bench', arguments: {} } };
const result = { content: [{ type: 'text' as const, text: 'done' }] };

/** Collects garbage before a measurement (the bench runs with --expose-gc), so earlier work's garbage is not billed to it. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Collects garbage, then runs `warmUp` unmeasured. A forced full collection discards V8's
 * optimized code, and the recompilation runs on background threads that `process.cpuUsage`
 * bills to the next measurement: measured without a warm-up, a round priced the compiler
 * (about 50 ms per 5,000 of our lifecycles, 20 ms for the SDK's smaller methods), not the store.
 */
async function settle(warmUp: () => Promise<unknown>): Promise<void> {
  collectGarbage();
  await warmUp();
}

/** CPU seconds this process spent since `start` (user + system): robust when other processes share the cores. */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((first, second) => first - second);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

function median(samples: number[]): number {
  return percentile(samples, 0.5);
}

/** Lifecycles per CPU second of our memory store: create, running, progress x10, completed, get. */
async function ourLifecycles(count: number): Promise<number> {
  const store = createMemoryJobStore();
  const start = process.cpuUsage();
  for (let index = 0; index < count; index++) {
    const job = await store.create({
      label: 'bench',
      tool: 'bench',
      status: 'pending',
      scope: null,
      owner: null,
      leaseToken: null,
    });
    const running = await store.transition(
      job.id,
      { from: 'pending' },
      { status: 'running', owner, leaseToken: 'token', leaseMs: 15_000 },
    );
    if (!running.ok) throw new Error('running transition failed');
    for (let step = 1; step <= 10; step++)
      await store.heartbeat(job.id, 'token', {
        leaseMs: 15_000,
        progress: { progress: step, total: 10, message: `step ${step}` },
      });
    const done = await store.transition(
      job.id,
      { from: 'running', ownerToken: 'token' },
      { status: 'completed', result },
    );
    if (!done.ok) throw new Error('completed transition failed');
    const read = await store.get(job.id);
    if (read?.status !== 'completed') throw new Error('lifecycle lost its completion');
  }
  const rate = count / cpuSeconds(start);
  await store.close();
  return rate;
}

/** The same lifecycle on the SDK's InMemoryTaskStore: createTask, updateTaskStatus x11, storeTaskResult, getTask. */
async function sdkLifecycles(count: number): Promise<number> {
  const store = new InMemoryTaskStore();
  const start = process.cpuUsage();
  for (let index = 0; index < count; index++) {
    const task = await store.createTask({ ttl: null }, index, request);
    await store.updateTaskStatus(task.taskId, 'working');
    for (let step = 1; step <= 10; step++)
      await store.updateTaskStatus(task.taskId, 'working', `step ${step}`);
    await store.storeTaskResult(task.taskId, 'completed', result);
    const read = await store.getTask(task.taskId);
    if (read?.status !== 'completed') throw new Error('SDK lifecycle lost its completion');
  }
  const rate = count / cpuSeconds(start);
  store.cleanup();
  return rate;
}

async function lifecycleRow(): Promise<Row> {
  const count = 5000;
  const warmUpCount = 5000;
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < 9; round++) {
    // Alternate who goes first, so neither side always inherits the other's heap.
    const order = round % 2 === 0 ? [ourLifecycles, sdkLifecycles] : [sdkLifecycles, ourLifecycles];
    const rates: number[] = [];
    for (const measure of order) {
      await settle(() => measure(warmUpCount));
      rates.push(await measure(count));
    }
    const [our, their] = round % 2 === 0 ? [rates[0]!, rates[1]!] : [rates[1]!, rates[0]!];
    ours.push(our);
    theirs.push(their);
    ratios.push(our / their);
  }
  const figure = median(ours);
  const baseline = median(theirs);
  const ratio = median(ratios);
  return {
    name: 'lifecycle (create, running, progress x10, completed, get)',
    figure: `${Math.round(figure).toLocaleString('en-US')}/CPU-s`,
    target: 'not slower than SDK',
    baseline: `SDK InMemoryTaskStore ${Math.round(baseline).toLocaleString('en-US')}/CPU-s`,
    ratio: `${ratio.toFixed(2)}x (median of 9 paired rounds)`,
    pass: ratio >= 1,
  };
}

async function listRow(): Promise<Row> {
  const store = createMemoryJobStore();
  const records = 100_000;
  const base = Date.now() - records;
  for (let index = 0; index < records; index++) {
    await store.create({
      label: index % 2 === 0 ? 'even' : 'odd',
      tool: 'bench',
      status: 'pending',
      scope: index % 10 === 0 ? 'alice' : null,
      owner: null,
      leaseToken: null,
      createdAt: base + index,
    });
  }
  const samples: number[] = [];
  const filtered: number[] = [];
  collectGarbage();
  for (let round = 0; round < 50; round++) {
    let start = process.hrtime.bigint();
    const page = await store.list({ limit: 50 });
    samples.push(seconds(start) * 1000);
    if (page.total !== records || page.jobs.length !== 50)
      throw new Error('list returned a wrong page');
    start = process.hrtime.bigint();
    const alice = await store.list({ limit: 50, scope: 'alice', label: 'even' });
    filtered.push(seconds(start) * 1000);
    if (alice.total !== records / 10) throw new Error('filtered list returned a wrong total');
  }
  await store.close();
  const p50 = median(samples);
  const p99 = percentile(samples, 0.99);
  return {
    name: 'list first page (limit 50) of 100,000 records, with total',
    figure: `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (filtered p50 ${median(filtered).toFixed(2)} ms)`,
    target: '< 20 ms',
    baseline: '20 ms target',
    ratio: `${(p99 / 20).toFixed(3)}x of target`,
    pass: p99 < 20,
  };
}

async function waitRow(): Promise<Row> {
  const store = createMemoryJobStore();
  const manager = createJobManager({ store, logger: { warn: () => undefined } });
  const samples: number[] = [];
  collectGarbage();
  for (let round = 0; round < 1000; round++) {
    let finish!: (value: number) => void;
    const task = startInBackground(() => new Promise<number>((resolve) => (finish = resolve)));
    const job = await manager.adopt(task, { tool: 'bench' });
    const waiting = manager.wait(job.id, { timeoutMs: 10_000 });
    await new Promise((resolve) => setImmediate(resolve));
    const start = process.hrtime.bigint();
    finish(round);
    const record = await waiting;
    samples.push(seconds(start) * 1000);
    if (record.status !== 'completed') throw new Error('wait resolved before completion');
  }
  await manager.close();
  await store.close();
  const p99 = percentile(samples, 0.99);
  return {
    name: 'wait() wake-up after an in-process completion',
    figure: `p50 ${median(samples).toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`,
    target: 'p99 < 5 ms',
    baseline: 'SDK default task poll 1000 ms',
    ratio: `${(1000 / p99).toFixed(0)}x sooner`,
    pass: p99 < 5,
  };
}

/** Runs the memory benchmarks and prints one table. */
export async function run(): Promise<void> {
  const rows = [await lifecycleRow(), await listRow(), await waitRow()];
  for (const row of rows) {
    console.log(`${row.pass ? 'PASS' : 'FAIL'}  ${row.name}`);
    console.log(`      figure:   ${row.figure}`);
    console.log(`      target:   ${row.target}`);
    console.log(`      baseline: ${row.baseline}`);
    console.log(`      ratio:    ${row.ratio}`);
  }
}
