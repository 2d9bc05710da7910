// How the cost of smart tools grows with the work: 100, 1,000 and 10,000 calls of a trivial
// smart tool promoted at once, on the memory and the file store. The handler reports progress
// every 100 ms and runs 10 s past its budget. Only the public API is used: registerSmartTool,
// createJobManager and the JobStore interface (wrapped to count writes).
// The baseline of the same run: the same handlers started bare by @sa/core's
// startInBackground (no MCP, no job manager, no store), so the table shows what the stack adds
// to what the runtime itself costs (on Node 20, AsyncLocalStorage's promise hooks).
// Run alone: pnpm --filter @sa/mcp bench -- --scaling-only [--jobs=100,1000] [--skip-memory]
// [--skip-file] [--heap-snapshot] [--lag-log] (--lag-log prints every loop delay over 50 ms).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startInBackground, type WorkContext } from '@sa/core';
import {
  createFileJobStore,
  createJobManager,
  createMemoryJobStore,
  type JobStore,
} from '@sa/jobs';
import { registerSmartTool } from '../src/index';
import { ms, printTable, quantile, sorted, type Row } from './measure';

/** The budget of every call; the handler runs this plus `pastBudgetMs`. */
const budgetMs = 1000;
const pastBudgetMs = 10_000;
const progressEveryMs = 100;
/** The file store's targets at 10,000 jobs (issue 14, section 5). */
const targetLoopP99Ms = 50;
const targetHeapPerJobBytes = 4096;

/** The store operations that write. */
const writeMethods = new Set([
  'create',
  'transition',
  'heartbeat',
  'requestCancel',
  'appendOutput',
  'setCursor',
  'reapExpired',
  'prune',
]);

/** The store with every write counted (a plain wrapper over the public `JobStore` interface). */
function countingStore(inner: JobStore): { store: JobStore; writes: () => number } {
  let writes = 0;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof property === 'string' && writeMethods.has(property)) {
        return (...args: unknown[]) => {
          writes += 1;
          return (value as (...args: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return { store, writes: () => writes };
}

/**
 * Samples the event loop's delay: a timer every `everyMs` notes how late it fired. A loop
 * blocked for a second yields one sample of a second (the histogram of `monitorEventLoopDelay`
 * recorded no sample at all when 10,000 jobs saturated the loop).
 */
function sampleLoopDelay(everyMs = 10): { stop(): number[] } {
  const lags: number[] = [];
  const startedAt = performance.now();
  const logLags = process.argv.includes('--lag-log');
  let expected = performance.now() + everyMs;
  let handle: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    if (logLags && now - expected > 50)
      console.error(
        `[scaling] t=${((now - startedAt) / 1000).toFixed(2)} s: loop delay ${(now - expected).toFixed(0)} ms`,
      );
    expected = now + everyMs;
    handle = setTimeout(tick, everyMs);
  };
  handle = setTimeout(tick, everyMs);
  return {
    stop() {
      clearTimeout(handle);
      return lags;
    },
  };
}

const pause = (delayMs: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, delayMs));

/** The handler of every configuration: progress every 100 ms for `budgetMs + pastBudgetMs`. */
async function tick({
  reportProgress,
  signal,
}: Pick<WorkContext, 'reportProgress' | 'signal'>): Promise<{ steps: number }> {
  const end = performance.now() + budgetMs + pastBudgetMs;
  let step = 0;
  while (performance.now() < end && !signal.aborted) {
    await pause(progressEveryMs);
    step += 1;
    reportProgress({ progress: step });
  }
  return { steps: step };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

/**
 * The heap in use once garbage is collected and the finalizers and close callbacks of earlier
 * configurations have run (a bare `gc()` right after one left their memory in the next
 * configuration's figure: -63 KB per job at 100 jobs).
 */
async function settledHeapUsed(): Promise<number> {
  collectGarbage();
  await pause(50);
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

interface ScalingResult {
  store: 'memory' | 'file' | 'bare';
  jobs: number;
  loopP99Ms: number;
  loopMaxMs: number;
  heapPerJobBytes: number;
  writesPerSecond: number;
  expiryToLastHandleMs: number;
  runSeconds: number;
}

/** One configuration: `count` calls at once, each promoted at its budget, run to completion. */
async function scale(
  storeName: 'memory' | 'file',
  count: number,
  directory: string,
): Promise<ScalingResult> {
  const inner =
    storeName === 'memory'
      ? createMemoryJobStore()
      : createFileJobStore({ directory: join(directory, `scaling-${count}`) });
  const { store, writes } = countingStore(inner);
  let firstBudgetStart = Number.POSITIVE_INFINITY;
  const jobs = createJobManager({ store, concurrency: count + 1 });
  const server = new McpServer({ name: 'scaling', version: '1.0.0' });
  registerSmartTool(
    server,
    'tick',
    {},
    (_args, context) => {
      // The budget starts as the handler is called: the first call's budget expires first.
      firstBudgetStart = Math.min(firstBudgetStart, performance.now());
      return tick(context);
    },
    { jobs, budgetMs },
  );
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'scaling-bench', version: '1.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);

  const heapBefore = await settledHeapUsed();
  const loop = sampleLoopDelay();
  const writesBefore = writes();
  const started = performance.now();
  let lastHandle = 0;
  const handles = await Promise.all(
    Array.from({ length: count }, async () => {
      const result = (await client.callTool({ name: 'tick', arguments: {} }, undefined, {
        timeout: 600_000,
      })) as CallToolResult;
      lastHandle = Math.max(lastHandle, performance.now());
      const handle = result.structuredContent as { job_id?: string; smart_async?: boolean };
      if (handle.smart_async !== true || handle.job_id === undefined)
        throw new Error(`expected a job handle, got ${JSON.stringify(result).slice(0, 200)}`);
      return handle.job_id;
    }),
  );
  const expiry = firstBudgetStart + budgetMs;
  // Heap while every job runs promoted: what each job costs while it is alive.
  const heapPerJobBytes = ((await settledHeapUsed()) - heapBefore) / count;
  if (process.argv.includes('--heap-snapshot'))
    console.error(`[scaling] heap snapshot: ${writeHeapSnapshot()}`);
  for (const id of handles) {
    const record = await jobs.wait(id, { timeoutMs: 600_000 });
    if (record.status !== 'completed') throw new Error(`job ${id} ended ${record.status}`);
  }
  const elapsedMs = performance.now() - started;
  const lags = sorted(loop.stop());
  const writesPerSecond = (writes() - writesBefore) / (elapsedMs / 1000);
  await client.close();
  await jobs.close({ graceMs: 1000 });
  await inner.close();
  return {
    store: storeName,
    jobs: count,
    loopP99Ms: quantile(lags, 0.99),
    loopMaxMs: lags.at(-1) ?? 0,
    heapPerJobBytes,
    writesPerSecond,
    expiryToLastHandleMs: lastHandle - expiry,
    runSeconds: elapsedMs / 1000,
  };
}

/**
 * The baseline: the same handlers started at once by `startInBackground`, each with a progress
 * listener, and nothing else (no MCP, no job manager, no store).
 */
async function bare(count: number): Promise<ScalingResult> {
  const heapBefore = await settledHeapUsed();
  const loop = sampleLoopDelay();
  const started = performance.now();
  let progressSeen = 0;
  const tasks = Array.from({ length: count }, () => {
    const task = startInBackground(tick);
    task.onProgress(() => {
      progressSeen += 1;
    });
    return task;
  });
  const lastStart = performance.now();
  await pause(budgetMs);
  const heapPerJobBytes = ((await settledHeapUsed()) - heapBefore) / count;
  await Promise.all(tasks.map((task) => task.result));
  const elapsedMs = performance.now() - started;
  const lags = sorted(loop.stop());
  if (progressSeen === 0) throw new Error('the bare handlers reported no progress');
  return {
    store: 'bare',
    jobs: count,
    loopP99Ms: quantile(lags, 0.99),
    loopMaxMs: lags.at(-1) ?? 0,
    heapPerJobBytes,
    writesPerSecond: 0,
    expiryToLastHandleMs: lastStart - started,
    runSeconds: elapsedMs / 1000,
  };
}

/** The baseline rows: what the runtime costs for the same handlers, before any of the stack. */
function bareRows(result: ScalingResult): Row[] {
  const label = `bare handlers (startInBackground, no MCP, no store), ${result.jobs.toLocaleString('en-US')} jobs`;
  return [
    {
      name: `scaling, ${label}: event-loop delay p99`,
      figure: `${ms(result.loopP99Ms)} (max ${ms(result.loopMaxMs)}, run ${result.runSeconds.toFixed(1)} s)`,
      target: 'baseline',
      baseline: '-',
      ratio: '-',
      pass: undefined,
    },
    {
      name: `scaling, ${label}: heap per running job`,
      figure: `${(result.heapPerJobBytes / 1024).toFixed(2)} KB`,
      target: 'baseline',
      baseline: '-',
      ratio: '-',
      pass: undefined,
    },
  ];
}

function rowsOf(result: ScalingResult, baseline: ScalingResult): Row[] {
  const label = `${result.store} store, ${result.jobs.toLocaleString('en-US')} jobs`;
  const targeted = result.store === 'file' && result.jobs === 10_000;
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(2)} KB`;
  const growth = (value: number, base: number): string => `${(value / base).toFixed(2)}x`;
  const baseName = `${baseline.jobs} jobs`;
  return [
    {
      name: `scaling, ${label}: event-loop delay p99`,
      figure: `${ms(result.loopP99Ms)} (max ${ms(result.loopMaxMs)}, run ${result.runSeconds.toFixed(1)} s)`,
      target: targeted ? `p99 < ${targetLoopP99Ms} ms` : 'report',
      baseline: `${baseName}: ${ms(baseline.loopP99Ms)}`,
      ratio: growth(result.loopP99Ms, baseline.loopP99Ms),
      pass: targeted ? result.loopP99Ms < targetLoopP99Ms : undefined,
    },
    {
      name: `scaling, ${label}: heap per running job`,
      figure: kb(result.heapPerJobBytes),
      target: targeted ? `< ${kb(targetHeapPerJobBytes)}` : 'report',
      baseline: `${baseName}: ${kb(baseline.heapPerJobBytes)}`,
      ratio: growth(result.heapPerJobBytes, baseline.heapPerJobBytes),
      pass: targeted ? result.heapPerJobBytes < targetHeapPerJobBytes : undefined,
    },
    {
      name: `scaling, ${label}: store writes per second`,
      figure: `${result.writesPerSecond.toFixed(0)}/s (${(result.writesPerSecond / result.jobs).toFixed(2)} per job)`,
      target: 'report',
      baseline: `${baseName}: ${baseline.writesPerSecond.toFixed(0)}/s`,
      ratio: growth(result.writesPerSecond, baseline.writesPerSecond),
      pass: undefined,
    },
    {
      name: `scaling, ${label}: first budget expiry → last handle`,
      figure: ms(result.expiryToLastHandleMs),
      target: 'report',
      baseline: `${baseName}: ${ms(baseline.expiryToLastHandleMs)}`,
      ratio: growth(result.expiryToLastHandleMs, baseline.expiryToLastHandleMs),
      pass: undefined,
    },
  ];
}

/** Runs the scaling table (`--jobs=100,1000` picks the sizes; default 100, 1,000 and 10,000). */
export async function runScalingBenchmark(): Promise<void> {
  const option = process.argv.find((argument) => argument.startsWith('--jobs='));
  const sizes =
    option === undefined
      ? [100, 1000, 10_000]
      : option.slice('--jobs='.length).split(',').map(Number);
  const stores = (['memory', 'file'] as const).filter(
    (name) => !process.argv.includes(`--skip-${name}`),
  );
  const directory = await mkdtemp(join(tmpdir(), 'sa-mcp-scaling-'));
  try {
    const bareResult = await bare(Math.max(...sizes));
    console.error(`[scaling] ${JSON.stringify(bareResult)}`);
    const rows: Row[] = bareRows(bareResult);
    for (const storeName of stores) {
      const results: ScalingResult[] = [];
      for (const count of sizes) {
        const result = await scale(storeName, count, directory);
        results.push(result);
        console.error(`[scaling] ${JSON.stringify(result)}`);
      }
      for (const result of results) rows.push(...rowsOf(result, results[0]!));
    }
    printTable(rows);
  } finally {
    await rm(directory, { recursive: true, force: true, maxRetries: 5 });
  }
}
