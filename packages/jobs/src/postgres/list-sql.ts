import type { ListPosition } from '../list-cursor';
import type { NormalizedListQuery } from '../validate-arguments';
import { nowMs } from './sql-names';
import type { SqlNames } from './sql-names';

interface Statement {
  text: string;
  values: unknown[];
}

/**
 * The two queries of `list`: the count of every match (ignoring the cursor) and one page, newest
 * first (`created_at DESC, id DESC`, ids compared bytewise), one row more than the page to know
 * whether another follows. Expired jobs are left out.
 */
export function buildListQueries(
  names: SqlNames,
  query: NormalizedListQuery,
  after: ListPosition | undefined,
): { count: Statement; page: Statement } {
  const values: unknown[] = [];
  const param = (value: unknown): string => `$${String(values.push(value))}`;
  const where = [`(expires_at IS NULL OR expires_at > ${nowMs})`];
  if (query.statuses !== undefined) where.push(`status = ANY(${param(query.statuses)}::text[])`);
  if (query.scope === null) where.push('scope IS NULL');
  else if (query.scope !== undefined) where.push(`scope = ${param(query.scope)}`);
  if (query.label !== undefined) where.push(`label = ${param(query.label)}`);
  const filter = where.join(' AND ');
  const countValues = [...values];
  let pageFilter = filter;
  if (after !== undefined) {
    pageFilter += ` AND (created_at, id) < (${param(after.createdAt)}::float8, ${param(after.id)}::text COLLATE "C")`;
  }
  const limit = param(query.limit + 1);
  return {
    count: {
      text: `SELECT count(*)::int AS total FROM ${names.jobs} WHERE ${filter}`,
      values: countValues,
    },
    page: {
      text: `SELECT * FROM ${names.jobs} WHERE ${pageFilter} ORDER BY created_at DESC, id DESC LIMIT ${limit}::int`,
      values,
    },
  };
}
