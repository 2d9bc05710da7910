import type { SqlNames } from './sql-names';

/**
 * The DDL of the store, idempotent (`IF NOT EXISTS` everywhere). Times are epoch milliseconds
 * (bigint); `input`, `result` and `error` are JSON text kept byte for byte; ids sort bytewise.
 */
export function schemaStatements(names: SqlNames): string[] {
  const { jobs, output, outputState, cursors, table } = names;
  const index = (suffix: string): string => `"${table}_${suffix}"`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${names.schema}`,
    `CREATE TABLE IF NOT EXISTS ${jobs} (
      id text COLLATE "C" PRIMARY KEY,
      label text NOT NULL,
      tool text NOT NULL,
      input text,
      status text NOT NULL CHECK (status IN ('pending','running','completed','failed','cancelled','interrupted')),
      progress jsonb,
      result text,
      error text,
      created_at bigint NOT NULL,
      started_at bigint,
      updated_at bigint NOT NULL,
      finished_at bigint,
      expires_at bigint,
      owner jsonb,
      lease_token text,
      lease_expires_at bigint,
      cancel_requested_at bigint,
      cancel_reason text,
      scope text,
      idempotency_key text UNIQUE,
      version integer NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${index('created')} ON ${jobs} (created_at DESC, id DESC)`,
    `CREATE INDEX IF NOT EXISTS ${index('status_created')} ON ${jobs} (status, created_at DESC, id DESC)`,
    `CREATE INDEX IF NOT EXISTS ${index('scope_created')} ON ${jobs} (scope, created_at DESC, id DESC)`,
    `CREATE INDEX IF NOT EXISTS ${index('label_created')} ON ${jobs} (label, created_at DESC, id DESC)`,
    `CREATE INDEX IF NOT EXISTS ${index('lease')} ON ${jobs} (lease_expires_at) WHERE status IN ('pending', 'running')`,
    `CREATE INDEX IF NOT EXISTS ${index('finished')} ON ${jobs} (status, finished_at) WHERE finished_at IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${index('expires')} ON ${jobs} (expires_at) WHERE expires_at IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${index('updated')} ON ${jobs} (updated_at)`,
    `CREATE TABLE IF NOT EXISTS ${outputState} (
      job_id text COLLATE "C" NOT NULL REFERENCES ${jobs} (id) ON DELETE CASCADE,
      stream text NOT NULL CHECK (stream IN ('stdout', 'stderr')),
      end_offset bigint NOT NULL,
      updated_at bigint NOT NULL,
      PRIMARY KEY (job_id, stream)
    )`,
    `CREATE INDEX IF NOT EXISTS ${index('output_state_updated')} ON ${outputState} (updated_at)`,
    `CREATE TABLE IF NOT EXISTS ${output} (
      job_id text COLLATE "C" NOT NULL REFERENCES ${jobs} (id) ON DELETE CASCADE,
      stream text NOT NULL,
      start_offset bigint NOT NULL,
      end_offset bigint NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (job_id, stream, start_offset)
    )`,
    `CREATE INDEX IF NOT EXISTS ${index('output_end')} ON ${output} (job_id, stream, end_offset)`,
    `CREATE TABLE IF NOT EXISTS ${cursors} (
      job_id text COLLATE "C" NOT NULL REFERENCES ${jobs} (id) ON DELETE CASCADE,
      name text NOT NULL,
      value bigint NOT NULL,
      PRIMARY KEY (job_id, name)
    )`,
  ];
}
