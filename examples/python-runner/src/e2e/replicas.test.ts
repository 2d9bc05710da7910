import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpReplica } from '../testing/http-replica';
import { shouldRunServiceTests, startHttpReplica } from '../testing/http-replica';
import { request2026 } from '../testing/dist-server';
import { isAlive } from '../testing/is-alive';
import { callJson, eventually, packageDirectory, serverCommand } from '../testing/stdio-server';

interface JobStatus {
  job: {
    job_id: string;
    status: string;
    progress: { progress: number; total?: number } | null;
    new_stdout: string;
  };
}

const redisUrl = 'redis://127.0.0.1:6379';
const postgresUrl = 'postgres://postgres@127.0.0.1:5432/test';
const runRedis = await shouldRunServiceTests('Redis', '127.0.0.1', 6379);
const runPostgres = await shouldRunServiceTests('PostgreSQL', '127.0.0.1', 5432);

/** Lease and heartbeat shortened for the test (the defaults are 15 s and 5 s). */
const leaseSeconds = 3;
const heartbeatSeconds = 0.5;

/** One store the replicas share, isolated per run by its own key prefix or schema. */
interface SharedStore {
  kind: 'redis' | 'postgres';
  run: boolean;
  url: string;
  namespace(): string;
  drop(namespace: string): Promise<void>;
}

const stores: SharedStore[] = [
  {
    kind: 'redis',
    run: runRedis,
    url: redisUrl,
    namespace: () => `sa-e2e:${randomBytes(6).toString('hex')}:`,
    async drop(prefix) {
      const admin = createClient({ url: redisUrl });
      admin.on('error', () => undefined);
      await admin.connect();
      try {
        const keys: string[] = [];
        for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 }))
          keys.push(...batch);
        if (keys.length > 0) await admin.del(keys);
      } finally {
        await admin.close();
      }
    },
  },
  {
    kind: 'postgres',
    run: runPostgres,
    url: postgresUrl,
    namespace: () => `sa_e2e_${randomBytes(6).toString('hex')}`,
    async drop(schema) {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  },
];

// Writes its pid to a file, then prints a line and a progress line every 0.2 s for a minute.
const slowScript = (pidFile: string): string =>
  [
    'import os, time',
    `open(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))`,
    'for step in range(1, 301):',
    '    print(f"tick {step}", flush=True)',
    '    print(f"::progress {step}/300 working", flush=True)',
    '    time.sleep(0.2)',
  ].join('\n');

async function readPid(pidFile: string): Promise<number> {
  return eventually(async () => {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    return text.trim() === '' ? undefined : Number(text.trim());
  });
}

async function status(
  replica: HttpReplica,
  jobId: string,
  waitSeconds = 0,
): Promise<JobStatus['job']> {
  const { json, text } = await callJson<JobStatus>(
    replica.client,
    'py_job_status',
    { job_id: jobId, wait_seconds: waitSeconds },
    { timeout: 60_000 },
  );
  if (json?.job === undefined) throw new Error(`py_job_status failed: ${text}`);
  return json.job;
}

async function startJob(replica: HttpReplica, root: string, script: string): Promise<string> {
  const { json, text } = await callJson<{ job_id: string }>(
    replica.client,
    'py_run_script_in_dir_v2',
    { directory: root, script_content: script, async_mode: true },
  );
  if (typeof json?.job_id !== 'string') throw new Error(`no job started: ${text}`);
  return json.job_id;
}

describe.each(stores)('two replicas sharing the $kind store', (store) => {
  const token = randomBytes(12).toString('hex');
  const namespace = store.namespace();
  let root: string;
  let a: HttpReplica;
  let b: HttpReplica;
  const strayPids: number[] = [];

  beforeAll(async () => {
    if (!store.run) return;
    root = await realpath(await mkdtemp(join(tmpdir(), `sa-e2e-replicas-${store.kind}-`)));
    const common = [
      '--root',
      root,
      '--store',
      store.kind,
      '--store-url',
      store.url,
      '--store-prefix',
      namespace,
      '--lease-seconds',
      String(leaseSeconds),
      '--heartbeat-seconds',
      String(heartbeatSeconds),
      // Each replica runs its own scripts, so that kill -9 of A is the death of its jobs' owner
      // (scripts under the supervisor, which outlive their server, are tested in supervisor.test.ts).
      '--stop-jobs-on-exit',
    ];
    // Start one first, so only one of them migrates a new PostgreSQL schema under load.
    a = await startHttpReplica([...common, '--data-dir', join(root, 'a')], token);
    b = await startHttpReplica([...common, '--data-dir', join(root, 'b')], token);
  }, 90_000);

  afterAll(async () => {
    if (!store.run) return;
    await Promise.all([a?.stop(), b?.stop()]);
    for (const pid of strayPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await store.drop(namespace);
  }, 30_000);

  it.runIf(store.run)(
    'a slow job started on A shows running, with progress and new output, on B',
    async () => {
      const pidFile = join(root, 'follow.pid');
      const jobId = await startJob(a, root, slowScript(pidFile));
      strayPids.push(await readPid(pidFile));
      const first = await eventually(async () => {
        const job = await status(b, jobId, 2);
        return job.progress !== null && job.new_stdout.includes('tick') ? job : undefined;
      }, 20_000);
      expect(first.status).toBe('running');
      const firstProgress = first.progress?.progress ?? 0;
      // Later polls on B get only what is new, and progress moves on.
      const later = await eventually(async () => {
        const job = await status(b, jobId, 2);
        // A poll may land between a progress line and the next tick: wait for a tick.
        return (job.progress?.progress ?? 0) > firstProgress && /tick \d+/.test(job.new_stdout)
          ? job
          : undefined;
      }, 20_000);
      expect(later.status).toBe('running');
      expect(later.new_stdout).not.toContain('tick 1\n');
      expect(later.new_stdout).toMatch(/tick \d+/);
      await callJson(a.client, 'py_cancel_job', { job_id: jobId });
    },
    60_000,
  );

  it.runIf(store.run)(
    'a 2026-07-28 task created through A is followed and cancelled through B',
    async () => {
      const pidFile = join(root, 'task-2026.pid');
      const headers = { authorization: `Bearer ${token}` };
      const created = await request2026(
        a.url,
        'tools/call',
        {
          name: 'py_run_script_in_dir_v2',
          arguments: { directory: root, script_content: slowScript(pidFile), async_mode: true },
        },
        { name: 'py_run_script_in_dir_v2', headers },
      );
      if (created.kind !== 'result') throw new Error(created.error.message);
      expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });
      const taskId = created.result['taskId'] as string;
      const pid = await readPid(pidFile);
      strayPids.push(pid);
      const followed = await eventually(async () => {
        const answer = await request2026(b.url, 'tasks/get', { taskId }, { name: taskId, headers });
        if (answer.kind !== 'result') throw new Error(answer.error.message);
        const message = answer.result['statusMessage'];
        return typeof message === 'string' && message.includes('working')
          ? answer.result
          : undefined;
      }, 20_000);
      expect(followed).toMatchObject({ taskId, status: 'working' });
      const cancel = await request2026(
        b.url,
        'tasks/cancel',
        { taskId },
        { name: taskId, headers },
      );
      expect(cancel.kind).toBe('result');
      await eventually(() => !isAlive(pid) || undefined, 20_000);
      const ended = await eventually(async () => {
        const answer = await request2026(a.url, 'tasks/get', { taskId }, { name: taskId, headers });
        if (answer.kind !== 'result') throw new Error(answer.error.message);
        return answer.result['status'] === 'cancelled' ? answer.result : undefined;
      }, 20_000);
      expect(ended['status']).toBe('cancelled');
    },
    60_000,
  );

  it.runIf(store.run)(
    'py_job_status(wait_seconds) on B returns when A finishes the job',
    async () => {
      const jobId = await startJob(
        a,
        root,
        'import time\ntime.sleep(2)\nprint("finished", flush=True)',
      );
      await eventually(async () =>
        (await status(b, jobId)).status === 'running' ? true : undefined,
      );
      // A waiting call returns on any change (output first, then the end): a few calls at most.
      let job = await status(b, jobId, 25);
      let calls = 1;
      while (job.status === 'running' && calls < 4) {
        job = await status(b, jobId, 25);
        calls += 1;
      }
      expect(job.status).toBe('completed');
    },
    90_000,
  );

  it.runIf(store.run)(
    'py_cancel_job on B kills the Python process on A within one heartbeat',
    async () => {
      const pidFile = join(root, 'cancel.pid');
      const jobId = await startJob(a, root, slowScript(pidFile));
      const pid = await readPid(pidFile);
      strayPids.push(pid);
      await eventually(async () =>
        (await status(b, jobId)).status === 'running' ? true : undefined,
      );
      expect(isAlive(pid)).toBe(true);
      const cancelled = await callJson<{ status: string }>(b.client, 'py_cancel_job', {
        job_id: jobId,
      });
      expect(cancelled.json?.status).toMatch(/^cancel/);
      // The push hint is immediate; the heartbeat reply is the backstop one heartbeat later
      // (the margin covers killing the process tree on a loaded machine).
      await eventually(() => (isAlive(pid) ? undefined : true), heartbeatSeconds * 1000 + 4000);
      await eventually(async () => {
        const job = await status(b, jobId, 2);
        return job.status === 'cancelled' ? job : undefined;
      });
    },
    60_000,
  );

  it.runIf(store.run)(
    'kill -9 of A mid-job makes B report the job interrupted within the lease',
    async () => {
      const pidFile = join(root, 'crash.pid');
      const jobId = await startJob(a, root, slowScript(pidFile));
      strayPids.push(await readPid(pidFile));
      await eventually(async () =>
        (await status(b, jobId)).status === 'running' ? true : undefined,
      );
      a.process.kill('SIGKILL');
      await new Promise((resolve) => a.process.once('exit', resolve));
      // Expired after the lease, found by B's reaper (every lease) or its next read.
      const job = await eventually(
        async () => {
          const current = await status(b, jobId);
          return current.status === 'running' ? undefined : current;
        },
        (leaseSeconds * 2 + 10) * 1000,
      );
      expect(job.status).toBe('interrupted');
    },
    60_000,
  );
});

describe('a server store that cannot be used', () => {
  it.each([
    [
      'redis',
      'redis://127.0.0.1:1',
      /could not open the redis store at redis:\/\/127\.0\.0\.1:1: .*unreachable/,
    ],
    [
      'postgres',
      'postgres://postgres@127.0.0.1:1/test',
      /could not open the postgres store at postgres:\/\/postgres@127\.0\.0\.1:1\/test: .*unreachable/,
    ],
    [
      'redis',
      'mysql://127.0.0.1',
      /--store-url for the redis store must start with redis:\/\/ or rediss:\/\//,
    ],
  ])(
    '--store %s --store-url %s exits non-zero naming the store',
    async (kind, url, message) => {
      const root = await mkdtemp(join(tmpdir(), 'sa-e2e-bad-store-'));
      const { command, args } = serverCommand([
        '--transport',
        'http',
        '--port',
        '0',
        '--data-dir',
        root,
        '--store',
        kind,
        '--store-url',
        url,
      ]);
      const child = spawn(command, args, {
        cwd: packageDirectory,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
    30_000,
  );
});
