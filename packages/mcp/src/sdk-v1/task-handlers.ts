import { ConflictError, isSaError } from '@sa/core';
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
import {
  cancelJob,
  finishedJobResult,
  resolveCallerScope,
  type ResolvedJobToolsOptions,
} from '../smart-call';
import { toMcpError } from './protocol-error';
import type { RequestExtra } from './request-extra';
import { toTask } from './task-mapping';
import type { ToolRouter } from './tool-router';

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
  router: ToolRouter,
): void {
  if (server.isConnected()) {
    throw new ConflictError(
      'Native tasks must be enabled before the server connects to a transport',
    );
  }
  server.server.registerCapabilities({ tasks: tasksCapability });
  const scopeOf = (extra: RequestExtra): string | null | undefined =>
    resolveCallerScope(extra, options.sharedJobs).read;

  server.server.setRequestHandler(
    GetTaskRequestSchema,
    protocolHandler(async (request, extra) =>
      toTask(await findTask(jobs, request.params.taskId, scopeOf(extra))),
    ),
  );
  server.server.setRequestHandler(
    GetTaskPayloadRequestSchema,
    protocolHandler(async (request, extra) => {
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
    }),
  );
  server.server.setRequestHandler(
    ListTasksRequestSchema,
    protocolHandler(async (request, extra) => {
      const cursor = request.params?.cursor;
      const page = await jobs.list({
        scope: scopeOf(extra),
        ...(cursor === undefined ? {} : { cursor }),
      });
      return {
        tasks: page.jobs.map(toTask),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    }),
  );
  server.server.setRequestHandler(
    CancelTaskRequestSchema,
    protocolHandler(async (request, extra) => {
      const { taskId } = request.params;
      const scope = scopeOf(extra);
      const current = await findTask(jobs, taskId, scope);
      if (isTerminalStatus(current.status)) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Cannot cancel task in terminal status: ${toTask(current).status}`,
        );
      }
      return toTask(await cancelJob(jobs, taskId, scope, options.cancelWaitMs));
    }),
  );

  router.tasksEnabled = true;
  for (const tool of router.tools.values()) {
    if (tool.smart) tool.registered.execution = { taskSupport: 'optional' };
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

/**
 * Wraps a protocol handler so every error reaches the client as the JSON-RPC error it is: the
 * caller's mistakes as -32602, a store outage or a closed manager as -32603 (never disguised as
 * bad parameters).
 */
function protocolHandler<Request, Result>(
  handler: (request: Request, extra: RequestExtra) => Promise<Result>,
): (request: Request, extra: RequestExtra) => Promise<Result> {
  return async (request, extra) => {
    try {
      return await handler(request, extra);
    } catch (error) {
      throw toMcpError(error);
    }
  };
}
