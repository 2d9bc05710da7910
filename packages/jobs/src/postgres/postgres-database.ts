import { ClosedError } from '@sa/core';
import pg from 'pg';
import type { Pool } from 'pg';
import { toStoreError } from './postgres-errors';
import type { JobRow } from './row-codec';
import { schemaStatements } from './schema-sql';
import type { SqlNames } from './sql-names';

/** Options for `openPostgresDatabase`. */
export interface PostgresDatabaseOptions {
  pool: Pool | undefined;
  connectionString: string | undefined;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  names: SqlNames;
  logger: { warn(message: string): void };
}

/** The store's pool with error mapping: every failure is a `SaError` naming the store. */
export interface PostgresDatabase {
  readonly pool: Pool;
  /** `postgres://host:port/schema.table`, for messages. */
  readonly name: string;
  /** `host:port`, for `STORE_UNAVAILABLE` messages. */
  readonly address: string;
  query(text: string, values?: unknown[]): Promise<JobRow[]>;
  /** Creates schema, tables and indexes if missing, under an advisory lock. */
  migrate(): Promise<void>;
  /** Refuses later queries; ends the pool when the store created it. */
  close(): Promise<void>;
}

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

/** Wraps the caller's pool, or creates one (with connect and query timeouts) from a connection string. */
export function openPostgresDatabase(options: PostgresDatabaseOptions): PostgresDatabase {
  const { names, logger } = options;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs,
      query_timeout: options.queryTimeoutMs,
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

  return {
    pool,
    name,
    address,
    async query(text, values = []) {
      if (closed) throw new ClosedError(`${name}: the store is closed`);
      try {
        return (await pool.query(text, values)).rows as JobRow[];
      } catch (error) {
        throw toStoreError(error, { name, address });
      }
    },
    async migrate() {
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
    },
    async close() {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end().catch(() => undefined);
      pool.off('error', onPoolError);
    },
  };
}
