// Benchmarks of the python-runner: tool overhead against spawning python directly, and the
// server's event-loop delay while 50 promoted jobs report progress. Ratios from one run.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { benchTaskPolling } from './task-polling';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { resolveConfig, type PythonRunnerConfig } from '../src/config';
import { createStderrLogger } from '../src/logger';
import { probePython } from '../src/python/interpreter';
import { createPythonRunnerServer, type PythonRunnerServer } from '../src/server';
import { benchReplicas } from './replicas';

const iterations = 40;
const concurrentJobs = Number(process.env.BENCH_JOBS ?? 50);

/** Time the main thread has run and waited for a CPU (Linux `/proc/self/schedstat`), in ms. */
async function schedulerTimes(): Promise<{ ranMs: number; waitedMs: number } | undefined> {
  try {
    const [ran, waited] = (await readFile('/proc/self/schedstat', 'utf8')).split(' ').map(Number);
    if (ran === undefined || waited === undefined) return undefined;
    return { ranMs: ran / 1e6, waitedMs: waited / 1e6 };
  } catch {
    return undefined;
  }
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function spawnPython(python: string, directory: string, script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', () => resolve());
  });
}

/** A server of `config` and an SDK client connected in process; `call` returns a tool's JSON text. */
async function startInProcess(config: PythonRunnerConfig): Promise<{
  server: PythonRunnerServer;
  client: Client;
  call: (name: string, args: Record<string, unknown>) => Promise<Record<string, unknown>>;
}> {
  const server = await createPythonRunnerServer({
    config,
    logger: createStderrLogger({ quiet: true }),
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.createMcpServer().connect(serverTransport);
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(clientTransport);
  const call = async (
    name: string,
    args: Record<string, unknown>,
  ): Promise<Record<string, unknown>> => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const first = result.content[0];
    if (result.isError || first?.type !== 'text')
      throw new Error(`${name} failed: ${JSON.stringify(result)}`);
    return JSON.parse(first.text) as Record<string, unknown>;
  };
  return { server, client, call };
}

async function main(): Promise<void> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'sa-bench-')));
  await writeFile(join(root, 'hi.py'), 'print("hi")\n');
  const config = resolveConfig({
    roots: [root],
    dataDirectory: join(root, 'data'),
    inlineTimeoutSeconds: 0.2,
    maxConcurrentJobs: concurrentJobs,
  });
  // The interpreter the server resolves `python3` to (it runs scripts with sys.executable).
  const { executable: python } = await probePython('python3');
  const { server, client, call } = await startInProcess(config);
  // The old behaviour (scripts run by the server's own launcher), for comparison.
  const inServer = await startInProcess(
    resolveConfig({ ...config, dataDirectory: join(root, 'data-in-server'), stopJobsOnExit: true }),
  );

  // 1. print("hi") through the tool vs spawning the same python directly, interleaved.
  const direct: number[] = [];
  const throughTool: number[] = [];
  const throughServer: number[] = [];
  for (let index = 0; index < 5; index += 1) {
    await spawnPython(python, root, 'hi.py');
    await call('py_run_script_in_dir_v2', { directory: root, script_path: 'hi.py' });
    await inServer.call('py_run_script_in_dir_v2', { directory: root, script_path: 'hi.py' });
  }
  for (let index = 0; index < iterations; index += 1) {
    let started = performance.now();
    await spawnPython(python, root, 'hi.py');
    direct.push(performance.now() - started);
    started = performance.now();
    await call('py_run_script_in_dir_v2', { directory: root, script_path: 'hi.py' });
    throughTool.push(performance.now() - started);
    started = performance.now();
    await inServer.call('py_run_script_in_dir_v2', { directory: root, script_path: 'hi.py' });
    throughServer.push(performance.now() - started);
  }
  const directP50 = percentile(direct, 0.5);
  const toolP50 = percentile(throughTool, 0.5);
  const serverP50 = percentile(throughServer, 0.5);
  console.log(`print("hi"), ${iterations} runs each, p50:`);
  console.log(`  spawn ${python} directly: ${directP50.toFixed(1)} ms`);
  console.log(
    `  py_run_script_in_dir_v2 (inline, in-process client, script run by the supervisor): ${toolP50.toFixed(1)} ms`,
  );
  console.log(`  ratio ${(toolP50 / directP50).toFixed(2)} (target < 1.30)`);
  console.log(
    `  the same with --stop-jobs-on-exit (script run by the server's launcher): ${serverP50.toFixed(1)} ms, ratio ${(serverP50 / directP50).toFixed(2)}`,
  );
  console.log(`  (load average ${loadavg()[0]?.toFixed(1)}, ${availableParallelism()} CPUs)`);

  await inServer.client.close();
  await inServer.server.close();
  await client.close();
  await server.close();

  // 2. 50 concurrent promoted jobs reporting progress: event-loop delay of the server process.
  console.log(
    `${concurrentJobs} concurrent promoted jobs, 40 progress lines and 40 output lines each over 2 s:`,
  );
  for (const [store, follow] of [
    ['memory', 'wait'],
    ['file', 'wait'],
    ['file', 'long-poll'],
  ] as const) {
    const figures = await measureConcurrentJobs(root, store, follow);
    console.log(
      `  ${store} store, followed by ${follow === 'wait' ? 'manager.wait' : 'py_job_status wait_seconds'}: ` +
        `while they run, event-loop delay p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms, max ${figures.max.toFixed(1)} ms ` +
        `(target p99 < 20 ms); longest block while starting them ${figures.startMax.toFixed(0)} ms ` +
        `(${figures.promoted} promoted, ${figures.elapsedMs.toFixed(0)} ms in all)`,
    );
    if (figures.scheduler) {
      console.log(
        `    while they run (${figures.scheduler.windowMs.toFixed(0)} ms), the server's main thread ran ${figures.scheduler.ranMs.toFixed(0)} ms ` +
          `and waited ${figures.scheduler.waitedMs.toFixed(0)} ms for a CPU (load average ${loadavg()[0]?.toFixed(1)}, ${availableParallelism()} CPUs)`,
      );
    }
  }
  // 3. A 2026-07-28 task followed by polling tasks/get at the default pollIntervalMs.
  await benchTaskPolling(root);
  await rm(root, { recursive: true, force: true });
  await benchReplicas();
}

async function measureConcurrentJobs(
  root: string,
  store: 'memory' | 'file',
  follow: 'wait' | 'long-poll',
): Promise<{
  p50: number;
  p99: number;
  max: number;
  startMax: number;
  promoted: number;
  elapsedMs: number;
  scheduler: { windowMs: number; ranMs: number; waitedMs: number } | undefined;
}> {
  const config = resolveConfig({
    roots: [root],
    dataDirectory: join(root, `data-${store}-${follow}`),
    inlineTimeoutSeconds: 0.2,
    maxConcurrentJobs: concurrentJobs,
    store,
  });
  const { server, client, call } = await startInProcess(config);
  const script =
    'import time\nfor i in range(1, 41):\n    print(f"::progress {i}/40 step {i}", flush=True)\n    print("line", i, flush=True)\n    time.sleep(0.05)\n';
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const started = performance.now();
  histogram.enable();
  const handles = await Promise.all(
    Array.from({ length: concurrentJobs }, () =>
      call('py_run_script_in_dir_v2', { directory: root, script_content: script }),
    ),
  );
  const jobIds = handles.flatMap((handle) =>
    typeof handle.job_id === 'string' ? [handle.job_id] : [],
  );
  // The start (50 spawns, each a synchronous fork) is measured apart from the run that follows.
  const startMax = histogram.max / 1e6;
  histogram.reset();
  // Event-loop delay counts time the process waited for a CPU too: on a loaded machine with 50
  // Python children, that is most of it. The scheduler's figures tell the two apart.
  const schedulerBefore = await schedulerTimes();
  const windowStarted = performance.now();
  await Promise.all(
    jobIds.map(async (jobId) => {
      for (;;) {
        const status =
          follow === 'wait'
            ? (await server.services.jobs.wait(jobId, { timeoutMs: 10_000 })).status
            : (
                (await call('py_job_status', { job_id: jobId, wait_seconds: 5 })) as {
                  job: { status: string };
                }
              ).job.status;
        if (status !== 'pending' && status !== 'running') return;
      }
    }),
  );
  histogram.disable();
  const schedulerAfter = await schedulerTimes();
  const windowMs = performance.now() - windowStarted;
  const elapsedMs = performance.now() - started;
  await client.close();
  await server.close();
  return {
    p50: histogram.percentile(50) / 1e6,
    p99: histogram.percentile(99) / 1e6,
    max: histogram.max / 1e6,
    startMax,
    promoted: jobIds.length,
    elapsedMs,
    scheduler:
      schedulerBefore && schedulerAfter
        ? {
            windowMs,
            ranMs: schedulerAfter.ranMs - schedulerBefore.ranMs,
            waitedMs: schedulerAfter.waitedMs - schedulerBefore.waitedMs,
          }
        : undefined,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
