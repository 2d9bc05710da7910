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

/** A `CreateTaskResult` of the Tasks extension: flat, `resultType: "task"`. */
export type CreateTaskResult = TaskView & { resultType: 'task' };

/**
 * Registers one smart tool (defined by the smart-call core) on an SDK v2 `McpServer`, through
 * its public `registerTool`: the core runs the call; this adapter reads the request's era and
 * capabilities and shapes the answer (a result, a job handle, or a `CreateTaskResult`).
 */
export function registerSmartToolV2(
  server: McpServer,
  definition: SmartToolDefinition,
  inputShape: z.ZodRawShape,
  view: TaskViewOptions,
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
  return server.registerTool(definition.name, config, (args: unknown, ctx: ServerContext) => {
    const kind = requestKindOf(ctx);
    const progressToken = ctx.mcpReq._meta?.progressToken;
    return callSmartTool(definition, {
      arguments: args,
      caller: callerOf(ctx),
      signal: ctx.mcpReq.signal,
      // 2026-07-28: closing the response stream IS the cancel. 2025: `notifications/cancelled`
      // cancels; a closed connection keeps the work as a job (the client may come back for it).
      abortKind: () => abortKindOf(kind, ctx.mcpReq.signal),
      ...(progressToken === undefined
        ? {}
        : { onProgress: progressSender(ctx, progressToken, definition) }),
      // SDK 2.4's callback type does not know the Tasks extension's flat `CreateTaskResult`;
      // the SDK passes it through unchanged (adding `content: []`), as the tests show.
    }).then((outcome) => answerOf(definition, outcome, kind, view) as CallToolResult);
  });
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
