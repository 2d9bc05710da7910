import { InvalidArgumentError } from '@sa/core';
import { jobStatuses, type JobRecord, type JobStatus } from '../job-record';
import type { ListJobsQuery } from '../job-store';
import type { IndexEntry } from './index-entry';

/** A validated `list` query. */
export interface ParsedListQuery {
  statuses: ReadonlySet<JobStatus> | undefined;
  scope: string | null | undefined;
  label: string | undefined;
  limit: number;
  after: { createdAt: number; id: string } | undefined;
}

/** Validates a `list` query; throws `InvalidArgumentError` naming the bad field. */
export function parseListQuery(query: ListJobsQuery = {}): ParsedListQuery {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(`list: limit must be an integer from 1 to 1000 (got ${String(limit)})`);
  }
  let statuses: Set<JobStatus> | undefined;
  if (query.status !== undefined) {
    const list: readonly unknown[] = typeof query.status === 'string' ? [query.status] : query.status;
    for (const status of list) {
      if (!(jobStatuses as readonly unknown[]).includes(status)) {
        throw new InvalidArgumentError(`list: unknown status ${JSON.stringify(status)}`);
      }
    }
    statuses = new Set(list as JobStatus[]);
  }
  if (query.scope !== undefined && query.scope !== null && typeof query.scope !== 'string') {
    throw new InvalidArgumentError('list: scope must be a string or null');
  }
  return {
    statuses,
    scope: query.scope,
    label: query.label,
    limit: Math.min(limit, 1000),
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  };
}

/** True when an index entry or record matches the query's filters. */
export function matchesQuery(entry: IndexEntry | JobRecord, query: ParsedListQuery): boolean {
  return (
    (query.statuses === undefined || query.statuses.has(entry.status)) &&
    (query.scope === undefined || entry.scope === query.scope) &&
    (query.label === undefined || entry.label === query.label)
  );
}

/** The opaque cursor after a job (its `createdAt` and `id`). */
export function encodeCursor(entry: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([entry.createdAt, entry.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError(`list: cursor ${JSON.stringify(cursor)} is not a cursor from a previous page`);
}
