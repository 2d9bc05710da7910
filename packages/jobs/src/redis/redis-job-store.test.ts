import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeJobStoreContract } from '../testing';
import type { JobEvent, JobStore } from '../job-store';
import { createRedisJobStore } from './redis-job-store';
import type { RedisJobStore } from './redis-job-store';
import { shouldRunServiceTests } from './testing/service-check';
import { checkManagerOutage } from './testing/manager-outage';
import { checkReplicas } from './testing/replica-check';
import { createTcpProxy } from '../testing/tcp-proxy';

const host = '127.0.0.1';
const port = Number(process.env.SA_TEST_REDIS_PORT ?? 6379);
const url = `redis://${host}:${String(port)}`;
const run = await shouldRunServiceTests('Redis', host, port);

function freshPrefix(): string {
  return `sa-test:${randomBytes(6).toString('hex')}:`;
}

const admin = createClient({ url });
admin.on('error', () => undefined);

async function dropPrefix(prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 }))
    keys.push(...batch);
  if (keys.length > 0) await admin.del(keys);
}

async function keysOf(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 }))
    keys.push(...batch);
  return keys.sort();
}

const running = (leaseToken: string) => ({
  label: 'test',
  tool: 'tool',
  status: 'running' as const,
  scope: null,
  owner: { instanceId: 'i', pid: 1, host: 'h' },
  leaseToken,
  leaseMs: 10_000,
});

describe.runIf(run)('Redis job store', () => {
  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.close();
  });

  let prefix = freshPrefix();
  describeJobStoreContract(
    'redis',
    ({ maxOutputBytes }) => {
      prefix = freshPrefix();
      return createRedisJobStore({ url, prefix, maxOutputBytes });
    },
    { clock: 'server', cleanup: () => dropPrefix(prefix) },
  );

  describe('Redis specifics', () => {
    const stores: JobStore[] = [];
    const prefixes: string[] = [];
    async function open(
      options: Parameters<typeof createRedisJobStore>[0] = {},
    ): Promise<RedisJobStore> {
      const store = await createRedisJobStore({ url, prefix: freshPrefix(), ...options });
      stores.push(store);
      prefixes.push(store.prefix);
      return store;
    }
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      for (const used of prefixes.splice(0)) await dropPrefix(used);
    });

    it('keeps JSON values exactly (empty arrays and objects, unicode, precise numbers)', async () => {
      const store = await open();
      const input = {
        empty: [],
        nothing: {},
        text: 'é€😀 "q" \\ / \u0000',
        float: 0.1 + 0.2,
        big: 2 ** 53 - 1,
        neg: -1e-7,
      };
      const job = await store.create({ ...running('t'), input });
      expect(job.input).toEqual(input);
      const done = await store.transition(
        job.id,
        { from: 'running', ownerToken: 't' },
        { status: 'completed', result: [[], {}, input] },
      );
      expect(done.ok && done.record.result).toEqual([[], {}, input]);
      expect((await store.get(job.id))?.result).toEqual([[], {}, input]);
    });

    it('puts a Redis TTL only on terminal records and their output', async () => {
      const store = await open();
      const job = await store.create(running('t'));
      await store.appendOutput(job.id, 'stdout', 'hello');
      await store.setCursor(job.id, 'c', undefined, 1);
      for (const key of await keysOf(store.prefix)) expect(await admin.pTTL(key), key).toBe(-1);
      await store.transition(
        job.id,
        { from: 'running', ownerToken: 't' },
        { status: 'completed', ttlMs: 60_000 },
      );
      await store.appendOutput(job.id, 'stderr', 'late');
      for (const suffix of [
        `job:${job.id}`,
        `out:${job.id}:stdout`,
        `out:${job.id}:stderr`,
        `cursors:${job.id}`,
      ]) {
        const ttl = await admin.pTTL(`${store.prefix}${suffix}`);
        expect(ttl, suffix).toBeGreaterThan(50_000);
        expect(ttl, suffix).toBeLessThanOrEqual(60_000);
      }
      const indexes = (await keysOf(store.prefix)).filter((key) => !key.includes(job.id));
      for (const key of indexes) expect(await admin.pTTL(key), key).toBe(-1);
    });

    it('forgets an expired job everywhere: get, list total and indexes', async () => {
      const store = await open();
      const keep = await store.create(running('k'));
      const job = await store.create(running('t'));
      await store.transition(
        job.id,
        { from: 'running', ownerToken: 't' },
        { status: 'failed', ttlMs: 1 },
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.get(job.id)).toBeUndefined();
      const page = await store.list();
      expect(page.total).toBe(1);
      expect(page.jobs.map((record) => record.id)).toEqual([keep.id]);
      expect((await store.list({ status: 'failed' })).total).toBe(0);
      const left = (await keysOf(store.prefix)).filter((key) => key.includes(job.id));
      expect(left).toEqual([]);
      expect(await admin.zScore(`${store.prefix}finished:failed`, job.id)).toBeNull();
    });

    it('treats progress with the same values in another key order as unchanged', async () => {
      const store = await open();
      const job = await store.create(running('t'));
      const first = await store.heartbeat(job.id, 't', {
        leaseMs: 5000,
        progress: { progress: 1, total: 2, message: 'm' },
      });
      const same = await store.heartbeat(job.id, 't', {
        leaseMs: 5000,
        progress: { message: 'm', total: 2, progress: 1 },
      });
      expect(same.record?.version).toBe(first.record?.version);
    });

    it('loads its scripts again after Redis forgot them (SCRIPT FLUSH, restart)', async () => {
      const store = await open();
      const job = await store.create(running('t'));
      await admin.scriptFlush();
      expect((await store.get(job.id))?.id).toBe(job.id);
      expect((await store.heartbeat(job.id, 't', { leaseMs: 1000 })).ok).toBe(true);
    });

    it('isolates stores by key prefix', async () => {
      const first = await open();
      const second = await open();
      const job = await first.create(running('t'));
      expect(await second.get(job.id)).toBeUndefined();
      expect((await second.list()).total).toBe(0);
      expect((await first.list()).total).toBe(1);
    });

    it('reports a corrupt record with CORRUPT_RECORD instead of returning garbage', async () => {
      const store = await open();
      const job = await store.create(running('t'));
      await admin.hSet(`${store.prefix}job:${job.id}`, 'version', '"not a number"');
      await expect(store.get(job.id)).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
    });

    it('publishes a cancel from one replica to another sharing the prefix', async () => {
      const owner = await open();
      const other = await open({ prefix: owner.prefix });
      const job = await owner.create(running('t'));
      const seen: JobEvent[] = [];
      owner.subscribe((event) => seen.push(event), { id: job.id });
      await other.requestCancel(job.id, 'from B');
      await expect.poll(() => seen.some((event) => event.cancelRequested === true)).toBe(true);
      const beat = await owner.heartbeat(job.id, 't', { leaseMs: 5000 });
      expect(beat).toMatchObject({ ok: true, cancelRequested: true });
    });

    it('works with a node-redis client the caller owns, and leaves it open on close', async () => {
      const client = createClient({ url });
      client.on('error', () => undefined);
      await client.connect();
      const store = await createRedisJobStore({ client, prefix: freshPrefix() });
      prefixes.push(store.prefix);
      const job = await store.create(running('t'));
      expect((await store.get(job.id))?.id).toBe(job.id);
      await store.close();
      expect(await client.ping()).toBe('PONG');
      await client.close();
    });

    it('fails to open with STORE_UNAVAILABLE naming the address when nothing listens', async () => {
      const proxy = await createTcpProxy({ host, port });
      proxy.cut();
      await expect(
        createRedisJobStore({
          url: `redis://127.0.0.1:${String(proxy.port)}`,
          connectTimeoutMs: 500,
        }),
      ).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringContaining(
          `redis store at 127.0.0.1:${String(proxy.port)} unreachable`,
        ) as unknown,
      });
      await proxy.close();
    });

    it('survives an outage: calls fail with STORE_UNAVAILABLE, then work again; retried writes land once', async () => {
      const proxy = await createTcpProxy({ host, port });
      try {
        const store = await open({
          url: `redis://127.0.0.1:${String(proxy.port)}`,
          commandTimeoutMs: 1000,
        });
        const job = await store.create(running('owner'));
        expect((await store.heartbeat(job.id, 'owner', { leaseMs: 10_000 })).ok).toBe(true);

        proxy.cut();
        for (let attempt = 0; attempt < 3; attempt++) {
          await expect(
            store.heartbeat(job.id, 'owner', { leaseMs: 10_000, progress: { progress: attempt } }),
          ).rejects.toMatchObject({
            code: 'STORE_UNAVAILABLE',
            message: expect.stringContaining(
              `redis store at 127.0.0.1:${String(proxy.port)} unreachable`,
            ) as unknown,
          });
        }
        await expect(store.get(job.id)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });

        proxy.restore();
        // The owner retries its terminal write until the store is back.
        const finish = () =>
          store.transition(
            job.id,
            { from: 'running', ownerToken: 'owner' },
            { status: 'completed', result: 'done' },
          );
        let outcome: Awaited<ReturnType<typeof finish>> | undefined;
        for (let attempt = 0; attempt < 200 && outcome === undefined; attempt++) {
          try {
            outcome = await finish();
          } catch (error) {
            expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
        expect(outcome?.ok).toBe(true);
        // A retry after an ambiguous failure finds the job already completed: written once.
        const again = await finish();
        expect(again).toMatchObject({
          ok: false,
          reason: 'terminal',
          current: { status: 'completed', result: 'done' },
        });
        const stored = await store.get(job.id);
        expect(stored).toMatchObject({ status: 'completed', version: 2, result: 'done' });
      } finally {
        await proxy.close();
      }
    });

    it('fails a call within the command timeout when the network stalls, and stays consistent after', async () => {
      const proxy = await createTcpProxy({ host, port });
      try {
        const store = await open({
          url: `redis://127.0.0.1:${String(proxy.port)}`,
          commandTimeoutMs: 300,
        });
        const job = await store.create(running('owner'));
        const finish = () =>
          store.transition(
            job.id,
            { from: 'running', ownerToken: 'owner' },
            { status: 'completed', result: 1 },
          );
        proxy.stall();
        await expect(finish()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
        proxy.restore();
        // The stalled write may still land: a retry either lands it or finds it landed.
        let outcome: Awaited<ReturnType<typeof finish>> | undefined;
        for (let attempt = 0; attempt < 100 && outcome === undefined; attempt++) {
          outcome = await finish().catch(async () => {
            await new Promise((resolve) => setTimeout(resolve, 50));
            return undefined;
          });
        }
        expect(outcome?.ok || (!outcome?.ok && outcome?.reason === 'terminal')).toBe(true);
        expect(await store.get(job.id)).toMatchObject({
          status: 'completed',
          version: 2,
          result: 1,
        });
        expect((await store.list()).total).toBe(1);
      } finally {
        await proxy.close();
      }
    }, 30_000);

    it("keeps a job manager's running job running through an outage and lands its terminal write once", async () => {
      const proxy = await createTcpProxy({ host, port });
      try {
        const proxied = await open({
          url: `redis://127.0.0.1:${String(proxy.port)}`,
          commandTimeoutMs: 1000,
        });
        const direct = await open({ prefix: proxied.prefix });
        await checkManagerOutage({ proxy, proxied, direct });
      } finally {
        await proxy.close();
      }
    }, 30_000);

    it('shares jobs between replica processes: follow, cancel across, kill -9 is interrupted', async () => {
      const store = await open();
      await checkReplicas({ kind: 'redis', url, namespace: store.prefix, store });
    }, 30_000);
  });
});

describe.runIf(!run)('Redis job store (server missing)', () => {
  it.skip('needs Redis at 127.0.0.1:6379', () => undefined);
});
