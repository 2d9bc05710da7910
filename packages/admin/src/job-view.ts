import type { JobRecord } from '@sa/jobs';

/** A job as `sa-jobs` and the dashboard show it: the record without its fencing token. */
export type JobView = Omit<JobRecord, 'leaseToken'>;

/** The record without `leaseToken` (the owner's fencing secret is never shown). */
export function toJobView(record: JobRecord): JobView {
  const { leaseToken: _leaseToken, ...view } = record;
  return view;
}
