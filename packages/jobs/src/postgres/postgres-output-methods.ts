import { NotFoundError } from '@sa/core';
import type { JobStoreBackend } from '../job-store-backend';
import { isContinuationByte } from '../output-bounds';
import { outputOffsetConflict } from '../validate-arguments';
import { hintNotification } from './notify-sql';
import { readStoredOutput } from './output-read';
import type { PostgresDatabase } from './postgres-database';
import { sqlState } from './postgres-errors';
import type { JobRow } from './row-codec';
import { nowMs } from './sql-names';
import type { SqlNames } from './sql-names';

/** The PostgreSQL store's output log and cursor methods (`appendOutput`, `readOutput`, cursors). */
export function createPostgresOutputMethods(context: {
  database: PostgresDatabase;
  names: SqlNames;
  maxOutputBytes: number;
}): Pick<JobStoreBackend, 'appendOutput' | 'readOutput' | 'getCursor' | 'setCursor'> {
  const { database, names, maxOutputBytes } = context;
  const query = (text: string, values: unknown[]): Promise<JobRow[]> =>
    database.query(text, values);
  const notFound = (id: string): NotFoundError =>
    new NotFoundError(`${database.name}: job ${id} not found`);
  const jobExists = async (id: string): Promise<boolean> =>
    (await query(`SELECT 1 FROM ${names.jobs} WHERE id = $1`, [id])).length > 0;
  return {
    async appendOutput(id, stream, chunk, expectedOffset) {
      // Why an append with an expected offset wrote nothing: no job, or another end offset.
      const refused = async (): Promise<Error | undefined> => {
        if (!(await jobExists(id))) return notFound(id);
        const rows = (await query(
          `SELECT end_offset FROM ${names.outputState} WHERE job_id = $1 AND stream = $2`,
          [id, stream],
        )) as unknown as { end_offset: string | number }[];
        const end = Number(rows[0]?.end_offset ?? 0);
        return end === expectedOffset
          ? undefined
          : outputOffsetConflict(id, stream, expectedOffset ?? 0, end);
      };
      if (chunk === '') {
        const error = expectedOffset === undefined ? undefined : await refused();
        if (error !== undefined) throw error;
        if (expectedOffset === undefined && !(await jobExists(id))) throw notFound(id);
        return;
      }
      const bytes = Buffer.from(chunk, 'utf8');
      let skip = Math.max(0, bytes.length - maxOutputBytes);
      while (skip < bytes.length && isContinuationByte(bytes[skip])) skip++;
      let appended: JobRow[];
      try {
        // With $8 (the expected end offset), the upsert happens only where the stream ends
        // there; the ON CONFLICT condition re-checks it on the locked row.
        appended = await query(
          `WITH before_append AS (
             SELECT COALESCE((SELECT end_offset FROM ${names.outputState}
                              WHERE job_id = $1 AND stream = $2), 0) AS end_offset),
           state AS (
             INSERT INTO ${names.outputState} AS state (job_id, stream, end_offset, updated_at)
             SELECT $1, $2, $3::bigint, ${nowMs} FROM before_append
             WHERE $8::bigint IS NULL OR before_append.end_offset = $8::bigint
             ON CONFLICT (job_id, stream) DO UPDATE
               SET end_offset = state.end_offset + EXCLUDED.end_offset, updated_at = EXCLUDED.updated_at
               WHERE $8::bigint IS NULL OR state.end_offset = $8::bigint
             RETURNING end_offset),
           inserted AS (
             INSERT INTO ${names.output} (job_id, stream, start_offset, end_offset, data)
             SELECT $1, $2, end_offset - $3::bigint + $4::bigint, end_offset, $5::bytea FROM state),
           trimmed AS (
             DELETE FROM ${names.output}
             WHERE job_id = $1 AND stream = $2 AND end_offset <= (SELECT end_offset FROM state) - $6::bigint)
           SELECT ${hintNotification('output', '$1::text', '$7')} FROM state`,
          [
            id,
            stream,
            bytes.length,
            skip,
            bytes.subarray(skip),
            maxOutputBytes,
            names.channel,
            expectedOffset ?? null,
          ],
        );
      } catch (error) {
        if (sqlState((error as { cause?: unknown }).cause) === '23503') throw notFound(id);
        throw error;
      }
      if (appended.length === 0)
        throw (await refused()) ?? outputOffsetConflict(id, stream, expectedOffset ?? 0, -1);
    },

    async readOutput(id, stream, { offset, maxBytes }) {
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
  };
}
