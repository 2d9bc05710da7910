import { isSaError } from '@sa/core';
import { isTerminalStatus, type JobManager } from '@sa/jobs';
import {
  MissingRequiredClientCapabilityError,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { resolveCallerScope } from '../smart-call';
import { callerOf } from './caller';
import { serveLegacyTaskMethods } from './legacy-task-methods';
import { requestKindOf } from './request-kind';
import { findTaskJob } from './task-lookup';
import { toDetailedTask, type TaskViewOptions } from './task-view';
import { tasksExtensionId } from './tasks-extension';

/** What the `tasks/*` handlers need, fixed when the smart tools are created. */
export interface TaskMethodsOptions extends TaskViewOptions {
  jobs: JobManager;
  sharedJobs: boolean;
  /** Longest a `tasks/cancel` waits for the owning work to stop before acknowledging, in ms. */
  cancelWaitMs: number;
  warn(message: string): void;
}

const taskIdParams = z.looseObject({ taskId: z.string() });
const listParams = z.looseObject({ cursor: z.string().optional() });
const updateParams = z.looseObject({
  taskId: z.string(),
  inputResponses: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Serves `tasks/get`, `tasks/cancel` and `tasks/update` of the Tasks extension (registered
 * with explicit schemas, which SDK 2.4 requires to serve them on the 2026 era), and on the
 * 2025 era the 2025-11-25 `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel`.
 */
export function serveTaskMethods(server: McpServer, options: TaskMethodsOptions): void {
  const legacy = serveLegacyTaskMethods(options);
  server.server.setRequestHandler('tasks/get', { params: taskIdParams }, async (params, ctx) => {
    if (requestKindOf(ctx) === 'legacy') return legacy.get(params.taskId, ctx);
    assertDeclaresExtension(ctx);
    const record = await findTaskJob(options.jobs, params.taskId, scope(ctx, options));
    return { resultType: 'complete', ...toDetailedTask(record, options, Date.now()) };
  });
  server.server.setRequestHandler('tasks/cancel', { params: taskIdParams }, async (params, ctx) => {
    if (requestKindOf(ctx) === 'legacy') return legacy.cancel(params.taskId, ctx);
    assertDeclaresExtension(ctx);
    const taskScope = scope(ctx, options);
    const record = await findTaskJob(options.jobs, params.taskId, taskScope);
    if (!isTerminalStatus(record.status)) await requestCancel(options, record.id, taskScope);
    return { resultType: 'complete' };
  });
  server.server.setRequestHandler('tasks/update', { params: updateParams }, async (params, ctx) => {
    assertDeclaresExtension(ctx);
    // No tool asks for input yet: answers are acknowledged (unknown keys are ignored by spec).
    await findTaskJob(options.jobs, params.taskId, scope(ctx, options));
    return { resultType: 'complete' };
  });
  server.server.setRequestHandler('tasks/result', { params: taskIdParams }, (params, ctx) =>
    legacy.result(params.taskId, ctx),
  );
  server.server.setRequestHandler('tasks/list', { params: listParams }, (params, ctx) =>
    legacy.list(params.cursor, ctx),
  );
}

function scope(ctx: ServerContext, options: TaskMethodsOptions): string | null | undefined {
  return resolveCallerScope(callerOf(ctx), options.sharedJobs).read;
}

/** A `tasks/*` request on the 2026 era without the extension in its capabilities: -32021. */
function assertDeclaresExtension(ctx: ServerContext): void {
  if (requestKindOf(ctx) === 'tasks') return;
  throw new MissingRequiredClientCapabilityError(
    { requiredCapabilities: { extensions: { [tasksExtensionId]: {} } } },
    `This request needs the client capability extensions["${tasksExtensionId}"]: declare it in _meta["io.modelcontextprotocol/clientCapabilities"]`,
  );
}

/**
 * Records the cancel (durably, seen by whichever replica owns the work) and gives the work up
 * to `cancelWaitMs` to stop; the ack does not wait longer. Finishing first is not an error.
 */
async function requestCancel(
  options: TaskMethodsOptions,
  id: string,
  taskScope: string | null | undefined,
): Promise<void> {
  const cancelled = options.jobs
    .cancel(id, {
      ...(taskScope === undefined ? {} : { scope: taskScope }),
      reason: 'Cancelled by the client (tasks/cancel)',
    })
    .then(
      () => undefined,
      (error: unknown) => {
        if (isSaError(error, 'CONFLICT')) return;
        options.warn(`Could not cancel task ${id}: ${String(error)}`);
      },
    );
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, options.cancelWaitMs);
  });
  try {
    await Promise.race([cancelled, bound]);
  } finally {
    clearTimeout(timer);
  }
}
