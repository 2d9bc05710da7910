// Benchmarks of @sa/mcp/sdk-v2 (SDK v2, protocol 2026-07-28, the Tasks extension). Every request
// goes through createMcpHandler's full per-request pipeline (a fresh McpServer per request) via
// its fetch handler, without sockets, so the figures are the library's and the SDK's cost.
// Run: pnpm --filter @sa/mcp bench (or the root `pnpm bench`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Timers } from '@sa/core';
import {
  createFileJobStore,
  createJobManager,
  createMemoryJobStore,
  type JobManager,
} from '@sa/jobs';
import { McpServer, createMcpHandler, type McpHttpHandler } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { createSmartTools } from '../src/sdk-v2/index';
import { ms, printTable, quantile, sorted, type Row } from './measure';

const extension = 'io.modelcontextprotocol/tasks';
let nextId = 1;

/** One 2026-07-28 JSON-RPC request through the handler; returns the result (throws on an error). */
async function send(
  handler: McpHttpHandler,
  method: string,
  params: Record<string, unknown>,
  name: string,
): Promise<Record<string, unknown>> {
  const response = await handler.fetch(
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': method,
        'mcp-name': name,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method,
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
            'io.modelcontextprotocol/clientCapabilities': { extensions: { [extension]: {} } },
          },
        },
      }),
    }),
  );
  const message = (await response.json()) as {
    result?: Record<string, unknown>;
    error?: unknown;
  };
  if (message.result === undefined) throw new Error(`error answer: ${JSON.stringify(message)}`);
  return message.result;
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** A handler serving smart tools over `jobs` plus a plain `registerTool` twin. */
function serve(
  jobs: JobManager,
  register: (server: McpServer, smart: ReturnType<typeof createSmartTools>) => void,
): McpHttpHandler {
  return createMcpHandler(
    (ctx) => {
      const server = new McpServer({ name: 'bench', version: '1.0.0' });
      register(server, createSmartTools(server, { jobs, budgetMs: 20_000, era: ctx.era }));
      return server;
    },
    { responseMode: 'json' },
  );
}

/** Times `rounds` × 500 calls of each after a warm-up; returns both sample sets. */
async function compare(
  first: () => Promise<unknown>,
  second: () => Promise<unknown>,
  rounds = 10,
): Promise<[number[], number[]]> {
  const time = async (call: () => Promise<unknown>): Promise<number> => {
    const start = performance.now();
    await call();
    return performance.now() - start;
  };
  for (let warm = 0; warm < 1000; warm++) {
    await first();
    await second();
  }
  const a: number[] = [];
  const b: number[] = [];
  // Interleaved call by call (alternating which goes first), so drift and GC hit both alike.
  for (let index = 0; index < rounds * 500; index++) {
    if (index % 2 === 0) {
      a.push(await time(first));
      b.push(await time(second));
    } else {
      b.push(await time(second));
      a.push(await time(first));
    }
  }
  return [a, b];
}

/** tools/call round trip: a v2 smart tool vs a plain v2 registerTool, both returning at once. */
async function roundTrip(): Promise<Row> {
  const jobs = createJobManager({ store: createMemoryJobStore() });
  const handler = serve(jobs, (server, smart) => {
    smart.tool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
      sum: a + b,
    }));
    server.registerTool(
      'plain_add',
      { inputSchema: z.object({ a: z.number(), b: z.number() }) },
      ({ a, b }) => {
        const value = { sum: a + b };
        return {
          content: [{ type: 'text', text: JSON.stringify(value) }],
          structuredContent: value,
        };
      },
    );
  });
  const [smart, plain] = await compare(
    () => send(handler, 'tools/call', { name: 'add', arguments: { a: 1, b: 2 } }, 'add'),
    () =>
      send(handler, 'tools/call', { name: 'plain_add', arguments: { a: 1, b: 2 } }, 'plain_add'),
  );
  await handler.close();
  await jobs.close({ graceMs: 0 });
  const smartP50 = quantile(sorted(smart), 0.5);
  const plainP50 = quantile(sorted(plain), 0.5);
  return {
    name: 'v2 tools/call round trip, createMcpHandler (p50)',
    figure: ms(smartP50),
    target: 'ratio <= 1.10',
    baseline: `plain v2 registerTool ${ms(plainP50)}`,
    ratio: (smartP50 / plainP50).toFixed(3),
    pass: smartP50 / plainP50 <= 1.1,
  };
}

/** tasks/get round trip vs a plain v2 tool call round trip, same handler, same run. */
async function tasksGet(): Promise<Row> {
  const jobs = createJobManager({ store: createMemoryJobStore() });
  const release = deferred();
  const handler = serve(jobs, (server, smart) => {
    smart.tool('wait', {}, () => release.promise);
    server.registerTool(
      'plain_add',
      { inputSchema: z.object({ a: z.number(), b: z.number() }) },
      ({ a, b }) => {
        const value = { sum: a + b };
        return {
          content: [{ type: 'text', text: JSON.stringify(value) }],
          structuredContent: value,
        };
      },
    );
  });
  const created = await send(
    handler,
    'tools/call',
    { name: 'wait', arguments: { async_mode: true } },
    'wait',
  );
  const taskId = created['taskId'] as string;
  const [get, plain] = await compare(
    () => send(handler, 'tasks/get', { taskId }, taskId),
    () =>
      send(handler, 'tools/call', { name: 'plain_add', arguments: { a: 1, b: 2 } }, 'plain_add'),
  );
  release.resolve();
  await handler.close();
  await jobs.close({ graceMs: 1000 });
  const getP50 = quantile(sorted(get), 0.5);
  const plainP50 = quantile(sorted(plain), 0.5);
  return {
    name: 'v2 tasks/get round trip, memory store (p50)',
    figure: ms(getP50),
    target: 'ratio <= 1.2',
    baseline: `plain v2 tool call ${ms(plainP50)}`,
    ratio: (getP50 / plainP50).toFixed(3),
    pass: getP50 / plainP50 <= 1.2,
  };
}

/** Timers that note when the budget's timer (the one set for exactly `budgetMs`) fires. */
function budgetTimers(budgetMs: number, fired: number[]): Timers {
  return {
    setTimeout: (callback, delayMs) =>
      setTimeout(
        delayMs > 0 && delayMs <= budgetMs
          ? () => {
              fired.push(performance.now());
              callback();
            }
          : callback,
        delayMs,
      ),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
}

/** Budget expiry → the client holds the CreateTaskResult, file store (durable before the reply). */
async function budgetToTask(directory: string): Promise<Row> {
  const budgetMs = 20;
  const fired: number[] = [];
  const store = createFileJobStore({ directory });
  const timers = budgetTimers(budgetMs, fired);
  const jobs = createJobManager({ store, timers, concurrency: 10_000 });
  const release = deferred();
  const handler = createMcpHandler(
    (ctx) => {
      const server = new McpServer({ name: 'bench', version: '1.0.0' });
      createSmartTools(server, { jobs, budgetMs, era: ctx.era, timers }).tool(
        'wait',
        {},
        () => release.promise,
      );
      return server;
    },
    { responseMode: 'json' },
  );
  const samples: number[] = [];
  for (let index = 0; index < 220; index++) {
    fired.length = 0;
    const result = await send(handler, 'tools/call', { name: 'wait', arguments: {} }, 'wait');
    const received = performance.now();
    if (result['resultType'] !== 'task')
      throw new Error(`expected a task, got ${JSON.stringify(result)}`);
    if (index >= 20) samples.push(received - fired[0]!);
  }
  release.resolve();
  // Baseline: one durable create in the same store (what the task must wait for).
  const creates: number[] = [];
  for (let index = 0; index < 200; index++) {
    const start = performance.now();
    await store.create({
      label: 'baseline',
      tool: 'baseline',
      status: 'running',
      scope: null,
      owner: null,
      leaseToken: null,
    });
    creates.push(performance.now() - start);
  }
  await handler.close();
  await jobs.close({ graceMs: 5000 });
  await store.close();
  const ordered = sorted(samples);
  const createOrdered = sorted(creates);
  const p99 = quantile(ordered, 0.99);
  return {
    name: 'v2 budget expiry → CreateTaskResult held, file store (p99)',
    figure: `${ms(p99)} (p50 ${ms(quantile(ordered, 0.5))})`,
    target: 'p99 < 10 ms',
    baseline: `file store create p99 ${ms(quantile(createOrdered, 0.99))} (p50 ${ms(quantile(createOrdered, 0.5))})`,
    ratio: `p50 ${(quantile(ordered, 0.5) / quantile(createOrdered, 0.5)).toFixed(2)}`,
    pass: p99 < 10,
  };
}

/**
 * Completion → a client polling tasks/get at the pollIntervalMs the task suggests (default
 * 1000 ms) sees `completed`. 40 tasks run at once, each finishing at a random moment.
 */
async function completionToPoller(): Promise<Row> {
  const jobs = createJobManager({ store: createMemoryJobStore(), concurrency: 1000 });
  const finishedAt = new Map<string, number>();
  const handler = serve(jobs, (_server, smart) => {
    smart.tool(
      'sleep',
      { inputSchema: { key: z.string(), ms: z.number() } },
      async ({ key, ms: delay }) => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        finishedAt.set(key, performance.now());
        return { key };
      },
    );
  });
  const one = async (index: number): Promise<number> => {
    const key = `k${index}`;
    const created = await send(
      handler,
      'tools/call',
      { name: 'sleep', arguments: { key, ms: 200 + Math.random() * 2000, async_mode: true } },
      'sleep',
    );
    const taskId = created['taskId'] as string;
    const interval = created['pollIntervalMs'] as number;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, interval));
      const task = await send(handler, 'tasks/get', { taskId }, taskId);
      if (task['status'] === 'completed') return performance.now() - finishedAt.get(key)!;
    }
  };
  const samples = await Promise.all(Array.from({ length: 40 }, (_, index) => one(index)));
  await handler.close();
  await jobs.close({ graceMs: 0 });
  const ordered = sorted(samples);
  return {
    name: 'v2 completion → polling client sees it (pollIntervalMs 1000)',
    figure: `p50 ${ms(quantile(ordered, 0.5))}, p99 ${ms(quantile(ordered, 0.99))}`,
    target: 'report',
    baseline: 'poll interval 1000 ms',
    ratio: '-',
    pass: undefined,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const directory = await mkdtemp(join(tmpdir(), 'sa-mcp-v2-bench-'));
  try {
    // `node bench/sdk-v2.ts round-trip tasks-get` runs only the named benchmarks.
    const only = process.argv.slice(2);
    const wanted = (name: string): boolean => only.length === 0 || only.includes(name);
    if (wanted('round-trip')) rows.push(await roundTrip());
    if (wanted('tasks-get')) rows.push(await tasksGet());
    if (wanted('budget')) rows.push(await budgetToTask(join(directory, 'budget')));
    if (wanted('completion')) rows.push(await completionToPoller());
  } finally {
    printTable(rows);
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
