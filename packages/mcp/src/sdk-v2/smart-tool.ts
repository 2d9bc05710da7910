import { SaError, type ProgressUpdate, type Work, type WorkContext } from '@sa/core';
import {
  isTerminalStatus,
  type JobManager,
  type JobMeta,
  type JobRecord,
  type JsonValue,
} from '@sa/jobs';
import type {
  CallToolResult,
  McpServer,
  RegisteredTool,
  ServerContext,
  StandardSchemaWithJSON,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { jobHandleResult, type HandleReason } from '../job-handle';
import { OutputSink } from '../output-sink';
import { buildOutputSchema, describeSmartTool, formatIssues } from '../smart-tool-schemas';
import { toJsonValue } from '../to-json-value';
import { callerScopeOf } from './caller-scope';
import { exemptFromOutputValidation } from './output-schema-seam';
import { smartInputSchema } from './smart-input-schema';
import { requestKindOf, type RequestKind } from './request-kind';
import type { SmartToolContext } from './smart-tool-types';
import { toTaskView, type TaskView, type TaskViewOptions } from './task-view';
import { errorResult, finishedToolResult, successResult } from './tool-results';

/** Everything one smart tool needs, fixed at registration. */
export interface SmartToolDefinition extends TaskViewOptions {
  name: string;
  description: string | undefined;
  title: string | undefined;
  inputShape: z.ZodRawShape;
  outputShape: z.ZodRawShape | undefined;
  annotations: Parameters<McpServer['registerTool']>[1]['annotations'];
  meta: Record<string, unknown> | undefined;
  handler: (args: Record<string, unknown>, context: SmartToolContext) => unknown;
  jobs: JobManager;
  budgetMs: number;
  label: string | ((args: Record<string, unknown>) => string) | undefined;
  sharedJobs: boolean;
  progressIntervalMs: number;
  maxBufferedOutputBytes: number;
  statusToolName(): string;
  warn(message: string): void;
}

/** A `CreateTaskResult` of the Tasks extension: flat, `resultType: "task"`. */
export type CreateTaskResult = TaskView & { resultType: 'task' };

/** Registers one smart tool on an SDK v2 `McpServer`. */
export function registerSmartToolV2(
  server: McpServer,
  definition: SmartToolDefinition,
): RegisteredTool {
  const exactOutput =
    definition.outputShape === undefined ? undefined : z.object(definition.outputShape);
  const config = {
    description: describeSmartTool(
      definition.description,
      definition.budgetMs,
      definition.statusToolName(),
    ),
    inputSchema: smartInputSchema(definition.inputShape) as StandardSchemaWithJSON<
      Record<string, unknown>
    >,
    ...(definition.title === undefined ? {} : { title: definition.title }),
    ...(definition.outputShape === undefined
      ? {}
      : { outputSchema: buildOutputSchema(definition.outputShape) }),
    ...(definition.annotations === undefined ? {} : { annotations: definition.annotations }),
    ...(definition.meta === undefined ? {} : { _meta: definition.meta }),
  };
  const callback = (args: Record<string, unknown>, ctx: ServerContext) =>
    callSmartTool(definition, exactOutput, args, ctx);
  return server.registerTool(
    definition.name,
    config,
    // McpServer hands the parsed input; the SDK types it from the schema, which is built here.
    callback as unknown as Parameters<McpServer['registerTool']>[2],
  );
}

/** Answers one call; never throws (errors become `isError` results). */
async function callSmartTool(
  definition: SmartToolDefinition,
  exactOutput: z.ZodObject | undefined,
  parsed: Record<string, unknown>,
  ctx: ServerContext,
): Promise<CallToolResult | CreateTaskResult> {
  try {
    return await answer(definition, exactOutput, parsed, ctx);
  } catch (error) {
    return errorResult(error);
  }
}

async function answer(
  definition: SmartToolDefinition,
  exactOutput: z.ZodObject | undefined,
  parsed: Record<string, unknown>,
  ctx: ServerContext,
): Promise<CallToolResult | CreateTaskResult> {
  const {
    async_mode: asyncMode,
    job_label: jobLabel,
    ...args
  } = parsed as {
    async_mode: boolean;
    job_label?: string;
  } & Record<string, unknown>;
  const kind = requestKindOf(ctx);
  const sink = new OutputSink(definition.jobs, definition.maxBufferedOutputBytes);
  const work = createWork(definition, exactOutput, args, ctx, kind, sink);
  const meta = (): JobMeta => ({
    tool: definition.name,
    label: jobLabel ?? labelFor(definition, args),
    input: toJsonValue(args),
    scope: callerScopeOf(ctx, definition.sharedJobs),
  });
  if (asyncMode) {
    const record = await definition.jobs.start(work, meta());
    sink.attach(record.id);
    return backgroundAnswer(definition, record, kind, 'async');
  }
  const progressToken = ctx.mcpReq._meta?.progressToken;
  const outcome = await definition.jobs.runWithBudget(work, {
    budgetMs: definition.budgetMs,
    signal: ctx.mcpReq.signal,
    // 2026-07-28: closing the response stream IS the cancel. 2025: a closed connection keeps
    // the work as a job (the client may come back with list_jobs); see the README.
    onRequestAbort: kind === 'legacy' ? 'promote' : 'cancel',
    ...(progressToken === undefined
      ? {}
      : {
          onProgress: progressNotifier(ctx, progressToken, definition),
          progressIntervalMs: definition.progressIntervalMs,
        }),
  });
  if (outcome.status === 'completed') {
    sink.discard();
    return successResult(outcome.value);
  }
  const { task } = outcome;
  let record: JobRecord;
  try {
    record = await definition.jobs.adopt(task, meta());
  } catch (error) {
    task.cancel('The work could not be stored as a job');
    throw error;
  }
  sink.attach(record.id);
  if (isTerminalStatus(record.status)) return finishedToolResult(record);
  return backgroundAnswer(
    definition,
    record,
    kind,
    ctx.mcpReq.signal.aborted ? 'disconnected' : 'budget',
  );
}

/** The answer for work that moved to the background: a task where the request takes one, else a job handle. */
function backgroundAnswer(
  definition: SmartToolDefinition,
  record: JobRecord,
  kind: RequestKind,
  reason: HandleReason,
): CallToolResult | CreateTaskResult {
  if (kind !== 'tasks') return jobHandleResult(record, reason, definition);
  const answer: CreateTaskResult = {
    resultType: 'task',
    ...toTaskView(record, definition, Date.now()),
  };
  return definition.outputShape === undefined ? answer : exemptFromOutputValidation(answer);
}

function progressNotifier(
  ctx: ServerContext,
  progressToken: string | number,
  definition: SmartToolDefinition,
): (update: ProgressUpdate) => void {
  let last = -Infinity;
  return (update) => {
    if (!(update.progress > last) || ctx.mcpReq.signal.aborted) return;
    last = update.progress;
    ctx.mcpReq
      .notify({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: update.progress,
          ...(update.total === undefined ? {} : { total: update.total }),
          ...(update.message === undefined ? {} : { message: update.message }),
        },
      })
      .catch((error: unknown) =>
        definition.warn(`Could not send progress for ${definition.name}: ${String(error)}`),
      );
  };
}

function createWork(
  definition: SmartToolDefinition,
  exactOutput: z.ZodObject | undefined,
  args: Record<string, unknown>,
  ctx: ServerContext,
  kind: RequestKind,
  sink: OutputSink,
): Work<JsonValue> {
  const finish = (value: unknown): JsonValue | Promise<JsonValue> => {
    if (exactOutput === undefined) return toJsonValue(value);
    const parsed = parseSync(exactOutput, value);
    return parsed instanceof Promise
      ? parsed.then((result) => checked(definition, result))
      : checked(definition, parsed);
  };
  return (workContext) => {
    const returned = definition.handler(args, handlerContext(workContext, ctx, kind, sink));
    // A plain (non-promise) result finishes synchronously: the runner's task settles at once,
    // with no budget timer and no extra ticks (see @sa/core's Task.begin), as in the v1 adapter.
    if (!isThenable(returned)) return finish(returned) as unknown as Promise<JsonValue>;
    return Promise.resolve(returned).then(finish);
  };
}

function checked(
  definition: SmartToolDefinition,
  parsed: z.ZodSafeParseResult<Record<string, unknown>>,
): JsonValue {
  if (parsed.success) return toJsonValue(parsed.data);
  throw new SaError(
    'HANDLER_ERROR',
    `The result of tool ${definition.name} does not match its output schema: ${formatIssues(parsed.error)}`,
  );
}

/** Parses synchronously (much cheaper); async parsing only for schemas with async refinements. */
function parseSync(
  schema: z.ZodObject,
  value: unknown,
):
  | z.ZodSafeParseResult<Record<string, unknown>>
  | Promise<z.ZodSafeParseResult<Record<string, unknown>>> {
  try {
    return schema.safeParse(value);
  } catch {
    return schema.safeParseAsync(value);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function handlerContext(
  workContext: WorkContext,
  ctx: ServerContext,
  kind: RequestKind,
  sink: OutputSink,
): SmartToolContext {
  return {
    signal: workContext.signal,
    reportProgress: (update) => workContext.reportProgress(update),
    appendOutput: (stream, chunk) => sink.append(stream, chunk),
    sessionId: ctx.sessionId,
    authInfo: ctx.http?.authInfo,
    requestKind: kind,
  };
}

function labelFor(definition: SmartToolDefinition, args: Record<string, unknown>): string {
  const { label } = definition;
  if (label === undefined) return definition.name;
  return typeof label === 'function' ? label(args) : label;
}
