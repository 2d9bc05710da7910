import { CancelledError, defaultTimers, type ProgressListener, type Work } from '@sa/core';
import {
  isTerminalStatus,
  type JobManager,
  type JobMeta,
  type JobRecord,
  type JsonValue,
} from '@sa/jobs';
import type { z } from 'zod';
import type { Caller } from './caller';
import { finishedJobResult, type HandleReason } from './job-handle';
import { increasingProgress } from './increasing-progress';
import { OutputSink } from './output-sink';
import { createProgressForwarder } from './progress-forwarder';
import type { RequestAbortKind } from './request-abort';
import { resolveCallerScope } from './scope';
import type { SmartToolDefinition } from './smart-tool-definition';
import { createWork, parseArguments } from './smart-tool-work';
import { invalidArguments } from './tool-arguments';
import { toJsonValue } from './to-json-value';
import { errorResult, successResult, type ToolResult } from './tool-result';

/** One call of a smart tool, as an adapter reads it from its SDK's request. */
export interface SmartCall {
  /** The call's raw arguments (`params.arguments`); the core checks them against the schema. */
  arguments: unknown;
  /** Who calls: scopes the job and is handed to the handler. */
  caller: Caller;
  /** The request's signal: aborts on the client's cancel or when the connection closes. */
  signal: AbortSignal;
  /**
   * `budget` (default): run inline within the budget, past it (or when the connection closes)
   * the work becomes a job. `background`: start a job at once (the client asked for a task).
   * `async_mode: true` in the arguments also starts a job at once.
   */
  start?: 'budget' | 'background';
  /**
   * Receives progress while the call is inline (the request's progress token), coalesced by
   * `progressIntervalMs`, strictly increasing; detached when the work becomes a job.
   */
  onProgress?: ProgressListener;
  /**
   * Receives progress for the work's whole life, coalesced, strictly increasing, nothing after
   * the work ends (2025-11-25 tasks, whose progress token stays valid for the task's life).
   */
  onTaskProgress?: ProgressListener;
  /**
   * Called once the signal has aborted: tells the client's cancel from a closed connection.
   * Default: `cancelled`.
   */
  abortKind?: () => RequestAbortKind;
}

/**
 * How a smart call ended: a `result` to send as it is (the value, a tool error, a cancel, a job
 * that finished before it was adopted), or a `job` the adapter answers with a job handle
 * (`jobHandleResult`) or a task, as its protocol asks.
 */
export type SmartCallOutcome =
  { kind: 'result'; result: ToolResult } | { kind: 'job'; job: JobRecord; reason: HandleReason };

/**
 * Runs one call of a smart tool: checks the arguments, runs the handler on the manager's runner
 * within the budget, and past it adopts the work as a job. Never rejects: every error becomes a
 * `result` with `isError: true` (`CODE: message`).
 *
 * @example
 * const outcome = await callSmartTool(definition, { arguments: args, caller, signal });
 * return outcome.kind === 'result' ? outcome.result : jobHandleResult(outcome.job, outcome.reason, definition);
 */
export function callSmartTool(
  definition: SmartToolDefinition,
  call: SmartCall,
): Promise<SmartCallOutcome> {
  try {
    const parsed = parseArguments(definition.inputSchema, call.arguments ?? {});
    // Schemas without async refinements parse synchronously: no extra tick on the fast path.
    const answer =
      parsed instanceof Promise
        ? parsed.then((result) => callWithArguments(definition, call, result))
        : callWithArguments(definition, call, parsed);
    return answer.catch(errorOutcome);
  } catch (error) {
    return Promise.resolve(errorOutcome(error));
  }
}

function errorOutcome(error: unknown): SmartCallOutcome {
  return { kind: 'result', result: errorResult(error) };
}

function resultOutcome(result: ToolResult): SmartCallOutcome {
  return { kind: 'result', result };
}

function callWithArguments(
  definition: SmartToolDefinition,
  call: SmartCall,
  parsed: z.ZodSafeParseResult<Record<string, unknown>>,
): Promise<SmartCallOutcome> {
  if (!parsed.success) {
    return Promise.resolve(errorOutcome(invalidArguments(definition.name, parsed.error)));
  }
  const {
    async_mode: asyncMode,
    job_label: jobLabel,
    ...args
  } = parsed.data as {
    async_mode: boolean;
    job_label?: string;
  } & Record<string, unknown>;
  const state: CallState = { definition, call, args, jobLabel };
  const sink = new OutputSink(definition.jobs, definition.maxBufferedOutputBytes);
  const forwarder =
    call.onTaskProgress === undefined
      ? undefined
      : createProgressForwarder(call.onTaskProgress, {
          intervalMs: definition.progressIntervalMs,
          timers: definition.timers ?? defaultTimers,
        });
  const work = createWork(definition, args, call.caller, sink, forwarder);
  if (call.start === 'background' || asyncMode) {
    return startJob(definition.jobs, work, jobMeta(state), sink).then((job): SmartCallOutcome => ({
      kind: 'job',
      job,
      reason: 'async',
    }));
  }
  return runInline(state, work, sink);
}

/** One call's arguments and request, for the job record if the work becomes a job. */
interface CallState {
  definition: SmartToolDefinition;
  call: SmartCall;
  args: Record<string, unknown>;
  jobLabel: string | undefined;
}

/** Built only when the work becomes a job: the inline path writes nothing and stays cheap. */
function jobMeta({ definition, call, args, jobLabel }: CallState): JobMeta {
  return {
    tool: definition.name,
    label: jobLabel ?? labelFor(definition, args),
    input: toJsonValue(args),
    scope: resolveCallerScope(call.caller, definition.sharedJobs).create,
  };
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
  state: CallState,
  work: Work<JsonValue>,
  sink: OutputSink,
): Promise<SmartCallOutcome> {
  const { definition, call } = state;
  const onProgress =
    call.onProgress === undefined ? undefined : increasingProgress(call.onProgress);
  const outcome = await definition.jobs.runWithBudget(work, {
    budgetMs: definition.budgetMs,
    signal: call.signal,
    // A request abort promotes; a client's cancel is told apart below and cancels the work.
    onRequestAbort: 'promote',
    ...(definition.timers === undefined ? {} : { timers: definition.timers }),
    ...(onProgress === undefined
      ? {}
      : { onProgress, progressIntervalMs: definition.progressIntervalMs }),
  });
  if (outcome.status === 'completed') {
    sink.discard();
    return resultOutcome(successResult(outcome.value));
  }
  // The work now runs in the background (core's "promoted" BackgroundTask): adopt it as a job.
  const promoted = outcome.task;
  const abort = call.signal.aborted ? (call.abortKind?.() ?? 'cancelled') : undefined;
  if (abort === 'cancelled') {
    promoted.cancel('The client cancelled the request');
    sink.discard();
    return errorOutcome(new CancelledError('The client cancelled the request'));
  }
  let record: JobRecord;
  try {
    record = await definition.jobs.adopt(promoted, jobMeta(state));
  } catch (error) {
    promoted.cancel('The work could not be stored as a job');
    throw error;
  }
  sink.attach(record.id);
  if (isTerminalStatus(record.status)) return resultOutcome(finishedJobResult(record));
  return { kind: 'job', job: record, reason: abort === 'closed' ? 'disconnected' : 'budget' };
}

function labelFor(definition: SmartToolDefinition, args: Record<string, unknown>): string {
  const { label } = definition;
  if (label === undefined) return definition.name;
  return typeof label === 'function' ? label(args) : label;
}
