import { terminalJobStatuses } from '../job-record';
import { changedNotification, hintNotification } from './notify-sql';
import { nowMs } from './sql-names';
import type { SqlNames } from './sql-names';

// The fixed statements of the PostgreSQL store. Each is one statement (one implicit
// transaction) whose change hint is sent by pg_notify in the same statement, so at commit.

/** $1 id, $2 label, $3 tool, $4 input, $5 status, $6 progress, $7 createdAt, $8 startedAt, $9 owner, $10 lease token, $11 leaseMs, $12 scope, $13 idempotency key, $14 channel. */
export function insertJobSql(names: SqlNames): string {
  return `WITH inserted AS (
             INSERT INTO ${names.jobs} (id, label, tool, input, status, progress, created_at, started_at,
               updated_at, owner, lease_token, lease_expires_at, scope, idempotency_key, version)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb, COALESCE($7::bigint, ${nowMs}),
               CASE WHEN $5 = 'running' THEN COALESCE($8::bigint, $7::bigint, ${nowMs}) ELSE $8::bigint END,
               ${nowMs}, $9::jsonb, $10, CASE WHEN $11::bigint IS NULL THEN NULL ELSE ${nowMs} + $11::bigint END,
               $12, $13, 1)
             ON CONFLICT DO NOTHING RETURNING *)
           SELECT inserted.*, ${changedNotification('inserted', '$14')} FROM inserted`;
}

/** $1 id, $2 owner token, $3 leaseMs, $4 progress given, $5 progress, $6 channel. Bumps the version only when the progress changed. */
export function heartbeatSql(names: SqlNames): string {
  const changed = `($4::boolean AND old.progress IS DISTINCT FROM $5::jsonb)`;
  return `WITH old AS (
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
         FROM updated`;
}

/** $1 id, $2 error (JSON, for a pending job), $3 reason, $4 channel. */
export function requestCancelSql(names: SqlNames): string {
  return `WITH updated AS (
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
         SELECT updated.*, ${changedNotification('updated', '$4')} FROM updated`;
}

/** $1 cutoff (or null for now), $2 batch size, $3 error (JSON), $4 channel. */
export function reapSql(names: SqlNames): string {
  return `WITH due AS (
             SELECT id FROM ${names.jobs}
             WHERE status IN ('pending', 'running') AND lease_expires_at <= COALESCE($1::float8, ${nowMs})
             ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED),
           updated AS (
             UPDATE ${names.jobs} AS job SET status = 'interrupted', error = $3, finished_at = ${nowMs},
               lease_expires_at = NULL, updated_at = ${nowMs}, version = job.version + 1
             FROM due WHERE job.id = due.id RETURNING job.*)
           SELECT updated.*, ${changedNotification('updated', '$4')} FROM updated`;
}

/** $1 id. One job with the server's clock (`read_at`): the store front decides expiry with it. */
export function readJobSql(names: SqlNames): string {
  return `SELECT *, ${nowMs} AS read_at FROM ${names.jobs} WHERE id = $1`;
}

/** No parameters. The server's clock in epoch ms (`now`). */
export function serverTimeSql(): string {
  return `SELECT ${nowMs} AS now`;
}

/** $1 id. One job, as stored. */
export function currentJobSql(names: SqlNames): string {
  return `SELECT * FROM ${names.jobs} WHERE id = $1`;
}

/**
 * One batch of `prune`: deletes up to $2 jobs (never running ones) and sends a `deleted` hint
 * for each. $1 statuses (text[]), $2 batch size, $3 channel, $4 filter by scope (boolean),
 * $5 the scope (null: jobs without scope), $6 olderThan (epoch ms, or null), $7 expired
 * (boolean), $8 tools (text[], or null for any tool). With neither $6 nor $7 every job of the statuses and scope matches; with either,
 * a job matches when it finished (or, unfinished, was created) before $6 or is terminal with
 * `expires_at` passed.
 */
export function pruneSql(names: SqlNames): string {
  const terminal = terminalJobStatuses.map((status) => `'${status}'`).join(', ');
  return `WITH doomed AS (
             SELECT id FROM ${names.jobs}
             WHERE status = ANY($1::text[]) AND status <> 'running'
               AND (NOT $4::boolean OR scope IS NOT DISTINCT FROM $5::text)
               AND ($8::text[] IS NULL OR tool = ANY($8::text[]))
               AND (($6::float8 IS NULL AND NOT $7::boolean)
                 OR COALESCE(finished_at, created_at) < $6::float8
                 OR ($7::boolean AND status IN (${terminal}) AND expires_at IS NOT NULL
                   AND expires_at <= ${nowMs}))
             LIMIT $2 FOR UPDATE SKIP LOCKED),
           deleted AS (DELETE FROM ${names.jobs} WHERE id IN (SELECT id FROM doomed) RETURNING id)
           SELECT deleted.id, ${hintNotification('deleted', 'deleted.id', '$3')} FROM deleted`;
}
