import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../test-support/deferred';
import { postJsonRpc, rawRequest, type RawAnswer } from './test-support/v2-http';

// Two replica processes (stateless v2 HTTP, a fresh McpServer per request) on one Redis and one
// PostgreSQL store: a task created through A is read, waited on and cancelled through B, routed
// by nothing but the store; kill -9 of the owner ends its task as `failed`, never `working`.

const redisUrl = 'redis://127.0.0.1:6379';
const postgresUrl = 'postgres://postgres@127.0.0.1:5432/test';
const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const replicaMain = join(packageDirectory, 'src', 'sdk-v2', 'test-support', 'v2-replica-main.ts');
/** Generous: processes start slowly on a loaded machine; the conditions decide, not the clock. */
const longMs = 60_000;

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Runs when the service answers, and always in CI, where a missing service must fail. */
async function shouldRun(service: string, port: number): Promise<boolean> {
  if ((await reachable(port)) || process.env['CI'] === 'true') return true;
  console.warn(`\n!!! ${service} is not reachable on 127.0.0.1:${port}: SKIPPING (fails in CI).\n`);
  return false;
}

interface Replica {
  url: URL;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function startReplica(environment: Record<string, string>): Promise<Replica> {
  const child = spawn(
    process.execPath,
    ['--conditions=@sa/source', '--import', 'tsx', replicaMain],
    {
      cwd: packageDirectory,
      env: { ...process.env, ...environment },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil(() => {
    if (child.exitCode !== null) throw new Error(`replica exited: ${stderr}`);
    return /listening on (\S+)/.test(stderr);
  }, longMs);
  return {
    url: new URL(/listening on (\S+)/.exec(stderr)![1]!),
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function result(answer: RawAnswer): Record<string, unknown> {
  if (answer.kind !== 'result') throw new Error(`expected a result, got ${JSON.stringify(answer)}`);
  return answer.result;
}

const stores = [
  {
    kind: 'redis',
    port: 6379,
    url: redisUrl,
    namespace: () => `sa-v2-e2e:${randomBytes(6).toString('hex')}:`,
    async drop(prefix: string) {
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
    port: 5432,
    url: postgresUrl,
    namespace: () => `sa_v2_e2e_${randomBytes(6).toString('hex')}`,
    async drop(schema: string) {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  },
] as const;

for (const store of stores) {
  const run = await shouldRun(store.kind, store.port);
  describe.runIf(run)(`two v2 replicas on one ${store.kind} store`, () => {
    const namespace = store.namespace();
    const gates = mkdtempSync(join(tmpdir(), 'sa-v2-replicas-'));
    let a: Replica;
    let b: Replica;
    beforeAll(async () => {
      const environment = {
        STORE: store.kind,
        STORE_URL: store.url,
        NAMESPACE: namespace,
        GATE_DIR: gates,
      };
      // A first: it creates the PostgreSQL schema; B then finds it.
      a = await startReplica(environment);
      b = await startReplica(environment);
    }, longMs * 2);
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await store.drop(namespace);
      rmSync(gates, { recursive: true, force: true });
    }, longMs);

    const call = (replica: Replica, key: string) =>
      rawRequest(replica.url, 'tools/call', { name: 'slow', arguments: { key } }, { name: 'slow' });
    const get = async (replica: Replica, taskId: string) =>
      result(await rawRequest(replica.url, 'tasks/get', { taskId }, { name: taskId }));

    it(
      'a task created through A is read and waited on through B',
      async () => {
        const created = result(await call(a, 'read'));
        expect(created['resultType']).toBe('task');
        const taskId = created['taskId'] as string;
        // Readable through B as soon as A replied.
        expect((await get(b, taskId))['status']).toBe('working');
        await waitUntil(
          async () => (await get(b, taskId))['statusMessage'] === '3/10 crunching',
          longMs,
        );
        writeFileSync(join(gates, 'read'), '');
        await waitUntil(async () => (await get(b, taskId))['status'] === 'completed', longMs);
        const done = await get(b, taskId);
        expect((done['result'] as { structuredContent: unknown }).structuredContent).toEqual({
          done: 'read',
          pid: a.process.pid,
        });
      },
      longMs * 2,
    );

    it(
      'a task created through A is cancelled through B, and A stops the work',
      async () => {
        const taskId = result(await call(a, 'cancel'))['taskId'] as string;
        const ack = result(await rawRequest(b.url, 'tasks/cancel', { taskId }, { name: taskId }));
        expect(ack['resultType']).toBe('complete');
        await waitUntil(() => existsSync(join(gates, 'cancel.aborted')), longMs);
        await waitUntil(async () => (await get(b, taskId))['status'] === 'cancelled', longMs);
      },
      longMs * 2,
    );

    /** One 2025-11-25 request (stateless: no session), as a 2025 client sends it. */
    let legacyId = 1;
    const legacy = async (replica: Replica, method: string, params: Record<string, unknown>) =>
      result(
        await postJsonRpc(
          replica.url,
          { jsonrpc: '2.0', id: `legacy-${legacyId++}`, method, params },
          { 'mcp-protocol-version': '2025-11-25' },
        ),
      );

    it(
      'a 2025-11-25 client-directed task created through A is read and its result waited on through B',
      async () => {
        const created = await legacy(a, 'tools/call', {
          name: 'slow',
          arguments: { key: 'legacy' },
          task: { ttl: 60_000 },
        });
        const task = created['task'] as { taskId: string; status: string };
        expect(task.status).toBe('working');
        expect(created['content']).toEqual([]);
        expect((await legacy(b, 'tasks/get', { taskId: task.taskId }))['status']).toBe('working');
        const payload = legacy(b, 'tasks/result', { taskId: task.taskId });
        writeFileSync(join(gates, 'legacy'), '');
        expect((await payload)['structuredContent']).toEqual({
          done: 'legacy',
          pid: a.process.pid,
        });
        expect((await legacy(b, 'tasks/get', { taskId: task.taskId }))['status']).toBe('completed');
      },
      longMs * 2,
    );

    it(
      'a 2025-11-25 tasks/cancel through B answers cancelled once A has stopped the work',
      async () => {
        const created = await legacy(a, 'tools/call', {
          name: 'slow',
          arguments: { key: 'legacy-cancel' },
          task: { ttl: 60_000 },
        });
        const { taskId } = created['task'] as { taskId: string };
        await waitUntil(() => existsSync(join(gates, 'legacy-cancel.started')), longMs);
        const ack = await legacy(b, 'tasks/cancel', { taskId });
        expect(ack['status']).toBe('cancelled');
        await waitUntil(() => existsSync(join(gates, 'legacy-cancel.aborted')), longMs);
      },
      longMs * 2,
    );

    it(
      'kill -9 of the owner: tasks/get on the survivor ends as failed with a clear message',
      async () => {
        const taskId = result(await call(a, 'crash'))['taskId'] as string;
        await waitUntil(() => existsSync(join(gates, 'crash.started')), longMs);
        a.process.kill('SIGKILL');
        await waitUntil(async () => (await get(b, taskId))['status'] !== 'working', longMs);
        const task = await get(b, taskId);
        expect(task['status']).toBe('failed');
        expect(task['statusMessage']).toMatch(
          /^Interrupted: the server process that ran this task stopped/,
        );
        expect(task['error']).toMatchObject({ code: -32603 });
      },
      longMs * 2,
    );
  });
}
