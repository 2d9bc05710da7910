import { isTerminalStatus } from '../job-record';
import type { JobEvent, JobStore } from '../job-store';
import type { OwnedJob } from './owned-job';

/**
 * Reacts to a store hint about a job this process owns: a cancel flag or a cancelled status
 * aborts the work; a deletion or a terminal status it did not write means the job was lost.
 */
export function handleOwnedJobEvent(job: OwnedJob, event: JobEvent, store: JobStore): void {
  if (event.type === 'output') return;
  if (event.type === 'deleted') {
    job.lose('it was deleted from the store');
    return;
  }
  // Our own terminal write arrives here too, while finalising: nothing to do then.
  if (job.finalizing !== undefined) return;
  if (event.status !== undefined && isTerminalStatus(event.status)) {
    if (event.status === 'cancelled') job.requestCancel('The job was cancelled');
    else job.lose(`it became ${event.status} in the store`);
    return;
  }
  if (event.cancelRequested === true) {
    store.get(event.id).then(
      (record) => job.requestCancel(record?.cancelReason ?? null),
      () => job.requestCancel(null),
    );
  }
}
