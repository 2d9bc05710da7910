import type { JobRecord, JobStatus } from '@sa/jobs';
import { isoTime } from './job-view';

/** The status of an MCP task (2025-11-25 and 2026-07-28 use the same five). */
export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** How often clients should poll a task, in ms, unless an adapter is told otherwise. */
export const defaultTaskPollIntervalMs = 1000;

/**
 * A job as an MCP task, in SDK-neutral names: each adapter renames the fields to its protocol
 * revision (2025-11-25: `ttl`, `pollInterval`; 2026-07-28: `ttlMs`, `pollIntervalMs`).
 */
export interface TaskFields {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  lastUpdatedAt: string;
  /** How long the task is kept after it was created, once known (null while it runs). */
  ttlMs: number | null;
  pollIntervalMs: number;
}

/** MCP task status of a job status: pending and running → working, interrupted → failed. */
export function taskStatusOf(status: JobStatus): TaskStatus {
  switch (status) {
    case 'pending':
    case 'running':
      return 'working';
    case 'interrupted':
      return 'failed';
    default:
      return status;
  }
}

/**
 * The task's status message: the error, "Cancelling", "Waiting to start" for a pending job (a
 * pending job may be queued behind others or about to start: the record cannot tell, so the
 * message claims neither), else the latest progress as `3/10 message`.
 */
export function taskStatusMessage(record: JobRecord): string | undefined {
  if (record.error !== null) return record.error.message;
  if (record.cancelRequestedAt !== null && !isTerminalish(record.status)) return 'Cancelling';
  if (record.status === 'pending') return 'Waiting to start';
  const progress = record.progress;
  if (progress === null) return undefined;
  const amount =
    progress.total === undefined
      ? `${progress.progress}`
      : `${progress.progress}/${progress.total}`;
  return progress.message === undefined ? amount : `${amount} ${progress.message}`;
}

function isTerminalish(status: JobStatus): boolean {
  return status !== 'pending' && status !== 'running';
}

/** A job as SDK-neutral task fields; `pollIntervalMs` defaults to `defaultTaskPollIntervalMs`. */
export function taskFieldsOf(
  record: JobRecord,
  options: { pollIntervalMs?: number } = {},
): TaskFields {
  const fields: TaskFields = {
    taskId: record.id,
    status: taskStatusOf(record.status),
    createdAt: isoTime(record.createdAt),
    lastUpdatedAt: isoTime(record.updatedAt),
    ttlMs: record.expiresAt === null ? null : Math.max(0, record.expiresAt - record.createdAt),
    pollIntervalMs: options.pollIntervalMs ?? defaultTaskPollIntervalMs,
  };
  const message = taskStatusMessage(record);
  if (message !== undefined) fields.statusMessage = message;
  return fields;
}
