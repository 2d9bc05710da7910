import { InvalidArgumentError } from '@sa/core';
import type { JobStore } from '@sa/jobs';
import { echo } from './admin-error';
import type { JobFilter } from './job-filter';
import { hasLocalChecks, matchesLocally } from './job-filter';
import type { JobView } from './job-view';
import { toJobView } from './job-view';

/** Options for `listJobs`. */
export interface ListJobsOptions extends JobFilter {
  /** Page size (default 20, at most 1000). */
  limit?: number;
  /** Where the previous page ended (`nextCursor`). */
  cursor?: string;
  /** The time ages are measured from (default the store's clock). */
  now?: number;
}

/** A page of jobs, newest first. */
export interface JobListPage {
  jobs: JobView[];
  /** Jobs matching in all; undefined when a tool or age filter would need a full scan to count. */
  total: number | undefined;
  /** Cursor of the next page, or undefined on the last one. */
  nextCursor: string | undefined;
}

/**
 * One page of jobs, newest first, through the store's `list`: status, scope and label are
 * filtered by the store; tool and age are checked here over store pages (the cursor then
 * carries the store page's cursor and how many of its jobs were seen). A
 * `newerThanMs` filter stops at the first older job (the order is by creation time).
 */
export async function listJobs(
  store: JobStore,
  options: ListJobsOptions = {},
): Promise<JobListPage> {
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 20)), 1000);
  const query = {
    status: options.statuses,
    scope: options.scope,
    label: options.label,
  };
  if (!hasLocalChecks(options)) {
    const page = await store.list({ ...query, limit, cursor: options.cursor });
    return { jobs: page.jobs.map(toJobView), total: page.total, nextCursor: page.nextCursor };
  }
  const now = options.now ?? (await store.now());
  const jobs: JobView[] = [];
  let { storeCursor, skip } = decodeScanCursor(options.cursor);
  const pageSize = Math.max(limit, scanPageSize);
  for (;;) {
    const page = await store.list({ ...query, limit: pageSize, cursor: storeCursor });
    for (let index = skip; index < page.jobs.length; index++) {
      const record = page.jobs[index]!;
      if (options.newerThanMs !== undefined && record.createdAt < now - options.newerThanMs)
        return { jobs, total: undefined, nextCursor: undefined };
      if (!matchesLocally(record, options, now)) continue;
      jobs.push(toJobView(record));
      if (jobs.length === limit) {
        const more = index + 1 < page.jobs.length || page.nextCursor !== undefined;
        return {
          jobs,
          total: undefined,
          nextCursor: more ? encodeScanCursor(storeCursor, index + 1) : undefined,
        };
      }
    }
    if (page.nextCursor === undefined) return { jobs, total: undefined, nextCursor: undefined };
    storeCursor = page.nextCursor;
    skip = 0;
  }
}

/** Store records read per request while checking tool and age filters here. */
const scanPageSize = 500;

/** A cursor of a filtered scan: the store page's cursor and how many of its jobs were seen. */
function encodeScanCursor(storeCursor: string | undefined, skip: number): string {
  return `s${skip}.${storeCursor ?? ''}`;
}

function decodeScanCursor(cursor: string | undefined): {
  storeCursor: string | undefined;
  skip: number;
} {
  if (cursor === undefined) return { storeCursor: undefined, skip: 0 };
  const match = /^s(\d{1,9})\.(.*)$/s.exec(cursor);
  if (!match)
    throw new InvalidArgumentError(
      `cursor ${echo(cursor)} is not from a page with the same tool or age filter`,
    );
  return { storeCursor: match[2] === '' ? undefined : match[2], skip: Number(match[1]) };
}

/** Every job matching the filter, page after page (for counts and dry runs). */
export async function* eachJob(
  store: JobStore,
  filter: JobFilter & { now?: number },
  pageSize = 1000,
): AsyncGenerator<JobView> {
  let cursor: string | undefined;
  do {
    const page = await listJobs(store, { ...filter, limit: pageSize, cursor });
    yield* page.jobs;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
