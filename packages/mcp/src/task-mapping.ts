import type { JobRecord, JobStatus } from '@sa/jobs';
import type { Task } from '@modelcontextprotocol/sdk/types.js';
import type { CreateTaskResult } from '@modelcontextprotocol/sdk/experimental/tasks/types.js';
import { isoTime } from './job-view';

/** The `_meta` key of a short message a host may show the model at once. */
export const modelImmediateResponseKey = 'io.modelcontextprotocol/model-immediate-response';

/** How often clients should poll `tasks/get`, in ms (tasks/result returns at once anyway). */
export const taskPollIntervalMs = 1000;

/** MCP task status of a job status: pending and running → working, interrupted → failed. */
export function taskStatusOf(status: JobStatus): Task['status'] {
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

/** A job as an MCP task. `ttl` is the job's retention once known (null while it runs). */
export function toTask(record: JobRecord): Task {
  const task: Task = {
    taskId: record.id,
    status: taskStatusOf(record.status),
    createdAt: isoTime(record.createdAt),
    lastUpdatedAt: isoTime(record.updatedAt),
    ttl: record.expiresAt === null ? null : Math.max(0, record.expiresAt - record.createdAt),
    pollInterval: taskPollIntervalMs,
  };
  const message = statusMessageOf(record);
  if (message !== undefined) task.statusMessage = message;
  return task;
}

function statusMessageOf(record: JobRecord): string | undefined {
  if (record.error !== null) return record.error.message;
  if (record.status === 'pending') return 'Queued: waiting for a free slot';
  if (record.cancelRequestedAt !== null && record.status === 'running') return 'Cancelling';
  return record.progress?.message;
}

/** The answer to a task-augmented `tools/call`: the task, and a short note for the model. */
export function createTaskResult(record: JobRecord, statusToolName: string): CreateTaskResult {
  return {
    task: toTask(record),
    _meta: {
      [modelImmediateResponseKey]: `Started in the background as task ${record.id}; its result will follow (or call ${statusToolName} with job_id "${record.id}").`,
    },
  };
}
