import type { JobRecord } from '../job-record';
import type { JobPage } from '../job-store';
import { decodeListCursor, encodeListCursor } from '../list-cursor';
import { matchesListQuery } from '../record-rules';
import type { NormalizedListQuery } from '../validate-arguments';
import type { IndexEntry } from './index-entry';
import type { IndexLog } from './index-log';
import type { RecordRepository } from './record-repository';

/**
 * One page of `list`: the total and the order come from the index (refreshed from the log
 * first); only the page's records are read, and each is re-checked against the query, since the
 * index may lag a change another process is making.
 */
export async function listPage(
  context: { index: IndexLog; records: RecordRepository },
  normalized: NormalizedListQuery,
): Promise<JobPage> {
  const { index, records } = context;
  const position =
    normalized.cursor === undefined ? undefined : decodeListCursor(normalized.cursor);
  await index.refresh();
  const matches = (entry: IndexEntry | JobRecord) =>
    matchesListQuery(entry as JobRecord, normalized);
  const ordered = index.entries.ordered();
  const first = position === undefined ? 0 : index.entries.positionAfter(position);
  let total = 0;
  for (const entry of ordered) if (matches(entry)) total += 1;
  // Candidates after the cursor, a page at a time (the array may change while reading).
  const candidates: string[] = [];
  const collect = (from: number, count: number): number => {
    let at = from;
    for (; at < ordered.length && candidates.length < count; at += 1) {
      if (matches(ordered[at]!)) candidates.push(ordered[at]!.id);
    }
    return at;
  };
  let scanned = collect(first, normalized.limit + 1);
  // The index may lag a concurrent change: each page record is re-read and re-checked.
  const jobs: JobRecord[] = [];
  let next = 0;
  while (jobs.length < normalized.limit && next < candidates.length) {
    const batch = candidates.slice(next, next + normalized.limit - jobs.length);
    next += batch.length;
    for (const record of await Promise.all(batch.map((id) => records.read(id)))) {
      if (record && matches(record)) jobs.push(record);
      else total -= 1;
    }
    if (next >= candidates.length)
      scanned = collect(scanned, candidates.length + normalized.limit + 1);
  }
  const last = jobs.at(-1);
  const nextCursor =
    last !== undefined && next < candidates.length ? encodeListCursor(last) : undefined;
  return { jobs, total: Math.max(total, jobs.length), nextCursor };
}
