import { ConflictError, NotFoundError, isSaError } from '@sa/core';
import { isTerminalStatus, type JobManager, type JobRecord } from '@sa/jobs';
import type {
  CreateTaskOptions,
  TaskStore,
} from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import type { Request, RequestId, Result, Task } from '@modelcontextprotocol/sdk/types.js';
import { finishedJobResult, isJsonObject, resolveCallerScope, toJsonValue } from '../smart-call';
import { toTask } from './task-mapping';

/** Options of `createJobTaskStore`. */
export interface JobTaskStoreOptions {
  /** Every session sees every task (default false: tasks are scoped to their session). */
  sharedJobs?: boolean;
}

/**
 * An SDK `TaskStore` over a job manager, for tools registered with the SDK's own
 * `registerToolTask`: their tasks are jobs too (owner-less, so the reaper leaves them alone),
 * visible to the job tools and to `tasks/*`. Smart tools do not need it.
 *
 * @example
 * const server = new McpServer(info, { capabilities: { tasks: tasksCapability }, taskStore: createJobTaskStore(jobs) });
 */
export function createJobTaskStore(jobs: JobManager, options: JobTaskStoreOptions = {}): TaskStore {
  const shared = options.sharedJobs ?? false;
  const scopeOf = (sessionId: string | undefined) => resolveCallerScope({ sessionId }, shared);
  const find = async (taskId: string, sessionId: string | undefined): Promise<JobRecord> => {
    const record = await jobs.get(taskId, { scope: scopeOf(sessionId).read });
    if (record === undefined) {
      throw new NotFoundError(`Task with ID ${taskId} not found`, { data: { taskId } });
    }
    return record;
  };
  const finish = async (
    taskId: string,
    sessionId: string | undefined,
    status: 'completed' | 'failed',
    result: Result | undefined,
  ): Promise<void> => {
    const record = await find(taskId, sessionId);
    await jobs.settleExternal(
      record.id,
      status === 'completed'
        ? { status, result: toJsonValue(result ?? null) }
        : {
            status,
            ...(result === undefined ? {} : { result: toJsonValue(result) }),
            error: { code: 'HANDLER_ERROR', message: failureMessage(result) },
          },
    );
  };

  return {
    async createTask(
      taskParams: CreateTaskOptions,
      _requestId: RequestId,
      request: Request,
      sessionId?: string,
    ): Promise<Task> {
      const params = request.params as { name?: unknown; arguments?: unknown } | undefined;
      const tool = typeof params?.name === 'string' ? params.name : request.method;
      const record = await jobs.createExternal({
        label: tool,
        tool,
        ...(params?.arguments === undefined ? {} : { input: toJsonValue(params.arguments) }),
        scope: scopeOf(sessionId).create,
      });
      return { ...toTask(record), ttl: taskParams.ttl ?? null };
    },
    async getTask(taskId: string, sessionId?: string): Promise<Task | null> {
      const record = await jobs.get(taskId, { scope: scopeOf(sessionId).read }).catch(notFound);
      return record === undefined ? null : toTask(record);
    },
    storeTaskResult: (taskId, status, result, sessionId) =>
      finish(taskId, sessionId, status, result),
    async getTaskResult(taskId: string, sessionId?: string): Promise<Result> {
      const record = await find(taskId, sessionId);
      if (!isTerminalStatus(record.status)) {
        throw new ConflictError(`Task ${taskId} has no result yet (status ${record.status})`, {
          data: { taskId, status: record.status },
        });
      }
      if (isJsonObject(record.result) && Array.isArray(record.result['content'])) {
        return record.result;
      }
      return finishedJobResult(record);
    },
    async updateTaskStatus(taskId, status, statusMessage, sessionId): Promise<void> {
      if (status === 'cancelled') {
        await jobs.cancel(taskId, {
          scope: scopeOf(sessionId).read,
          reason: statusMessage ?? 'Cancelled',
        });
      } else if (status === 'completed' || status === 'failed') {
        await finish(taskId, sessionId, status, undefined);
      }
    },
    async listTasks(cursor?: string, sessionId?: string) {
      const page = await jobs.list({
        scope: scopeOf(sessionId).read,
        ...(cursor === undefined ? {} : { cursor }),
      });
      return {
        tasks: page.jobs.map(toTask),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },
  };
}

function notFound(error: unknown): undefined {
  if (isSaError(error, 'INVALID_ARGUMENT') || isSaError(error, 'NOT_FOUND')) return undefined;
  throw error;
}

function failureMessage(result: Result | undefined): string {
  const content = (result as { content?: unknown } | undefined)?.content;
  if (Array.isArray(content)) {
    const text = content.find(
      (item: unknown): item is { text: string } =>
        isJsonObject(item) && item['type'] === 'text' && typeof item['text'] === 'string',
    );
    if (text !== undefined) return text.text;
  }
  return 'The task failed';
}
