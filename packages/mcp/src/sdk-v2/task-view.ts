import type { JobRecord } from '@sa/jobs';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { finishedJobResult, taskStatusMessage } from '../smart-call';

/** Task status of the Tasks extension (2026-07-28); `input_required` is not produced yet. */
export type TaskStatus = 'working' | 'completed' | 'failed' | 'cancelled';

/** A task as the Tasks extension shows it (flat, no `resultType`). */
export type TaskView = {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs: number;
};

/** A JSON-RPC error object, as a `failed` task carries it. */
export type TaskError = {
  code: number;
  message: string;
  data?: unknown;
};

/** What `tasks/get` answers: the task plus `result` (completed) or `error` (failed). */
export type DetailedTask = TaskView & {
  result?: CallToolResult & { resultType: 'complete' };
  error?: TaskError;
};

/** How tasks are shown: poll interval and the retention a finished job keeps. */
export interface TaskViewOptions {
  /** Suggested `tasks/get` poll interval in ms. */
  pollIntervalMs: number;
  /** How long a finished task stays readable, in ms (null: kept until pruned by hand). */
  retentionMs: number | null;
}

/** JSON-RPC "internal error": a task that failed for a reason other than its tool's own error. */
const internalErrorCode = -32603;

/**
 * The task status of a job: pending and running are `working`; a tool error (job `failed`) is
 * `completed` with an `isError` result (the call would have returned it); `interrupted` (its
 * owner died) is `failed`, a protocol-level fault.
 */
export function taskStatusOf(record: JobRecord): TaskStatus {
  switch (record.status) {
    case 'pending':
    case 'running':
      return 'working';
    case 'completed':
    case 'failed':
      return 'completed';
    case 'interrupted':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
  }
}

/**
 * A job as a task. `ttlMs` counts from `createdAt`: once finished, to the job's expiry; while
 * it runs, at least `retentionMs` from now (a running task is never forgotten).
 */
export function toTaskView(record: JobRecord, options: TaskViewOptions, nowMs: number): TaskView {
  const task: TaskView = {
    taskId: record.id,
    status: taskStatusOf(record),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUpdatedAt: new Date(record.updatedAt).toISOString(),
    ttlMs: ttlOf(record, options, nowMs),
    pollIntervalMs: options.pollIntervalMs,
  };
  const message = statusMessageOf(record);
  if (message !== undefined) task.statusMessage = message;
  return task;
}

/** The full task for `tasks/get`: the completed call's result inlined, or the failure. */
export function toDetailedTask(
  record: JobRecord,
  options: TaskViewOptions,
  nowMs: number,
): DetailedTask {
  const task: DetailedTask = toTaskView(record, options, nowMs);
  if (task.status === 'completed') {
    task.result = { ...(finishedJobResult(record) as CallToolResult), resultType: 'complete' };
  } else if (task.status === 'failed') {
    task.error = {
      code: internalErrorCode,
      message: task.statusMessage ?? 'The task failed',
      data: { status: record.status, code: record.error?.code ?? 'INTERRUPTED' },
    };
  }
  return task;
}

function ttlOf(record: JobRecord, options: TaskViewOptions, nowMs: number): number | null {
  if (record.expiresAt !== null) return Math.max(0, record.expiresAt - record.createdAt);
  if (record.finishedAt !== null || options.retentionMs === null) return null;
  return Math.max(0, nowMs - record.createdAt) + options.retentionMs;
}

/**
 * The task's progress channel: the core's message (`3/10 crunching`, `Cancelling`, why it
 * failed), and for an interrupted task a message that says what happened and what to do.
 */
export function statusMessageOf(record: JobRecord): string | undefined {
  if (record.status === 'interrupted') {
    return `Interrupted: the server process that ran this task stopped before it finished (${record.error?.message ?? 'no further detail'}). Call the tool again to retry.`;
  }
  if (record.status === 'cancelled') return record.cancelReason ?? 'Cancelled';
  return taskStatusMessage(record);
}
