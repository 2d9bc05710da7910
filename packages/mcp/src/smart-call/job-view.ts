import type { JobError, JobProgress, JobRecord, JobStatus, JsonValue } from '@sa/jobs';

/** What clients see of a job: never its owner, lease token or scope. */
export type JobView = {
  job_id: string;
  label: string;
  tool: string;
  status: JobStatus;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  finished_at: string | null;
  progress: JobProgress | null;
  result?: JsonValue;
  error: JobError | null;
  cancel_requested: boolean;
};

/** The public view of a job record. */
export function toJobView(record: JobRecord): JobView {
  const view: JobView = {
    job_id: record.id,
    label: record.label,
    tool: record.tool,
    status: record.status,
    created_at: isoTime(record.createdAt),
    started_at: record.startedAt === null ? null : isoTime(record.startedAt),
    updated_at: isoTime(record.updatedAt),
    finished_at: record.finishedAt === null ? null : isoTime(record.finishedAt),
    progress: record.progress,
    error: record.error,
    cancel_requested: record.cancelRequestedAt !== null,
  };
  if (record.result !== undefined) view.result = record.result;
  return view;
}

/** An epoch-milliseconds time as ISO 8601. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
