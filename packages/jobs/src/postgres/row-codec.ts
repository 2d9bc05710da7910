import { SaError } from '@sa/core';
import { parsedJobRecordSchema } from '../stored-record-schema';
import type { JobRecord } from '../job-record';

/** A job row as `pg` returns it (bigint as string, jsonb parsed). */
export type JobRow = Record<string, unknown>;

function time(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : undefined;
}

/** Turns a row into a checked `JobRecord`; throws `CORRUPT_RECORD` for a bad row. */
export function rowToRecord(row: JobRow, storeName: string): JobRecord {
  let raw: Record<string, unknown>;
  try {
    raw = {
      id: row.id,
      label: row.label,
      tool: row.tool,
      status: row.status,
      progress: row.progress ?? null,
      error: row.error === null ? null : json(row.error),
      createdAt: time(row.created_at),
      startedAt: time(row.started_at),
      updatedAt: time(row.updated_at),
      finishedAt: time(row.finished_at),
      expiresAt: time(row.expires_at),
      owner: row.owner ?? null,
      leaseToken: row.lease_token ?? null,
      leaseExpiresAt: time(row.lease_expires_at),
      cancelRequestedAt: time(row.cancel_requested_at),
      cancelReason: row.cancel_reason ?? null,
      scope: row.scope ?? null,
      idempotencyKey: row.idempotency_key ?? null,
      version: row.version,
    };
    if (row.input !== null) raw.input = json(row.input);
    if (row.result !== null) raw.result = json(row.result);
  } catch (error) {
    throw corrupt(storeName, row.id, error);
  }
  const parsed = parsedJobRecordSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(storeName, row.id, parsed.error);
  return parsed.data;
}

function corrupt(storeName: string, id: unknown, cause: unknown): SaError {
  return new SaError(
    'CORRUPT_RECORD',
    `${storeName}: job record ${typeof id === 'string' ? id : '(no id)'} is corrupt`,
    { cause },
  );
}
