import type { JobOwner, JobRecord, JobStatus } from '../job-record';
import type { JobStore } from '../job-store';
import { currentHost, isProcessKnownDead } from '../process-liveness';
import type { TimerSet } from './manager-timers';

/** What the reaper and pruner need. */
export interface MaintenanceContext {
  store: JobStore;
  timers: TimerSet;
  owner: JobOwner;
  logger: { warn(message: string): void };
  reapIntervalMs: number;
  pruneIntervalMs: number;
  /** Retention per terminal status (null: forever). */
  retention: Record<'completed' | 'failed' | 'cancelled' | 'interrupted', number | null>;
  /** Called with every job the reaper interrupted. */
  onInterrupted(record: JobRecord): void;
}

/**
 * Interrupts pending and running jobs whose owner process on this host is dead (found at once,
 * without waiting for the lease), fenced by the dead owner's own token and version.
 */
export async function interruptDeadLocalOwners(context: MaintenanceContext): Promise<JobRecord[]> {
  const host = currentHost;
  const interrupted: JobRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await context.store.list({ status: ['pending', 'running'], limit: 1000, cursor });
    for (const record of page.jobs) {
      const owner = record.owner;
      if (owner === null || owner.host !== host || owner.instanceId === context.owner.instanceId)
        continue;
      if (!isProcessKnownDead(owner.pid, owner.host)) continue;
      const result = await context.store.transition(
        record.id,
        {
          from: record.status,
          expectedVersion: record.version,
          ...(record.leaseToken === null ? {} : { ownerToken: record.leaseToken }),
        },
        {
          status: 'interrupted',
          error: {
            code: 'INTERRUPTED',
            message: `The job was interrupted: its owner process ${owner.pid} on ${host} is gone`,
          },
        },
      );
      if (result.ok) interrupted.push(result.record);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return interrupted;
}

/** One reaper pass: expired leases (store clock) and dead owners on this host. */
export async function reapOnce(context: MaintenanceContext): Promise<JobRecord[]> {
  const reaped = [
    ...(await context.store.reapExpired()),
    ...(await interruptDeadLocalOwners(context)),
  ];
  for (const record of reaped) context.onInterrupted(record);
  return reaped;
}

/** One pruner pass: finished jobs past their retention, and jobs whose `expiresAt` passed. */
export async function pruneOnce(context: MaintenanceContext): Promise<number> {
  const now = await context.store.now();
  let deleted = await context.store.prune({ expired: true });
  for (const [status, keepMs] of Object.entries(context.retention) as [
    JobStatus,
    number | null,
  ][]) {
    if (keepMs === null) continue;
    deleted += await context.store.prune({ statuses: [status], olderThan: now - keepMs });
  }
  return deleted;
}

/** Runs the reaper (at once, then every `reapIntervalMs`) and the pruner on unref'd timers. */
export function startMaintenance(context: MaintenanceContext): { stop(): void } {
  let stopped = false;
  const loop = (
    name: string,
    firstDelayMs: number,
    intervalMs: number,
    pass: () => Promise<unknown>,
  ) => {
    const run = (): void => {
      if (stopped) return;
      pass()
        .catch((error: unknown) => {
          if (stopped) return;
          const message = error instanceof Error ? error.message : String(error);
          context.logger.warn(`[@sa/jobs] the ${name} pass failed, will retry: ${message}`);
        })
        .finally(() => {
          if (!stopped) context.timers.after(intervalMs, run);
        });
    };
    context.timers.after(firstDelayMs, run);
  };
  loop('reaper', 0, context.reapIntervalMs, () => reapOnce(context));
  loop('pruner', context.pruneIntervalMs, context.pruneIntervalMs, () => pruneOnce(context));
  return {
    stop() {
      stopped = true;
    },
  };
}
