import type { Timers } from '@sa/core';
import { ConflictError, InvalidArgumentError, defaultTimers } from '@sa/core';
import type { Pool } from 'pg';
import { createJobStore } from '../create-job-store';
import { createJobId } from '../ids';
import type { JobRecord } from '../job-record';
import type { JobStore, TransitionFailure } from '../job-store';
import type { JobStoreBackend } from '../job-store-backend';
import { decodeListCursor, encodeListCursor } from '../list-cursor';
import { defaultMaxOutputBytes } from '../output-bounds';
import { checkTransitionGuard, interruptedError } from '../record-rules';
import { assertInteger } from '../validate-arguments';
import { openPostgresDatabase } from './postgres-database';
import { connectPostgresEvents } from './postgres-events';
import type { PostgresEvents } from './postgres-events';
import { toStoreError } from './postgres-errors';
import { createPostgresOutputMethods } from './postgres-output-methods';
import { pollChanges } from './postgres-poll';
import { rowToRecord } from './row-codec';
import type { JobRow } from './row-codec';
import { createSqlNames } from './sql-names';
import {
  currentJobSql,
  heartbeatSql,
  insertJobSql,
  pruneSql,
  readJobSql,
  reapSql,
  requestCancelSql,
  serverTimeSql,
} from './job-statements';
import { buildListQueries } from './list-sql';
import { buildTransition } from './transition-sql';

/** Options for `createPostgresJobStore`. */
export interface PostgresJobStoreOptions {
  /** A `pg` Pool the caller owns (not ended by the store). One of its connections is held for LISTEN. */
  pool?: Pool;
  /** Where to connect when no `pool` is given; the store then owns its pool. */
  connectionString?: string;
  /** Schema of the tables (default `sa_jobs`). */
  schema?: string;
  /** Name of the jobs table; output and cursor tables add suffixes (default `jobs`). */
  table?: string;
  /** Run `migrate()` before resolving (default true). */
  migrate?: boolean;
  /** Bytes kept per output stream; older output is dropped and counted (default 1 MiB). */
  maxOutputBytes?: number;
  /** Hold a dedicated LISTEN connection for change hints (default true). */
  listen?: boolean;
  /** Also poll for changes this often (ms), for poolers that break LISTEN. Off by default. */
  pollIntervalMs?: number;
  /** For a pool the store creates: a query without reply fails after this (default 15000 ms). */
  queryTimeoutMs?: number;
  /** For a pool the store creates: connecting gives up after this (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Where warnings go (default `console.warn`). */
  logger?: { warn(message: string): void };
  /** Injectable timers for LISTEN reconnection and polling. */
  timers?: Timers;
}

/** A `JobStore` on PostgreSQL. */
export interface PostgresJobStore extends JobStore {
  /** Creates the schema, tables and indexes if missing; safe to run from several processes. */
  migrate(): Promise<void>;
}

/**
 * Creates a job store on PostgreSQL: transitions are one guarded `UPDATE ... RETURNING` timed
 * by `now()`, with `NOTIFY` in the same statement.
 *
 * @example
 * const store = await createPostgresJobStore({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
 */
export async function createPostgresJobStore(
  options: PostgresJobStoreOptions = {},
): Promise<PostgresJobStore> {
  const names = createSqlNames(options.schema ?? 'sa_jobs', options.table ?? 'jobs');
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  assertInteger('maxOutputBytes', maxOutputBytes, { min: 4 });
  if (options.pollIntervalMs !== undefined) {
    assertInteger('pollIntervalMs', options.pollIntervalMs, { min: 10 });
  }
  if (options.pool === undefined && options.connectionString === undefined) {
    throw new InvalidArgumentError('Invalid pool: pass a pg Pool or a connectionString', {
      data: { field: 'pool' },
    });
  }
  const poolSize = (options.pool?.options as { max?: number } | undefined)?.max;
  if (options.listen !== false && poolSize !== undefined && poolSize < 2) {
    throw new InvalidArgumentError(
      `Invalid pool: LISTEN holds one connection, so the pool needs max >= 2 (got ${String(poolSize)}); or set listen: false and pollIntervalMs`,
      { data: { field: 'pool' } },
    );
  }
  const logger = options.logger ?? console;
  const database = openPostgresDatabase({
    pool: options.pool,
    connectionString: options.connectionString,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    queryTimeoutMs: options.queryTimeoutMs ?? 15_000,
    names,
    logger,
  });
  const { name, pool } = database;
  const query = (text: string, values: unknown[] = []): Promise<JobRow[]> =>
    database.query(text, values);
  const migrate = (): Promise<void> => database.migrate();
  const outputMethods = createPostgresOutputMethods({ database, names, maxOutputBytes });
  let events: PostgresEvents | undefined;

  function decode(row: JobRow | undefined): JobRecord | undefined {
    return row === undefined ? undefined : rowToRecord(row, name);
  }

  async function current(id: string): Promise<JobRecord | undefined> {
    return decode((await query(currentJobSql(names), [id]))[0]);
  }

  try {
    if (options.migrate !== false) await migrate();
    events = await connectPostgresEvents({
      pool,
      channel: names.channel,
      listen: options.listen !== false,
      pollIntervalMs: options.pollIntervalMs,
      poll: (since) => pollChanges(database, names, since),
      timers: options.timers ?? defaultTimers,
      warn: (message) => logger.warn(message),
    });
  } catch (error) {
    await database.close();
    throw toStoreError(error, { name, address: database.address });
  }
  const eventSource = events;

  const backend: JobStoreBackend = {
    name,

    async create(job, idempotencyKey) {
      const key = idempotencyKey ?? null;
      const id = job.id ?? createJobId();
      for (let attempt = 0; attempt < 10; attempt++) {
        const inserted = await query(insertJobSql(names), [
          id,
          job.label,
          job.tool,
          job.input === undefined ? null : JSON.stringify(job.input),
          job.status,
          job.progress === undefined || job.progress === null ? null : JSON.stringify(job.progress),
          job.createdAt === undefined ? null : Math.round(job.createdAt),
          job.startedAt === undefined || job.startedAt === null ? null : Math.round(job.startedAt),
          job.owner === null ? null : JSON.stringify(job.owner),
          job.leaseToken,
          job.leaseMs === undefined ? null : Math.ceil(job.leaseMs),
          job.scope,
          key,
          names.channel,
        ]);
        if (inserted[0] !== undefined) return rowToRecord(inserted[0], name);
        const existing = await query(
          `SELECT * FROM ${names.jobs} WHERE id = $1 OR idempotency_key = $2`,
          [id, key],
        );
        const byKey = existing.find((row) => key !== null && row.idempotency_key === key);
        if (byKey !== undefined) {
          const record = rowToRecord(byKey, name);
          if (record.scope !== job.scope) {
            throw new ConflictError(
              `${name}: idempotency key ${key ?? ''} belongs to a job of another scope`,
            );
          }
          return record;
        }
        if (existing.length > 0)
          throw new ConflictError(`${name}: a job with id ${id} already exists`);
      }
      throw new ConflictError(`${name}: could not create job ${id}: too much contention`);
    },

    async read(id) {
      const row = (await query(readJobSql(names), [id]))[0];
      return row === undefined
        ? undefined
        : { record: rowToRecord(row, name), now: Number(row.read_at) };
    },

    async list(checked) {
      const after = checked.cursor === undefined ? undefined : decodeListCursor(checked.cursor);
      const statements = buildListQueries(names, checked, after);
      const [counted, page] = await Promise.all([
        query(statements.count.text, statements.count.values),
        query(statements.page.text, statements.page.values),
      ]);
      const jobs = page.slice(0, checked.limit).map((row) => rowToRecord(row, name));
      const last = jobs.at(-1);
      return {
        jobs,
        total: Number(counted[0]?.total ?? 0),
        nextCursor:
          page.length > checked.limit && last !== undefined ? encodeListCursor(last) : undefined,
      };
    },

    async transition(id, guard, patch) {
      const statement = buildTransition(names, id, guard, patch);
      for (let attempt = 0; attempt < 10; attempt++) {
        const updated = await query(statement.text, statement.values);
        if (updated[0] !== undefined) return { ok: true, record: rowToRecord(updated[0], name) };
        const record = await current(id);
        if (record === undefined) return { ok: false, reason: 'not_found', current: undefined };
        const reason: TransitionFailure | undefined = checkTransitionGuard(record, guard, patch);
        if (reason !== undefined) return { ok: false, reason, current: record };
        // The row changed between the UPDATE and the read, and now passes the guard: try again.
      }
      throw new ConflictError(`${name}: transition of job ${id} kept losing races`);
    },

    async heartbeat(id, ownerToken, heartbeatOptions) {
      const progress = heartbeatOptions.progress;
      const rows = await query(heartbeatSql(names), [
        id,
        ownerToken,
        Math.ceil(heartbeatOptions.leaseMs),
        progress !== undefined,
        progress === undefined || progress === null ? null : JSON.stringify(progress),
        names.channel,
      ]);
      if (rows[0] !== undefined) {
        const record = rowToRecord(rows[0], name);
        return { ok: true, cancelRequested: record.cancelRequestedAt !== null, record };
      }
      const record = await current(id);
      return { ok: false, cancelRequested: record?.cancelRequestedAt != null, record };
    },

    async requestCancel(id, reason) {
      const error = JSON.stringify({
        code: 'CANCELLED',
        message: reason ?? 'The job was cancelled before it started',
      });
      const rows = await query(requestCancelSql(names), [id, error, reason ?? null, names.channel]);
      return rows[0] !== undefined ? rowToRecord(rows[0], name) : current(id);
    },

    async reapExpired({ now, batchSize }) {
      const reaped: JobRecord[] = [];
      for (;;) {
        const rows = await query(reapSql(names), [
          now ?? null,
          batchSize,
          JSON.stringify(interruptedError),
          names.channel,
        ]);
        for (const row of rows) reaped.push(rowToRecord(row, name));
        if (rows.length < batchSize) return reaped;
      }
    },

    async prune(checked) {
      const values = [
        checked.statuses,
        checked.batchSize,
        names.channel,
        checked.scope !== undefined,
        checked.scope ?? null,
        checked.olderThan ?? null,
        checked.expired,
        checked.tools ?? null,
      ];
      let deleted = 0;
      for (;;) {
        const rows = await query(pruneSql(names), values);
        deleted += rows.length;
        if (rows.length < checked.batchSize) return deleted;
      }
    },

    ...outputMethods,

    subscribe: (listener, subscribeOptions) => eventSource.subscribe(listener, subscribeOptions),

    async now() {
      const rows = await query(serverTimeSql());
      return Number(rows[0]?.now);
    },

    async close() {
      eventSource.close();
      await database.close();
    },
  };
  return Object.assign(createJobStore(backend), { migrate });
}
