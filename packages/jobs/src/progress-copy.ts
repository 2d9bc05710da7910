import type { JobProgress } from './job-record';

/**
 * The one copy of a progress value: only its known fields, always in the order progress,
 * total, message (so two copies of equal progress have equal JSON text, which the Redis
 * store compares). Core's `ProgressUpdate` has the same shape, so it is copied the same way.
 */
export function progressCopy(progress: JobProgress): JobProgress {
  const copy: JobProgress = { progress: progress.progress };
  if (progress.total !== undefined) copy.total = progress.total;
  if (progress.message !== undefined) copy.message = progress.message;
  return copy;
}
