import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { JobEvent, JobStore } from '../job-store';
import { shouldRunServiceTests } from '../redis/testing/service-check';
import { checkManagerOutage } from '../redis/testing/manager-outage';
import { checkReplicas } from '../redis/testing/replica-check';
import { createTcpProxy } from '../testing/tcp-proxy';
import { describeJobStoreContract } from '../testing';
import { createPostgresJobStore } from './postgres-job-store';
import type { PostgresJobStore, PostgresJobStoreOptions } from './postgres-job-store';

const host = '127.0.0.1';
const port = Number(process.env.SA_TEST_POSTGRES_PORT ?? 5432);
const connectionString = `postgres://postgres@${host}:${String(port)}/test`;
const run = await shouldRunServiceTests('PostgreSQL', host, port);

function freshSchema(): string {
  return `sa_test_${randomBytes(6).toString('hex')}`;
}

const admin = new pg.Pool({ connectionString, max: 2 });
admin.on('error', () => undefined);

async function dropSchema(schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
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

describe.runIf(run)('PostgreSQL job store', () => {
  afterAll(async () => {
    await admin.end();
  });

  let schema = freshSchema();
  describeJobStoreContract(
    'postgres',
    ({ maxOutputBytes }) => {
      schema = freshSchema();
      return createPostgresJobStore({ connectionString, schema, maxOutputBytes });
    },
    { clock: 'server', cleanup: () => dropSchema(schema) },
  );

  describe('PostgreSQL specifics', () => {
    const stores: JobStore[] = [];
    const schemas = new Set<string>();
    async function open(options: PostgresJobStoreOptions = {}): Promise<PostgresJobStore> {
      const store = await createPostgresJobStore({
        connectionString,
        schema: freshSchema(),
        ...options,
      });
      stores.push(store);
      schemas.add(store.name.split('/').at(-1)!.split('.')[0]!);
      return store;
    }
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      for (const used of schemas) await dropSchema(used);
      schemas.clear();
    });

    it('migrates idempotently, also from several stores at once', async () => {
      const schema = freshSchema();
      schemas.add(schema);
      const many = await Promise.all(Array.from({ length: 3 }, () => open({ schema })));
      await many[0]!.migrate();
      const job = await many[1]!.create(running('t'));
      expect((await many[2]!.get(job.id))?.id).toBe(job.id);
    });

    it.each([
      ['schema', { schema: 'bad-name' }],
      ['schema', { schema: 'x"; DROP TABLE y; --' }],
      ['table', { table: '1jobs' }],
      ['table', { table: 'a'.repeat(41) }],
    ])('rejects an unsafe %s name with INVALID_ARGUMENT', async (field, options) => {
      await expect(createPostgresJobStore({ connectionString, ...options })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(field) as unknown,
      });
    });

    it('uses a configurable table name and keeps JSON values exactly', async () => {
      const store = await open({ table: 'my_jobs' });
      const input = {
        empty: [],
        nothing: {},
        text: 'é€😀 "q" \\ /',
        float: 0.1 + 0.2,
        order: { z: 1, a: 2 },
      };
      const job = await store.create({ ...running('t'), input });
      expect(JSON.stringify(job.input)).toBe(JSON.stringify(input));
      const tables = await admin.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
        [store.name.split('/').at(-1)!.split('.')[0]],
      );
      expect(tables.rows.map((row: { table_name: string }) => row.table_name)).toEqual([
        'my_jobs',
        'my_jobs_cursors',
        'my_jobs_output',
        'my_jobs_output_state',
      ]);
    });

    it('rejects a NUL character in a text column with INVALID_ARGUMENT, and keeps one inside JSON', async () => {
      const store = await open();
      await expect(store.create({ ...running('t'), label: 'a\u0000b' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('NUL') as unknown,
      });
      const job = await store.create({ ...running('t'), input: { text: 'a\u0000b' } });
      expect((await store.get(job.id))?.input).toEqual({ text: 'a\u0000b' });
      expect((await store.list()).total).toBe(1);
    });

    it('keeps output bounded in its own table', async () => {
      const store = await open({ maxOutputBytes: 100 });
      const job = await store.create(running('t'));
      for (let index = 0; index < 200; index++)
        await store.appendOutput(job.id, 'stdout', `line ${String(index)}\n`);
      const schema = store.name.split('/').at(-1)!.split('.')[0]!;
      const stored = await admin.query(
        `SELECT sum(octet_length(data))::int AS bytes FROM "${schema}".jobs_output`,
      );
      expect((stored.rows[0] as { bytes: number }).bytes).toBeLessThanOrEqual(
        100 + 'line 199\n'.length,
      );
      const chunk = await store.readOutput(job.id, 'stdout');
      expect(chunk.data.endsWith('line 199\n')).toBe(true);
      expect(Buffer.byteLength(chunk.data)).toBeLessThanOrEqual(100);
    });

    it('hides expired jobs from get and list before they are pruned', async () => {
      const store = await open();
      const job = await store.create(running('t'));
      await store.transition(
        job.id,
        { from: 'running', ownerToken: 't' },
        { status: 'completed', ttlMs: 1 },
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.get(job.id)).toBeUndefined();
      expect((await store.list()).total).toBe(0);
    });

    it('sends a cancel from one replica to another by NOTIFY, and repeats it in heartbeats', async () => {
      const owner = await open();
      const schema = owner.name.split('/').at(-1)!.split('.')[0]!;
      const other = await open({ schema });
      const job = await owner.create(running('t'));
      const seen: JobEvent[] = [];
      owner.subscribe((event) => seen.push(event), { id: job.id });
      await other.requestCancel(job.id, 'from B');
      await expect.poll(() => seen.some((event) => event.cancelRequested === true)).toBe(true);
      expect(await owner.heartbeat(job.id, 't', { leaseMs: 5000 })).toMatchObject({
        ok: true,
        cancelRequested: true,
      });
    });

    it('delivers hints by polling when LISTEN is off (poolers that break LISTEN)', async () => {
      const writer = await open();
      const schema = writer.name.split('/').at(-1)!.split('.')[0]!;
      const poller = await open({ schema, listen: false, pollIntervalMs: 20 });
      const seen: JobEvent[] = [];
      poller.subscribe((event) => seen.push(event));
      const job = await writer.create(running('t'));
      await writer.requestCancel(job.id);
      await writer.appendOutput(job.id, 'stdout', 'x');
      await expect
        .poll(() => seen.some((event) => event.id === job.id && event.cancelRequested === true))
        .toBe(true);
      await expect
        .poll(() => seen.some((event) => event.id === job.id && event.type === 'output'))
        .toBe(true);
      const versions = seen
        .filter((event) => event.type === 'changed')
        .map((event) => event.version);
      expect(new Set(versions).size).toBe(versions.length);
    });

    it('refuses a pool of one connection while LISTEN would hold it', async () => {
      const pool = new pg.Pool({ connectionString, max: 1 });
      await expect(createPostgresJobStore({ pool, schema: freshSchema() })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('max >= 2') as unknown,
      });
      await pool.end();
    });

    it('works with a Pool the caller owns, and leaves it open on close', async () => {
      const pool = new pg.Pool({ connectionString, max: 3 });
      const store = await open({ pool });
      const job = await store.create(running('t'));
      expect((await store.get(job.id))?.id).toBe(job.id);
      await store.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await pool.end();
    });

    it('fails to open with STORE_UNAVAILABLE naming the address when nothing listens', async () => {
      const proxy = await createTcpProxy({ host, port });
      proxy.cut();
      try {
        await expect(
          createPostgresJobStore({
            connectionString: `postgres://postgres@127.0.0.1:${String(proxy.port)}/test`,
            connectTimeoutMs: 500,
          }),
        ).rejects.toMatchObject({
          code: 'STORE_UNAVAILABLE',
          message: expect.stringContaining(
            `postgres store at 127.0.0.1:${String(proxy.port)} unreachable`,
          ) as unknown,
        });
      } finally {
        await proxy.close();
      }
    });

    it('survives an outage: calls fail with STORE_UNAVAILABLE, LISTEN reconnects, retried writes land once', async () => {
      const proxy = await createTcpProxy({ host, port });
      try {
        const schema = freshSchema();
        schemas.add(schema);
        const store = await open({
          schema,
          connectionString: `postgres://postgres@127.0.0.1:${String(proxy.port)}/test`,
          connectTimeoutMs: 1000,
          queryTimeoutMs: 2000,
          logger: { warn: () => undefined },
        });
        const direct = await open({ schema });
        const job = await store.create(running('owner'));
        const seen: JobEvent[] = [];
        store.subscribe((event) => seen.push(event), { id: job.id });

        proxy.cut();
        for (let attempt = 0; attempt < 3; attempt++) {
          await expect(store.heartbeat(job.id, 'owner', { leaseMs: 10_000 })).rejects.toMatchObject(
            {
              code: 'STORE_UNAVAILABLE',
              message: expect.stringContaining(
                `postgres store at 127.0.0.1:${String(proxy.port)} unreachable`,
              ) as unknown,
            },
          );
        }
        proxy.restore();

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
        expect(await finish()).toMatchObject({
          ok: false,
          reason: 'terminal',
          current: { status: 'completed' },
        });
        expect(await store.get(job.id)).toMatchObject({
          status: 'completed',
          version: 2,
          result: 'done',
        });

        // The LISTEN connection came back: a change made elsewhere reaches this store again.
        const other = await direct.create(running('x'));
        const later: JobEvent[] = [];
        store.subscribe((event) => later.push(event), { id: other.id });
        let step = 0;
        await expect
          .poll(
            async () => {
              await direct.heartbeat(other.id, 'x', {
                leaseMs: 10_000,
                progress: { progress: ++step },
              });
              return later.length > 0;
            },
            { timeout: 10_000, interval: 200 },
          )
          .toBe(true);
      } finally {
        await proxy.close();
      }
    }, 30_000);

    it('fails a call within the query timeout when the network stalls, and stays consistent after', async () => {
      const proxy = await createTcpProxy({ host, port });
      try {
        const store = await open({
          connectionString: `postgres://postgres@127.0.0.1:${String(proxy.port)}/test`,
          queryTimeoutMs: 300,
          connectTimeoutMs: 300,
          logger: { warn: () => undefined },
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
      } finally {
        await proxy.close();
      }
    }, 30_000);

    it("keeps a job manager's running job running through an outage and lands its terminal write once", async () => {
      const proxy = await createTcpProxy({ host, port });
      try {
        const schema = freshSchema();
        schemas.add(schema);
        const proxied = await open({
          schema,
          connectionString: `postgres://postgres@127.0.0.1:${String(proxy.port)}/test`,
          connectTimeoutMs: 1000,
          queryTimeoutMs: 2000,
          logger: { warn: () => undefined },
        });
        const direct = await open({ schema });
        await checkManagerOutage({ proxy, proxied, direct });
      } finally {
        await proxy.close();
      }
    }, 30_000);

    it('shares jobs between replica processes: follow, cancel across, kill -9 is interrupted', async () => {
      const schema = freshSchema();
      schemas.add(schema);
      const store = await open({ schema });
      await checkReplicas({ kind: 'postgres', url: connectionString, namespace: schema, store });
    }, 30_000);
  });
});

describe.runIf(!run)('PostgreSQL job store (server missing)', () => {
  it.skip('needs PostgreSQL at 127.0.0.1:5432', () => undefined);
});
