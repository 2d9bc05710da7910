import { CancelledError, SaError, type Work } from '@sa/core';
import {
  isTerminalStatus,
  type JobManager,
  type JobMeta,
  type JobRecord,
  type JsonValue,
} from '@sa/jobs';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolRequest, CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CreateTaskResult } from '@modelcontextprotocol/sdk/experimental/tasks/types.js';
import type { z } from 'zod';
import { jobHandleResult, finishedJobResult, type HandleReason } from './job-handle';
import { OutputSink } from './output-sink';
import { createProgressNotifier, type RequestExtra } from './progress-notifier';
import { requestAbortKind } from './request-abort-kind';
import { resolveCallerScope } from './scope';
import { describeIssues } from './smart-tool-schemas';
import type { SmartToolContext } from './smart-tool-types';
import { createTaskResult } from './task-mapping';
import { createTaskProgressForwarder } from './task-progress';
import { createWork, parseArguments } from './smart-tool-work';
import { errorResult, successResult } from './tool-results';
import { toJsonValue } from './to-json-value';

/** Everything a call of one smart tool needs, fixed at registration. */
export interface SmartToolDefinition {
  server: McpServer;
  name: string;
  inputSchema: z.ZodObject;
  /** The handler's own output schema, checked exactly on the server. */
  outputSchema: z.ZodObject | undefined;
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

/** Answers one `tools/call` of a smart tool; never throws (errors become `isError` results). */
export async function callSmartTool(
  definition: SmartToolDefinition,
  request: CallToolRequest,
  extra: RequestExtra,
): Promise<CallToolResult | CreateTaskResult> {
  try {
    const parsed = await parseArguments(definition.inputSchema, request.params.arguments ?? {});
    if (!parsed.success) {
      return errorResult(
        new SaError('INVALID_ARGUMENT', describeIssues(definition.name, parsed.error), {
          data: { issues: parsed.error.issues.map(({ path, message }) => ({ path, message })) },
        }),
      );
    }
    const {
      async_mode: asyncMode,
      job_label: jobLabel,
      ...args
    } = parsed.data as {
      async_mode: boolean;
      job_label?: string;
    } & Record<string, unknown>;
    // Built only when the work becomes a job: the inline path writes nothing and stays cheap.
    const meta = (): JobMeta => ({
      tool: definition.name,
      label: jobLabel ?? labelFor(definition, args),
      input: toJsonValue(args),
      scope: resolveCallerScope(extra, definition.sharedJobs).create,
    });
    const sink = new OutputSink(definition.jobs, definition.maxBufferedOutputBytes);
    const isTask = request.params.task !== undefined;
    const forwarder = isTask
      ? createTaskProgressForwarder(definition.server, extra, {
          intervalMs: definition.progressIntervalMs,
          warn: (message) => definition.warn(message),
        })
      : undefined;
    const work = createWork(definition, args, extra, sink, forwarder);
    if (isTask) {
      const record = await startJob(definition.jobs, work, meta(), sink);
      return createTaskResult(record, definition.statusToolName());
    }
    if (asyncMode) {
      const record = await startJob(definition.jobs, work, meta(), sink);
      return jobHandleResult(record, 'async', definition);
    }
    return await runInline(definition, work, meta, sink, extra);
  } catch (error) {
    return errorResult(error);
  }
}

async function startJob(
  jobs: JobManager,
  work: Work<JsonValue>,
  meta: JobMeta,
  sink: OutputSink,
): Promise<JobRecord> {
  const record = await jobs.start(work, meta);
  sink.attach(record.id);
  return record;
}

async function runInline(
  definition: SmartToolDefinition,
  work: Work<JsonValue>,
  meta: () => JobMeta,
  sink: OutputSink,
  extra: RequestExtra,
): Promise<CallToolResult> {
  const transport = definition.server.server.transport;
  const onProgress = createProgressNotifier(extra, (error) =>
    definition.warn(`Could not send progress for ${definition.name}: ${String(error)}`),
  );
  const outcome = await definition.jobs.runner.runWithBudget(work, {
    budgetMs: definition.budgetMs,
    signal: extra.signal,
    // A request abort promotes; a client's cancel is told apart below and cancels the work.
    onRequestAbort: 'promote',
    ...(onProgress === undefined
      ? {}
      : { onProgress, progressIntervalMs: definition.progressIntervalMs }),
  });
  if (outcome.status === 'completed') {
    sink.discard();
    return successResult(outcome.value);
  }
  const { task } = outcome;
  const abort = requestAbortKind(definition.server, transport, extra.signal);
  if (abort === 'cancelled') {
    task.cancel('The client cancelled the request');
    sink.discard();
    return errorResult(new CancelledError('The client cancelled the request'));
  }
  let record: JobRecord;
  try {
    record = await definition.jobs.adopt(task, meta());
  } catch (error) {
    task.cancel('The work could not be stored as a job');
    throw error;
  }
  sink.attach(record.id);
  if (isTerminalStatus(record.status)) return finishedJobResult(record);
  const reason: HandleReason = abort === 'closed' ? 'disconnected' : 'budget';
  return jobHandleResult(record, reason, definition);
}

function labelFor(definition: SmartToolDefinition, args: Record<string, unknown>): string {
  const { label } = definition;
  if (label === undefined) return definition.name;
  return typeof label === 'function' ? label(args) : label;
}
