import type { JobRecord } from '@sa/jobs';
import type { Task } from '@modelcontextprotocol/sdk/types.js';
import type { CreateTaskResult } from '@modelcontextprotocol/sdk/experimental/tasks/types.js';
import { taskFieldsOf } from '../smart-call';

/** The `_meta` key of a short message a host may show the model at once. */
export const modelImmediateResponseKey = 'io.modelcontextprotocol/model-immediate-response';

/** A job as a 2025-11-25 MCP task. `ttl` is the job's retention once known (null while it runs). */
export function toTask(record: JobRecord): Task {
  const { ttlMs, pollIntervalMs, ...fields } = taskFieldsOf(record);
  return { ...fields, ttl: ttlMs, pollInterval: pollIntervalMs };
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
