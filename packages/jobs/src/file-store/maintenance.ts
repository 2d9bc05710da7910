import { isTerminalStatus, type JobRecord } from '../job-record';
import type { JobEvent } from '../job-store';
import { applyInterrupt, isLeaseExpired, matchesPrune } from '../record-rules';
import type { NormalizedPruneOptions } from '../validate-arguments';
import { syncDirectory } from './durable-file';
import type { FileLocks } from './file-lock';
import type { IndexLine } from './index-entry';
import type { IndexLog } from './index-log';
import { isProcessKnownDead } from './process-liveness';
import type { RecordRepository, StorePaths } from './record-repository';

/** What the reaper and the pruner use of a file store. */
export interface MaintenanceContext {
  index: IndexLog;
  locks: FileLocks;
  records: RecordRepository;
  clock: { now(): number };
}

/**
 * Marks `interrupted` every pending or running job whose lease expired, or whose owner process
 * is known dead on this host (pid liveness: found at once, without waiting for the lease).
 */
export async function reapJobs(
  context: MaintenanceContext,
  options: { now: number | undefined },
): Promise<JobRecord[]> {
  await context.index.refresh();
  const candidates = [...context.index.entries.values()]
    .filter((entry) => !isTerminalStatus(entry.status))
    .map((entry) => entry.id);
  const reaped: JobRecord[] = [];
  for (const id of candidates) {
    const record = await context.locks.withLock(id, async () => {
      const current = (await context.records.readLocked(id))?.record;
      if (!current) return undefined;
      const storeNow = context.clock.now();
      const ownerDead =
        !isTerminalStatus(current.status) &&
        current.owner !== null &&
        isProcessKnownDead(current.owner.pid, current.owner.host);
      if (!ownerDead && !isLeaseExpired(current, options.now ?? storeNow)) return undefined;
      const next = applyInterrupt(current, storeNow);
      if (ownerDead) {
        next.error = {
          code: 'INTERRUPTED',
          message: `The job was interrupted: its owner process ${current.owner!.pid} on ${current.owner!.host} is gone`,
        };
      }
      await context.records.save(next, { durable: true });
      return next;
    });
    if (record) reaped.push(record);
  }
  return reaped;
}

/** Deletes matching jobs in batches (never a running one); returns how many were deleted. */
export async function pruneJobs(
  context: MaintenanceContext & {
    paths: StorePaths;
    keyPath: (key: string) => string;
    emit: (event: JobEvent) => void;
  },
  normalized: NormalizedPruneOptions,
): Promise<number> {
  await context.index.refresh();
  const now = context.clock.now();
  // An index line written before the index kept the tool cannot be filtered by tool here:
  // it stays a candidate, and the record read under the lock decides.
  const candidates = [...context.index.entries.values()]
    .filter((entry) =>
      entry.tool === undefined
        ? matchesPrune(entry as JobRecord, { ...normalized, tools: undefined }, now)
        : matchesPrune(entry as JobRecord, normalized, now),
    )
    .map((entry) => entry.id);
  let deleted = 0;
  for (let start = 0; start < candidates.length; start += normalized.batchSize) {
    const lines: IndexLine[] = [];
    for (const id of candidates.slice(start, start + normalized.batchSize)) {
      await context.locks.withLock(id, async () => {
        // Re-read under the lock: another process may have changed the job since the index said so.
        const current = (await context.records.readLocked(id))?.record;
        if (!current || current.status === 'running' || !matchesPrune(current, normalized, now))
          return;
        const keyPath =
          current.idempotencyKey === null ? undefined : context.keyPath(current.idempotencyKey);
        lines.push(await context.records.remove(current, keyPath));
        deleted += 1;
      });
    }
    await syncDirectory(context.paths.records);
    await context.index.append(lines);
    for (const line of lines) context.emit({ type: 'deleted', id: line.id });
  }
  return deleted;
}
