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
export function callSmartTool(
  definition: SmartToolDefinition,
  request: CallToolRequest,
  extra: RequestExtra,
): Promise<CallToolResult | CreateTaskResult> {
  try {
    const parsed = parseArguments(definition.inputSchema, request.params.arguments ?? {});
    // Schemas without async refinements parse synchronously: no extra tick on the fast path.
    const answer = isPromise(parsed)
      ? parsed.then((result) => callWithArguments(definition, request, extra, result))
      : callWithArguments(definition, request, extra, parsed);
    return answer.catch(errorResult);
  } catch (error) {
    return Promise.resolve(errorResult(error));
  }
}

function callWithArguments(
  definition: SmartToolDefinition,
  request: CallToolRequest,
  extra: RequestExtra,
  parsed: z.ZodSafeParseResult<Record<string, unknown>>,
): Promise<CallToolResult | CreateTaskResult> {
  if (!parsed.success) {
    return Promise.resolve(
      errorResult(
        new SaError('INVALID_ARGUMENT', describeIssues(definition.name, parsed.error), {
          data: { issues: parsed.error.issues.map(({ path, message }) => ({ path, message })) },
        }),
      ),
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
  const call: CallState = { definition, extra, args, jobLabel };
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
    return startJob(definition.jobs, work, jobMeta(call), sink).then((record) =>
      createTaskResult(record, definition.statusToolName()),
    );
  }
  if (asyncMode) {
    return startJob(definition.jobs, work, jobMeta(call), sink).then((record) =>
      jobHandleResult(record, 'async', definition),
    );
  }
  return runInline(call, work, sink);
}

/** One call's arguments and request, for the job record if the work becomes a job. */
interface CallState {
  definition: SmartToolDefinition;
  extra: RequestExtra;
  args: Record<string, unknown>;
  jobLabel: string | undefined;
}

/** Built only when the work becomes a job: the inline path writes nothing and stays cheap. */
function jobMeta({ definition, extra, args, jobLabel }: CallState): JobMeta {
  return {
    tool: definition.name,
    label: jobLabel ?? labelFor(definition, args),
    input: toJsonValue(args),
    scope: resolveCallerScope(extra, definition.sharedJobs).create,
  };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
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
  call: CallState,
  work: Work<JsonValue>,
  sink: OutputSink,
): Promise<CallToolResult> {
  const { definition, extra } = call;
  const transport = definition.server.server.transport;
  // Without a progress token there is nothing to notify: no listener, no closure.
  const onProgress =
    extra._meta?.progressToken === undefined
      ? undefined
      : createProgressNotifier(extra, (error) =>
          definition.warn(`Could not send progress for ${definition.name}: ${String(error)}`),
        );
  const outcome = await definition.jobs.runWithBudget(
    work,
    onProgress === undefined
      ? {
          budgetMs: definition.budgetMs,
          signal: extra.signal,
          // A request abort promotes; a client's cancel is told apart below and cancels the work.
          onRequestAbort: 'promote',
        }
      : {
          budgetMs: definition.budgetMs,
          signal: extra.signal,
          onRequestAbort: 'promote',
          onProgress,
          progressIntervalMs: definition.progressIntervalMs,
        },
  );
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
    record = await definition.jobs.adopt(task, jobMeta(call));
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
