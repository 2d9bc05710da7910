// Cross-replica cancel latency: two sa-python-runner processes over Streamable HTTP share a
// Redis or PostgreSQL store; a job runs on A, `py_cancel_job` is called on B, and the clock
// stops when A's Python process is gone. Baseline (same run): one `py_job_status` call on B.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import type { HttpReplica } from '../src/testing/http-replica';
import { shouldRunServiceTests, startHttpReplica } from '../src/testing/http-replica';
import { isAlive } from '../src/testing/is-alive';
import { callJson } from '../src/testing/stdio-server';

const rounds = Number(process.env.BENCH_REPLICA_ROUNDS ?? 30);

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

async function dropNamespace(
  kind: 'redis' | 'postgres',
  url: string,
  namespace: string,
): Promise<void> {
  if (kind === 'redis') {
    const admin = createClient({ url });
    await admin.connect();
    const keys: string[] = [];
    for await (const batch of admin.scanIterator({ MATCH: `${namespace}*`, COUNT: 500 }))
      keys.push(...batch);
    if (keys.length > 0) await admin.del(keys);
    await admin.close();
    return;
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
  await admin.end();
}

async function measure(kind: 'redis' | 'postgres', url: string): Promise<void> {
  const root = await realpath(await mkdtemp(join(tmpdir(), `sa-bench-replicas-${kind}-`)));
  const namespace =
    kind === 'redis'
      ? `sa-bench:${randomBytes(6).toString('hex')}:`
      : `sa_bench_${randomBytes(6).toString('hex')}`;
  const token = randomBytes(12).toString('hex');
  // Default lease (15 s) and heartbeat (5 s): the cancel travels by the store's push hint.
  const common = ['--root', root, '--store', kind, '--store-url', url, '--store-prefix', namespace];
  let a: HttpReplica | undefined;
  let b: HttpReplica | undefined;
  try {
    a = await startHttpReplica([...common, '--data-dir', join(root, 'a')], token);
    b = await startHttpReplica([...common, '--data-dir', join(root, 'b')], token);
    const cancelMs: number[] = [];
    const statusMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const pidFile = join(root, `${String(round)}.pid`);
      const started = await callJson<{ job_id: string }>(a.client, 'py_run_script_in_dir_v2', {
        directory: root,
        script_content: `import os, time\nopen(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))\ntime.sleep(60)`,
        async_mode: true,
      });
      const jobId = started.json.job_id;
      const pid = await until(async () => {
        const text = (await readFile(pidFile, 'utf8').catch(() => '')).trim();
        return text === '' ? undefined : Number(text);
      });
      const replicaB = b;
      await until(async () => {
        const before = performance.now();
        const { json } = await callJson<{ job: { status: string } }>(
          replicaB.client,
          'py_job_status',
          {
            job_id: jobId,
          },
        );
        statusMs.push(performance.now() - before);
        return json.job.status === 'running' ? true : undefined;
      });
      const begin = performance.now();
      await callJson(b.client, 'py_cancel_job', { job_id: jobId });
      while (isAlive(pid)) await new Promise((resolve) => setImmediate(resolve));
      cancelMs.push(performance.now() - begin);
    }
    const cancelP50 = percentile(cancelMs, 0.5);
    const statusP50 = percentile(statusMs, 0.5);
    console.log(
      `  ${kind}: cancel on B → python process gone on A: p50 ${cancelP50.toFixed(1)} ms, p99 ${percentile(cancelMs, 0.99).toFixed(1)} ms ` +
        `(${String(rounds)} rounds); baseline one py_job_status call on B p50 ${statusP50.toFixed(1)} ms, p99 ${percentile(statusMs, 0.99).toFixed(1)} ms; ` +
        `ratio ${(cancelP50 / statusP50).toFixed(1)}x; heartbeat backstop 5000 ms`,
    );
  } finally {
    await Promise.all([a?.stop(), b?.stop()]);
    await dropNamespace(kind, url, namespace).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}

/** Prints the cross-replica cancel latency for Redis and PostgreSQL (a missing server is skipped with a note). */
export async function benchReplicas(): Promise<void> {
  console.log('Cross-replica cancel (two HTTP replicas, one shared store):');
  const targets = [
    { kind: 'redis' as const, url: 'redis://127.0.0.1:6379', port: 6379, service: 'Redis' },
    {
      kind: 'postgres' as const,
      url: 'postgres://postgres@127.0.0.1:5432/test',
      port: 5432,
      service: 'PostgreSQL',
    },
  ];
  for (const target of targets) {
    if (!(await shouldRunServiceTests(target.service, '127.0.0.1', target.port))) continue;
    await measure(target.kind, target.url);
  }
}
