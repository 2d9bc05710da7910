import { isSaError } from '@sa/core';
import { isTerminalStatus, type JobManager, type JobRecord } from '@sa/jobs';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CancelTaskRequestSchema,
  ErrorCode,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  ListTasksRequestSchema,
  McpError,
  RELATED_TASK_META_KEY,
} from '@modelcontextprotocol/sdk/types.js';
import { cancelJob } from './job-admin-tools';
import { finishedJobResult } from './job-handle';
import type { ResolvedJobToolsOptions } from './job-tools-types';
import type { RequestExtra } from './progress-notifier';
import { resolveCallerScope } from './scope';
import { serverState } from './server-state';
import { toTask } from './task-mapping';

/** The tasks capability this package serves (2025-11-25). */
export const tasksCapability = {
  list: {},
  cancel: {},
  requests: { tools: { call: {} } },
};

/** How long one wait of `tasks/result` lasts before it re-reads the job. */
const resultWaitSliceMs = 60_000;

/**
 * Serves `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` from the job manager:
 * the same jobs the job tools show, scoped the same way; cancel stops the work and
 * `tasks/result` returns as soon as the job ends. Advertises the tasks capability.
 */
export function serveTasks(
  server: McpServer,
  jobs: JobManager,
  options: ResolvedJobToolsOptions,
): void {
  if (server.isConnected()) {
    throw new Error('Native tasks must be enabled before the server connects to a transport');
  }
  server.server.registerCapabilities({ tasks: tasksCapability });
  const scopeOf = (extra: RequestExtra): string | null | undefined =>
    resolveCallerScope(extra, options.sharedJobs).read;

  server.server.setRequestHandler(GetTaskRequestSchema, async (request, extra) =>
    toTask(await findTask(jobs, request.params.taskId, scopeOf(extra))),
  );
  server.server.setRequestHandler(GetTaskPayloadRequestSchema, async (request, extra) => {
    const { taskId } = request.params;
    const scope = scopeOf(extra);
    let record = await findTask(jobs, taskId, scope);
    while (!isTerminalStatus(record.status)) {
      record = await jobs.wait(taskId, {
        timeoutMs: resultWaitSliceMs,
        until: 'settled',
        scope,
        signal: extra.signal,
      });
    }
    const result = finishedJobResult(record);
    return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
  });
  server.server.setRequestHandler(ListTasksRequestSchema, async (request, extra) => {
    const cursor = request.params?.cursor;
    const page = await jobs
      .list({ scope: scopeOf(extra), ...(cursor === undefined ? {} : { cursor }) })
      .catch((error: unknown) => {
        throw new McpError(ErrorCode.InvalidParams, `Failed to list tasks: ${messageOf(error)}`);
      });
    return {
      tasks: page.jobs.map(toTask),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    };
  });
  server.server.setRequestHandler(CancelTaskRequestSchema, async (request, extra) => {
    const { taskId } = request.params;
    const scope = scopeOf(extra);
    const current = await findTask(jobs, taskId, scope);
    if (isTerminalStatus(current.status)) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Cannot cancel task in terminal status: ${toTask(current).status}`,
      );
    }
    const record = await cancelJob(jobs, taskId, scope, options.cancelWaitMs).catch(
      (error: unknown) => {
        throw new McpError(ErrorCode.InvalidParams, `Failed to cancel task: ${messageOf(error)}`);
      },
    );
    return toTask(record);
  });

  const state = serverState(server);
  state.tasksEnabled = true;
  for (const entry of state.smartTools.values()) {
    entry.registered.execution = { taskSupport: 'optional' };
  }
}

async function findTask(
  jobs: JobManager,
  taskId: string,
  scope: string | null | undefined,
): Promise<JobRecord> {
  const record = await jobs.get(taskId, { scope }).catch((error: unknown) => {
    if (isSaError(error, 'INVALID_ARGUMENT')) return undefined;
    throw error;
  });
  if (record === undefined) {
    throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
  }
  return record;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
