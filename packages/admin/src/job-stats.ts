import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobStatus, JobStore } from '@sa/jobs';
import { jobStatuses } from '@sa/jobs';
import type { JobView } from './job-view';
import { eachJob } from './list-jobs';

/** Counts by status: one `list` call per status (the store counts). */
export async function countByStatus(store: JobStore): Promise<Record<JobStatus, number>> {
  const totals = await Promise.all(
    jobStatuses.map(async (status) => (await store.list({ status, limit: 1 })).total),
  );
  return Object.fromEntries(jobStatuses.map((status, index) => [status, totals[index]!])) as Record<
    JobStatus,
    number
  >;
}

/** What `sa-jobs stats` reports. */
export interface JobStats {
  total: number;
  byStatus: Record<JobStatus, number>;
  /** Jobs per tool, most first. */
  byTool: Record<string, number>;
  /** The running job that started first, if any. */
  oldestRunning: JobView | undefined;
  /** File store: bytes on disk under its directory; undefined for server stores. */
  diskBytes: number | undefined;
}

/**
 * Counts by status and tool, the oldest running job and the store's size. Tools are counted
 * over every job (pages of 1000): a full pass, as a `stats` call is an operator's request.
 */
export async function jobStats(
  store: JobStore,
  options: { fileStoreDirectory?: string } = {},
): Promise<JobStats> {
  const byStatus = await countByStatus(store);
  const byTool = new Map<string, number>();
  let total = 0;
  for await (const job of eachJob(store, {})) {
    total++;
    byTool.set(job.tool, (byTool.get(job.tool) ?? 0) + 1);
  }
  let oldestRunning: JobView | undefined;
  for await (const job of eachJob(store, { statuses: ['running'] })) {
    if (
      !oldestRunning ||
      (job.startedAt ?? job.createdAt) < (oldestRunning.startedAt ?? oldestRunning.createdAt)
    )
      oldestRunning = job;
  }
  const diskBytes =
    options.fileStoreDirectory === undefined
      ? undefined
      : await directorySize(options.fileStoreDirectory);
  return {
    total,
    byStatus,
    byTool: Object.fromEntries([...byTool].sort((a, b) => b[1] - a[1])),
    oldestRunning,
    diskBytes,
  };
}

/** Bytes of every file under `directory` (files that vanish meanwhile count as 0). */
async function directorySize(directory: string): Promise<number> {
  let bytes = 0;
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) bytes += await directorySize(path);
    else if (entry.isFile()) bytes += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return bytes;
}
