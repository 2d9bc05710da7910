import type { Timers } from '@sa/core';
import { ClosedError, ConflictError, InvalidArgumentError, NotFoundError } from '@sa/core';
import pg from 'pg';
import type { Pool } from 'pg';
import { createJobId } from '../ids';
import { terminalJobStatuses } from '../job-record';
import type { JobRecord } from '../job-record';
import type { JobEvent, JobStore, TransitionFailure } from '../job-store';
import { decodeListCursor, encodeListCursor } from '../list-cursor';
import { defaultMaxOutputBytes, isContinuationByte } from '../output-log';
import { checkTransitionGuard, interruptedError, isVisibleTo } from '../record-rules';
import {
  assertFiniteNumber,
  assertInteger,
  assertJobId,
  assertNonEmptyString,
  assertOutputStream,
  normalizeListQuery,
  normalizePruneOptions,
  normalizeReadOutputOptions,
  validateCursor,
  validateHeartbeat,
  validateNewJob,
  validateTransition,
} from '../validate-arguments';
import { changedNotification, hintNotification } from './notify-sql';
import { readStoredOutput } from './output-read';
import { connectPostgresEvents } from './postgres-events';
import type { PolledChange, PostgresEvents } from './postgres-events';
import { sqlState, toStoreError } from './postgres-errors';
import { rowToRecord } from './row-codec';
import type { JobRow } from './row-codec';
import { schemaStatements } from './schema-sql';
import { createSqlNames, nowMs } from './sql-names';
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

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const terminalList = terminalJobStatuses.map((status) => `'${status}'`).join(', ');

function describeAddress(pool: Pool): string {
  const options = pool.options as { host?: string; port?: number; connectionString?: string };
  if (options.connectionString !== undefined) {
    try {
      const url = new URL(options.connectionString);
      return `${url.hostname}:${url.port || '5432'}`;
    } catch {
      return 'the configured server';
    }
  }
  return `${options.host ?? process.env.PGHOST ?? 'localhost'}:${String(options.port ?? process.env.PGPORT ?? 5432)}`;
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
  const logger = options.logger ?? console;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: options.queryTimeoutMs ?? 15_000,
      keepAlive: true,
    });
  const ownsPool = options.pool === undefined;
  const address = describeAddress(pool);
  const name = `postgres://${address}/${names.jobs.replaceAll('"', '')}`;
  // An idle pooled connection that breaks emits 'error' on the pool; unheard, it would crash.
  const onPoolError = (error: Error): void => {
    logger.warn(`${name}: a pooled connection failed: ${error.message}`);
  };
  pool.on('error', onPoolError);
  let closed = false;
  let events: PostgresEvents | undefined;

  async function query(text: string, values: unknown[] = []): Promise<JobRow[]> {
    if (closed) throw new ClosedError(`${name}: the store is closed`);
    try {
      return (await pool.query(text, values)).rows as JobRow[];
    } catch (error) {
      throw toStoreError(error, { name, address });
    }
  }

  function decode(row: JobRow | undefined): JobRecord | undefined {
    return row === undefined ? undefined : rowToRecord(row, name);
  }

  function notFound(id: string): NotFoundError {
    return new NotFoundError(`${name}: job ${id} not found`);
  }

  async function current(id: string): Promise<JobRecord | undefined> {
    return decode((await query(`SELECT * FROM ${names.jobs} WHERE id = $1`, [id]))[0]);
  }

  async function jobExists(id: string): Promise<boolean> {
    return (await query(`SELECT 1 FROM ${names.jobs} WHERE id = $1`, [id])).length > 0;
  }

  async function migrate(): Promise<void> {
    let client;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toStoreError(error, { name, address });
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [names.lockKey]);
      for (const statement of schemaStatements(names)) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw toStoreError(error, { name, address });
    } finally {
      client.release();
    }
  }

  async function poll(since: number): Promise<{ events: PolledChange[]; now: number }> {
    const rows = await query(
      `SELECT 'changed' AS type, id, status, version::text AS mark, cancel_requested_at IS NOT NULL AS cancel_requested, updated_at, ${nowMs} AS now
         FROM ${names.jobs} WHERE updated_at >= $1::float8
       UNION ALL
       SELECT 'output', job_id, NULL, stream || ':' || end_offset::text, NULL, updated_at, ${nowMs}
         FROM ${names.outputState} WHERE updated_at >= $1::float8
       UNION ALL SELECT 'now', '', NULL, NULL, NULL, 0, ${nowMs}`,
      [since],
    );
    const changes: PolledChange[] = [];
    let now = since;
    for (const row of rows) {
      now = Number(row.now);
      if (row.type === 'now') continue;
      const event: JobEvent =
        row.type === 'changed'
          ? {
              type: 'changed',
              id: String(row.id),
              status: row.status as JobRecord['status'],
              version: Number(row.mark),
              cancelRequested: row.cancel_requested === true,
            }
          : { type: 'output', id: String(row.id) };
      changes.push({ event, mark: String(row.mark), updatedAt: Number(row.updated_at) });
    }
    return { events: changes, now };
  }

  try {
    if (options.migrate !== false) await migrate();
    events = await connectPostgresEvents({
      pool,
      channel: names.channel,
      listen: options.listen !== false,
      pollIntervalMs: options.pollIntervalMs,
      poll,
      timers: options.timers ?? defaultTimers,
      warn: (message) => logger.warn(message),
    });
  } catch (error) {
    pool.off('error', onPoolError);
    if (ownsPool) await pool.end().catch(() => undefined);
    throw toStoreError(error, { name, address });
  }
  const eventSource = events;

  const store: PostgresJobStore = {
    name,
    migrate,

    async create(job, createOptions) {
      validateNewJob(job, createOptions);
      const key = createOptions?.idempotencyKey ?? null;
      const id = job.id ?? createJobId();
      for (let attempt = 0; attempt < 10; attempt++) {
        const inserted = await query(
          `WITH inserted AS (
             INSERT INTO ${names.jobs} (id, label, tool, input, status, progress, created_at, started_at,
               updated_at, owner, lease_token, lease_expires_at, scope, idempotency_key, version)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb, COALESCE($7::bigint, ${nowMs}),
               CASE WHEN $5 = 'running' THEN COALESCE($8::bigint, $7::bigint, ${nowMs}) ELSE $8::bigint END,
               ${nowMs}, $9::jsonb, $10, CASE WHEN $11::bigint IS NULL THEN NULL ELSE ${nowMs} + $11::bigint END,
               $12, $13, 1)
             ON CONFLICT DO NOTHING RETURNING *)
           SELECT inserted.*, ${changedNotification('inserted', '$14')} FROM inserted`,
          [
            id,
            job.label,
            job.tool,
            job.input === undefined ? null : JSON.stringify(job.input),
            job.status,
            job.progress === undefined || job.progress === null
              ? null
              : JSON.stringify(job.progress),
            job.createdAt === undefined ? null : Math.round(job.createdAt),
            job.startedAt === undefined || job.startedAt === null
              ? null
              : Math.round(job.startedAt),
            job.owner === null ? null : JSON.stringify(job.owner),
            job.leaseToken,
            job.leaseMs === undefined ? null : Math.ceil(job.leaseMs),
            job.scope,
            key,
            names.channel,
          ],
        );
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

    async get(id, getOptions) {
      assertJobId(id);
      const rows = await query(
        `SELECT * FROM ${names.jobs} WHERE id = $1 AND (expires_at IS NULL OR expires_at > ${nowMs})`,
        [id],
      );
      const record = decode(rows[0]);
      return record !== undefined && isVisibleTo(record, getOptions?.scope) ? record : undefined;
    },

    async list(listQuery) {
      const checked = normalizeListQuery(listQuery);
      const after = checked.cursor === undefined ? undefined : decodeListCursor(checked.cursor);
      const values: unknown[] = [];
      const param = (value: unknown): string => `$${String(values.push(value))}`;
      const where = [`(expires_at IS NULL OR expires_at > ${nowMs})`];
      if (checked.statuses !== undefined)
        where.push(`status = ANY(${param(checked.statuses)}::text[])`);
      if (checked.scope === null) where.push('scope IS NULL');
      else if (checked.scope !== undefined) where.push(`scope = ${param(checked.scope)}`);
      if (checked.label !== undefined) where.push(`label = ${param(checked.label)}`);
      const filter = where.join(' AND ');
      const countValues = [...values];
      let pageFilter = filter;
      if (after !== undefined) {
        pageFilter += ` AND (created_at, id) < (${param(after.createdAt)}::float8, ${param(after.id)}::text COLLATE "C")`;
      }
      const limit = param(checked.limit + 1);
      const [counted, page] = await Promise.all([
        query(`SELECT count(*)::int AS total FROM ${names.jobs} WHERE ${filter}`, countValues),
        query(
          `SELECT * FROM ${names.jobs} WHERE ${pageFilter} ORDER BY created_at DESC, id DESC LIMIT ${limit}::int`,
          values,
        ),
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
      validateTransition(id, guard, patch);
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
      validateHeartbeat(id, ownerToken, heartbeatOptions);
      const progress = heartbeatOptions.progress;
      const changed = `($4::boolean AND old.progress IS DISTINCT FROM $5::jsonb)`;
      const rows = await query(
        `WITH old AS (
           SELECT id, progress FROM ${names.jobs}
           WHERE id = $1 AND lease_token = $2 AND status IN ('pending', 'running') FOR UPDATE),
         updated AS (
           UPDATE ${names.jobs} AS job SET
             lease_expires_at = ${nowMs} + $3::bigint,
             progress = CASE WHEN ${changed} THEN $5::jsonb ELSE job.progress END,
             version = job.version + CASE WHEN ${changed} THEN 1 ELSE 0 END,
             updated_at = CASE WHEN ${changed} THEN ${nowMs} ELSE job.updated_at END
           FROM old WHERE job.id = old.id
           RETURNING job.*, ${changed} AS changed)
         SELECT updated.*, CASE WHEN updated.changed THEN pg_notify($6::text,
           json_build_object('type', 'changed', 'id', updated.id, 'status', updated.status,
             'version', updated.version, 'cancelRequested', updated.cancel_requested_at IS NOT NULL)::text)
           END AS notified
         FROM updated`,
        [
          id,
          ownerToken,
          Math.ceil(heartbeatOptions.leaseMs),
          progress !== undefined,
          progress === undefined || progress === null ? null : JSON.stringify(progress),
          names.channel,
        ],
      );
      if (rows[0] !== undefined) {
        const record = rowToRecord(rows[0], name);
        return { ok: true, cancelRequested: record.cancelRequestedAt !== null, record };
      }
      const record = await current(id);
      return { ok: false, cancelRequested: record?.cancelRequestedAt != null, record };
    },

    async requestCancel(id, reason) {
      assertJobId(id);
      if (reason !== undefined) assertNonEmptyString('reason', reason);
      const error = JSON.stringify({
        code: 'CANCELLED',
        message: reason ?? 'The job was cancelled before it started',
      });
      const rows = await query(
        `WITH updated AS (
           UPDATE ${names.jobs} SET
             status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
             error = CASE WHEN status = 'pending' THEN $2 ELSE error END,
             cancel_requested_at = COALESCE(cancel_requested_at, ${nowMs}),
             cancel_reason = CASE WHEN status = 'pending' THEN COALESCE($3, cancel_reason) ELSE $3 END,
             finished_at = CASE WHEN status = 'pending' THEN ${nowMs} ELSE finished_at END,
             lease_expires_at = CASE WHEN status = 'pending' THEN NULL ELSE lease_expires_at END,
             updated_at = ${nowMs}, version = version + 1
           WHERE id = $1 AND (status = 'pending' OR (status = 'running' AND cancel_requested_at IS NULL))
           RETURNING *)
         SELECT updated.*, ${changedNotification('updated', '$4')} FROM updated`,
        [id, error, reason ?? null, names.channel],
      );
      return rows[0] !== undefined ? rowToRecord(rows[0], name) : current(id);
    },

    async reapExpired(reapOptions) {
      if (reapOptions?.now !== undefined) assertFiniteNumber('now', reapOptions.now);
      const cutoff = reapOptions?.now ?? null;
      const batch = 500;
      const reaped: JobRecord[] = [];
      for (;;) {
        const rows = await query(
          `WITH due AS (
             SELECT id FROM ${names.jobs}
             WHERE status IN ('pending', 'running') AND lease_expires_at <= COALESCE($1::float8, ${nowMs})
             ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED),
           updated AS (
             UPDATE ${names.jobs} AS job SET status = 'interrupted', error = $3, finished_at = ${nowMs},
               lease_expires_at = NULL, updated_at = ${nowMs}, version = job.version + 1
             FROM due WHERE job.id = due.id RETURNING job.*)
           SELECT updated.*, ${changedNotification('updated', '$4')} FROM updated`,
          [cutoff, batch, JSON.stringify(interruptedError), names.channel],
        );
        for (const row of rows) reaped.push(rowToRecord(row, name));
        if (rows.length < batch) return reaped;
      }
    },

    async prune(pruneOptions) {
      const checked = normalizePruneOptions(pruneOptions);
      const values: unknown[] = [checked.statuses, checked.batchSize, names.channel];
      const param = (value: unknown): string => `$${String(values.push(value))}`;
      const where = ['status = ANY($1::text[])', `status <> 'running'`];
      if (checked.scope === null) where.push('scope IS NULL');
      else if (checked.scope !== undefined) where.push(`scope = ${param(checked.scope)}`);
      const age: string[] = [];
      if (checked.olderThan !== undefined) {
        age.push(`COALESCE(finished_at, created_at) < ${param(checked.olderThan)}::float8`);
      }
      if (checked.expired) {
        age.push(
          `(status IN (${terminalList}) AND expires_at IS NOT NULL AND expires_at <= ${nowMs})`,
        );
      }
      if (age.length > 0) where.push(`(${age.join(' OR ')})`);
      let deleted = 0;
      for (;;) {
        const rows = await query(
          `WITH doomed AS (
             SELECT id FROM ${names.jobs} WHERE ${where.join(' AND ')} LIMIT $2 FOR UPDATE SKIP LOCKED),
           deleted AS (DELETE FROM ${names.jobs} WHERE id IN (SELECT id FROM doomed) RETURNING id)
           SELECT deleted.id, ${hintNotification('deleted', 'deleted.id', '$3')} FROM deleted`,
          values,
        );
        deleted += rows.length;
        if (rows.length < checked.batchSize) return deleted;
      }
    },

    async appendOutput(id, stream, chunk) {
      assertJobId(id);
      assertOutputStream(stream);
      if (typeof chunk !== 'string') {
        throw new InvalidArgumentError(`Invalid chunk: expected a string, got ${typeof chunk}`, {
          data: { field: 'chunk' },
        });
      }
      if (chunk === '') {
        if (!(await jobExists(id))) throw notFound(id);
        return;
      }
      const bytes = Buffer.from(chunk, 'utf8');
      let skip = Math.max(0, bytes.length - maxOutputBytes);
      while (skip < bytes.length && isContinuationByte(bytes[skip])) skip++;
      try {
        await query(
          `WITH state AS (
             INSERT INTO ${names.outputState} AS state (job_id, stream, end_offset, updated_at)
             VALUES ($1, $2, $3::bigint, ${nowMs})
             ON CONFLICT (job_id, stream) DO UPDATE
               SET end_offset = state.end_offset + EXCLUDED.end_offset, updated_at = EXCLUDED.updated_at
             RETURNING end_offset),
           inserted AS (
             INSERT INTO ${names.output} (job_id, stream, start_offset, end_offset, data)
             SELECT $1, $2, end_offset - $3::bigint + $4::bigint, end_offset, $5::bytea FROM state),
           trimmed AS (
             DELETE FROM ${names.output}
             WHERE job_id = $1 AND stream = $2 AND end_offset <= (SELECT end_offset FROM state) - $6::bigint)
           SELECT ${hintNotification('output', '$1::text', '$7')} FROM state`,
          [id, stream, bytes.length, skip, bytes.subarray(skip), maxOutputBytes, names.channel],
        );
      } catch (error) {
        if (sqlState((error as { cause?: unknown }).cause) === '23503') throw notFound(id);
        throw error;
      }
    },

    async readOutput(id, stream, readOptions) {
      assertJobId(id);
      assertOutputStream(stream);
      const { offset, maxBytes } = normalizeReadOutputOptions(readOptions);
      const window = `GREATEST($3::bigint, COALESCE(state.end_offset, 0) - $4::bigint)`;
      const rows = await query(
        `SELECT job.id, COALESCE(state.end_offset, 0) AS end_offset,
           (SELECT min(start_offset) FROM ${names.output} WHERE job_id = job.id AND stream = $2) AS first_start,
           (SELECT json_agg(json_build_object('s', chunk.start_offset, 'd', encode(chunk.data, 'base64'))
                            ORDER BY chunk.start_offset)
              FROM ${names.output} AS chunk
             WHERE chunk.job_id = job.id AND chunk.stream = $2
               AND chunk.end_offset > ${window} - 3 AND chunk.start_offset < ${window} + $5::bigint + 8) AS chunks
         FROM ${names.jobs} AS job
         LEFT JOIN ${names.outputState} AS state ON state.job_id = job.id AND state.stream = $2
         WHERE job.id = $1`,
        [id, stream, offset, maxOutputBytes, maxBytes],
      );
      const row = rows[0];
      if (row === undefined) throw notFound(id);
      const endOffset = Number(row.end_offset);
      const chunks = ((row.chunks ?? []) as { s: number | string; d: string }[]).map((chunk) => ({
        start: Number(chunk.s),
        data: Buffer.from(chunk.d, 'base64'),
      }));
      return readStoredOutput(
        {
          endOffset,
          firstStart: row.first_start === null ? endOffset : Number(row.first_start),
          chunks,
        },
        { offset, maxBytes, maxOutputBytes, stream },
      );
    },

    async getCursor(id, cursorName) {
      assertJobId(id);
      validateCursor(cursorName);
      const rows = await query(
        `SELECT job.id, cursor.value FROM ${names.jobs} AS job
         LEFT JOIN ${names.cursors} AS cursor ON cursor.job_id = job.id AND cursor.name = $2
         WHERE job.id = $1`,
        [id, cursorName],
      );
      if (rows[0] === undefined) throw notFound(id);
      return rows[0].value === null ? undefined : Number(rows[0].value);
    },

    async setCursor(id, cursorName, expected, next) {
      assertJobId(id);
      validateCursor(cursorName, expected, next);
      let rows: JobRow[];
      try {
        rows =
          expected === undefined
            ? await query(
                `INSERT INTO ${names.cursors} (job_id, name, value) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING RETURNING 1`,
                [id, cursorName, next],
              )
            : await query(
                `UPDATE ${names.cursors} SET value = $3 WHERE job_id = $1 AND name = $2 AND value = $4 RETURNING 1`,
                [id, cursorName, next, expected],
              );
      } catch (error) {
        if (sqlState((error as { cause?: unknown }).cause) === '23503') throw notFound(id);
        throw error;
      }
      if (rows.length > 0) return true;
      if (!(await jobExists(id))) throw notFound(id);
      return false;
    },

    subscribe(listener, subscribeOptions) {
      if (typeof listener !== 'function') {
        throw new InvalidArgumentError('Invalid listener: expected a function');
      }
      return eventSource.subscribe(listener, subscribeOptions);
    },

    async now() {
      const rows = await query(`SELECT ${nowMs} AS now`);
      return Number(rows[0]?.now);
    },

    async close() {
      if (closed) return;
      closed = true;
      eventSource.close();
      if (ownsPool) await pool.end().catch(() => undefined);
      pool.off('error', onPoolError);
    },
  };
  return store;
}
