import { NotFoundError, isSaError } from '@sa/core';
import type { JobManager, JobRecord } from '@sa/jobs';

/** The error for a job id that does not exist or is not visible to the caller. */
export function jobNotFound(id: string): NotFoundError {
  return new NotFoundError(
    `Job ${id.length > 40 ? `${JSON.stringify(id.slice(0, 40))}… (${id.length} characters)` : JSON.stringify(id)} was not found (job_id unknown, pruned, or started in another session)`,
    { data: { job_id: id.length > 128 ? `${id.slice(0, 128)}…` : id } },
  );
}

/** Reads a job the caller may see, or throws `NOT_FOUND` naming the id. */
export async function getVisibleJob(
  jobs: JobManager,
  id: string,
  scope: string | null | undefined,
): Promise<JobRecord> {
  const record = await jobs.get(id, { scope }).catch((error: unknown) => {
    // A malformed id names no job: say so rather than describe the id format.
    if (isSaError(error, 'INVALID_ARGUMENT')) return undefined;
    throw error;
  });
  if (record === undefined) throw jobNotFound(id);
  return record;
}

/** Re-throws a manager's `NOT_FOUND` with this package's message; other errors unchanged. */
export function withJobMessage(id: string, error: unknown): unknown {
  return isSaError(error, 'NOT_FOUND') ? jobNotFound(id) : error;
}
