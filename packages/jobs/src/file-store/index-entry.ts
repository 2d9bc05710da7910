import type { JobRecord, JobStatus } from '../job-record';

/** What the listing index keeps of a job: enough to filter, sort, prune and reap. */
export interface IndexEntry {
  id: string;
  status: JobStatus;
  version: number;
  scope: string | null;
  label: string;
  /** The job's tool; absent in lines written before the index kept it (then checked on the record). */
  tool?: string;
  createdAt: number;
  finishedAt: number | null;
  expiresAt: number | null;
}

/** One line of the index log. `writer` is the store instance that wrote it. */
export type IndexLine =
  | ({ type: 'changed'; writer: string; cancelRequested: boolean } & IndexEntry)
  | { type: 'deleted'; writer: string; id: string; version: number }
  | { type: 'output'; writer: string; id: string; stream: 'stdout' | 'stderr' };

/** The index entry of a record. */
export function toIndexEntry(record: JobRecord): IndexEntry {
  return {
    id: record.id,
    status: record.status,
    version: record.version,
    scope: record.scope,
    label: record.label,
    tool: record.tool,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    expiresAt: record.expiresAt,
  };
}

/** The index line announcing a record's new state. */
export function changedLine(record: JobRecord, writer: string): IndexLine {
  return {
    type: 'changed',
    writer,
    cancelRequested: record.cancelRequestedAt !== null,
    ...toIndexEntry(record),
  };
}

/** Parses one index log line; undefined when it is not a valid line (skipped, never fatal). */
export function parseIndexLine(text: string): IndexLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const line = value as Record<string, unknown>;
  if (typeof line.id !== 'string' || typeof line.writer !== 'string') return undefined;
  if (line.type === 'deleted')
    return typeof line.version === 'number' ? (line as IndexLine) : undefined;
  if (line.type === 'output')
    return line.stream === 'stdout' || line.stream === 'stderr' ? (line as IndexLine) : undefined;
  if (
    line.type === 'changed' &&
    typeof line.status === 'string' &&
    typeof line.version === 'number' &&
    typeof line.createdAt === 'number' &&
    typeof line.label === 'string'
  ) {
    return line as IndexLine;
  }
  return undefined;
}

/** Newest first: `createdAt` descending, then `id` descending. Negative when `a` comes first. */
export function compareNewestFirst(
  a: { createdAt: number; id: string },
  b: { createdAt: number; id: string },
): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
