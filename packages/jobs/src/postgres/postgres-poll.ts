import type { JobRecord } from '../job-record';
import type { JobEvent } from '../job-store';
import type { PostgresDatabase } from './postgres-database';
import type { PolledChange } from './postgres-events';
import { nowMs } from './sql-names';
import type { SqlNames } from './sql-names';

/**
 * The polling fallback: jobs and output streams changed since `since` (server time, epoch ms),
 * as hints, with the server's now. Deletions are not seen by polling.
 */
export async function pollChanges(
  database: PostgresDatabase,
  names: SqlNames,
  since: number,
): Promise<{ events: PolledChange[]; now: number }> {
  const rows = await database.query(
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
