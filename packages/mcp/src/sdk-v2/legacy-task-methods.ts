import { isTerminalStatus, type JobManager, type JobRecord } from '@sa/jobs';
import { isSaError } from '@sa/core';
import {
  ProtocolError,
  ProtocolErrorCode,
  RELATED_TASK_META_KEY,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { finishedJobResult, resolveCallerScope } from '../smart-call';
import { callerOf } from './caller';
import { findTaskJob } from './task-lookup';
import type { TaskViewOptions } from './task-view';

/** A task as protocol revision 2025-11-25 shows it. */
export type LegacyTask = {
  taskId: string;
  status: 'working' | 'completed' | 'failed' | 'cancelled';
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttl: number | null;
  pollInterval: number;
};

/** What the 2025 handlers need. */
export interface LegacyTaskOptions extends TaskViewOptions {
  jobs: JobManager;
  sharedJobs: boolean;
  /** Longest a `tasks/cancel` waits for the work to stop before answering, in ms. */
  cancelWaitMs: number;
}

/** How long one `tasks/result` wait lasts before it re-reads the job (it loops until terminal). */
const resultWaitSliceMs = 60_000;
const listPageSize = 50;

/** The 2025-11-25 methods (client-directed tasks), answered from the same jobs. */
export function serveLegacyTaskMethods(options: LegacyTaskOptions) {
  const scopeOf = (ctx: ServerContext) =>
    resolveCallerScope(callerOf(ctx), options.sharedJobs).read;
  return {
    async get(taskId: string, ctx: ServerContext): Promise<LegacyTask> {
      return toLegacyTask(await findTaskJob(options.jobs, taskId, scopeOf(ctx)), options);
    },
    async cancel(taskId: string, ctx: ServerContext): Promise<LegacyTask> {
      const scope = scopeOf(ctx);
      const record = await findTaskJob(options.jobs, taskId, scope);
      try {
        // 2025-11-25: the task is `cancelled` in the reply; the work gets up to `cancelWaitMs`
        // to stop (a process tree takes a moment), as the v1 adapter does.
        const cancelled = await options.jobs.cancel(record.id, {
          ...(scope === undefined ? {} : { scope }),
          reason: 'Cancelled by the client (tasks/cancel)',
        });
        if (isFinished(cancelled) || options.cancelWaitMs <= 0) {
          return toLegacyTask(cancelled, options);
        }
        const settled = await options.jobs.wait(record.id, {
          timeoutMs: options.cancelWaitMs,
          until: 'settled',
          signal: ctx.mcpReq.signal,
          ...(scope === undefined ? {} : { scope }),
        });
        return toLegacyTask(settled, options);
      } catch (error) {
        if (!isSaError(error, 'CONFLICT')) throw error;
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Task ${record.id} already finished; it cannot be cancelled`,
        );
      }
    },
    async result(taskId: string, ctx: ServerContext) {
      const scope = scopeOf(ctx);
      let record = await findTaskJob(options.jobs, taskId, scope);
      while (!isFinished(record)) {
        ctx.mcpReq.signal.throwIfAborted();
        record = await options.jobs.wait(record.id, {
          timeoutMs: resultWaitSliceMs,
          signal: ctx.mcpReq.signal,
          until: 'settled',
          ...(scope === undefined ? {} : { scope }),
        });
      }
      const result = finishedJobResult(record);
      return { ...result, _meta: { [RELATED_TASK_META_KEY]: { taskId: record.id } } };
    },
    async list(cursor: string | undefined, ctx: ServerContext) {
      const scope = scopeOf(ctx);
      const page = await options.jobs.list({
        limit: listPageSize,
        ...(scope === undefined ? {} : { scope }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      return {
        tasks: page.jobs.map((record) => toLegacyTask(record, options)),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },
  };
}

function isFinished(record: JobRecord): boolean {
  return isTerminalStatus(record.status);
}

/** 2025-11-25 status: a tool error makes the task `failed`; `interrupted` is `failed` too. */
export function toLegacyTask(record: JobRecord, options: TaskViewOptions): LegacyTask {
  const status =
    record.status === 'pending' || record.status === 'running'
      ? 'working'
      : record.status === 'interrupted'
        ? 'failed'
        : record.status;
  const task: LegacyTask = {
    taskId: record.id,
    status,
    createdAt: new Date(record.createdAt).toISOString(),
    lastUpdatedAt: new Date(record.updatedAt).toISOString(),
    ttl:
      record.expiresAt === null
        ? options.retentionMs
        : Math.max(0, record.expiresAt - record.createdAt),
    pollInterval: options.pollIntervalMs,
  };
  if (record.error !== null) task.statusMessage = record.error.message;
  else if (record.progress?.message !== undefined) task.statusMessage = record.progress.message;
  return task;
}
