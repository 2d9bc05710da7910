import type { ProgressListener } from '@sa/core';
import type { JobRecord } from '@sa/jobs';
import type {
  CallToolResult,
  McpServer,
  RegisteredTool,
  ServerContext,
  StandardSchemaWithJSON,
} from '@modelcontextprotocol/server';
import type { z } from 'zod';
import {
  callSmartTool,
  jobHandleResult,
  type SmartCallOutcome,
  type SmartToolDefinition,
} from '../smart-call';
import { callerOf } from './caller';
import { exemptFromOutputValidation } from './output-schema-seam';
import { abortKindOf } from './request-abort-kind';
import { requestKindOf, type RequestKind } from './request-kind';
import { smartAdvertisedInput } from './standard-schemas';
import { toTaskView, type TaskView, type TaskViewOptions } from './task-view';
import { toLegacyTask, type LegacyTask } from './legacy-task-methods';
import type { TaskRequestReader } from './tool-call-task-seam';

/** A `CreateTaskResult` of the Tasks extension: flat, `resultType: "task"`. */
export type CreateTaskResult = TaskView & { resultType: 'task' };

/**
 * The 2025-11-25 `CreateTaskResult`: `{ task }`, with `content: []` because SDK 2.4 checks every
 * `tools/call` answer against `CallToolResult` (it rejects a body that carries `task` without it).
 */
export type LegacyCreateTaskResult = {
  task: LegacyTask;
  content: [];
  _meta: Record<string, unknown>;
};

/** The `_meta` key of a short message a host may show the model at once (2025-11-25). */
const modelImmediateResponseKey = 'io.modelcontextprotocol/model-immediate-response';

/**
 * Registers one smart tool (defined by the smart-call core) on an SDK v2 `McpServer`, through
 * its public `registerTool`: the core runs the call; this adapter reads the request's era and
 * capabilities and shapes the answer (a result, a job handle, or a `CreateTaskResult`). With
 * `taskRequestOf` (2025 era only) a `tools/call` with `params.task` starts a job at once and is
 * answered with the 2025-11-25 `CreateTaskResult`, and the tool lists `taskSupport: 'optional'`.
 */
export function registerSmartToolV2(
  server: McpServer,
  definition: SmartToolDefinition,
  inputShape: z.ZodRawShape,
  view: TaskViewOptions,
  taskRequestOf?: TaskRequestReader,
): RegisteredTool {
  const config = {
    description: definition.description(),
    inputSchema: smartAdvertisedInput(inputShape),
    ...(definition.title === undefined ? {} : { title: definition.title }),
    ...(definition.advertisedOutputSchema === undefined
      ? {}
      : { outputSchema: definition.advertisedOutputSchema as StandardSchemaWithJSON }),
    ...(definition.annotations === undefined ? {} : { annotations: definition.annotations }),
    ...(definition._meta === undefined ? {} : { _meta: definition._meta }),
  };
  const registered = server.registerTool(
    definition.name,
    config,
    (args: unknown, ctx: ServerContext) => {
      const kind = requestKindOf(ctx);
      // A 2026 request's `params.task` means nothing (the spec): only the 2025 era honours it.
      const clientTask = kind === 'legacy' && taskRequestOf?.(ctx) !== undefined;
      const progressToken = clientTask ? undefined : ctx.mcpReq._meta?.progressToken;
      return callSmartTool(definition, {
        arguments: args,
        caller: callerOf(ctx),
        signal: ctx.mcpReq.signal,
        start: clientTask ? 'background' : 'budget',
        // 2026-07-28: closing the response stream IS the cancel. 2025: `notifications/cancelled`
        // cancels; a closed connection keeps the work as a job (the client may come back for it).
        abortKind: () => abortKindOf(kind, ctx.mcpReq.signal),
        ...(progressToken === undefined
          ? {}
          : { onProgress: progressSender(ctx, progressToken, definition) }),
        // SDK 2.4's callback type does not know either `CreateTaskResult`; the SDK passes them
        // through unchanged (adding `content: []` to the flat one), as the tests show.
      }).then(
        (outcome) =>
          (clientTask
            ? clientTaskAnswerOf(definition, outcome, view)
            : answerOf(definition, outcome, kind, view)) as CallToolResult,
      );
    },
  );
  // A public field of the RegisteredTool; set on 2025-era instances only (never on 2026).
  if (taskRequestOf !== undefined) registered.execution = { taskSupport: 'optional' };
  return registered;
}

/** A client-directed task (2025-11-25): the job started at once, or the call's error result. */
function clientTaskAnswerOf(
  definition: SmartToolDefinition,
  outcome: SmartCallOutcome,
  view: TaskViewOptions,
): CallToolResult | LegacyCreateTaskResult {
  if (outcome.kind === 'result') return outcome.result;
  const record = outcome.job;
  const answer: LegacyCreateTaskResult = {
    task: toLegacyTask(record, view),
    content: [],
    _meta: {
      [modelImmediateResponseKey]: `Started in the background as task ${record.id}; its result will follow (or call ${definition.statusToolName()} with job_id "${record.id}").`,
    },
  };
  return definition.advertisedOutputSchema === undefined
    ? answer
    : exemptFromOutputValidation(answer);
}

/** The answer for the request's kind: a task where the request takes one, else a job handle. */
function answerOf(
  definition: SmartToolDefinition,
  outcome: SmartCallOutcome,
  kind: RequestKind,
  view: TaskViewOptions,
): CallToolResult | CreateTaskResult {
  if (outcome.kind === 'result') return outcome.result;
  if (kind !== 'tasks') return jobHandleResult(outcome.job, outcome.reason, definition);
  return createTaskResult(definition, outcome.job, view);
}

function createTaskResult(
  definition: SmartToolDefinition,
  record: JobRecord,
  view: TaskViewOptions,
): CreateTaskResult {
  const answer: CreateTaskResult = { resultType: 'task', ...toTaskView(record, view, Date.now()) };
  return definition.advertisedOutputSchema === undefined
    ? answer
    : exemptFromOutputValidation(answer);
}

/** `notifications/progress` on the request's own stream, while the call is inline. */
function progressSender(
  ctx: ServerContext,
  progressToken: string | number,
  definition: SmartToolDefinition,
): ProgressListener {
  return (update) => {
    if (ctx.mcpReq.signal.aborted) return;
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
