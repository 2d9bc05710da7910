import { isSaError } from '@sa/core';
import { isTerminalStatus, type JobManager, type JobRecord, type OutputStream } from '@sa/jobs';
import { z } from 'zod';
import { getVisibleJob } from './job-lookup';
import { hasUnreadOutput, readStream, type StreamReadMode } from './job-output';
import type { JobToolRequest } from './job-tool-request';
import type { ResolvedJobToolsOptions } from './job-tools-options';
import { toJobView, type JobView } from './job-view';
import { startKeepAlive } from './keep-alive';
import { resolveCallerScope } from './scope';

const streams: readonly OutputStream[] = ['stdout', 'stderr'];

/** The input shape of `<prefix>job_status`. */
export function jobStatusInputShape(maxWaitSeconds: number) {
  return {
    job_id: z.string().min(1).describe('The job_id of a job handle.'),
    incremental: z
      .boolean()
      .default(true)
      .describe('Only output not returned before (default); false: all output.'),
    wait_seconds: z
      .number()
      .min(0)
      .default(0)
      .describe(`Wait up to this long for the job to end or change (capped at ${maxWaitSeconds}).`),
    stdout_offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Read stdout from this byte offset.'),
    stderr_offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Read stderr from this byte offset.'),
  };
}

/** The checked arguments of a status call. */
export interface JobStatusArguments {
  job_id: string;
  incremental: boolean;
  wait_seconds: number;
  stdout_offset?: number | undefined;
  stderr_offset?: number | undefined;
}

/** What a status call returns under `job`: the job view plus new output and next offsets. */
export type JobStatusView = JobView & {
  new_stdout: string;
  new_stderr: string;
  stdout_offset: number;
  stderr_offset: number;
  dropped_bytes?: { stdout: number; stderr: number };
};

/**
 * A job's view and new output. With `wait_seconds`, waits until the job ends or changes (new
 * progress or output); after a change of a job that has not ended, waits up to the settle
 * window for it to end, so the last output and the result come in one answer.
 */
export async function jobStatus(
  jobs: JobManager,
  args: JobStatusArguments,
  request: JobToolRequest,
  options: ResolvedJobToolsOptions,
): Promise<JobStatusView> {
  const scope = resolveCallerScope(request.caller, options.sharedJobs).read;
  let record = await getVisibleJob(jobs, args.job_id, scope);
  const modes: Record<OutputStream, StreamReadMode> = {
    stdout: modeOf(args.incremental, args.stdout_offset),
    stderr: modeOf(args.incremental, args.stderr_offset),
  };
  const waitMs = Math.min(args.wait_seconds, options.maxWaitSeconds) * 1000;
  if (waitMs > 0 && !isTerminalStatus(record.status) && !(await anyUnread(jobs, record, modes))) {
    record = await waitForChange(jobs, record, { waitMs, scope, request, options, modes });
  }
  const [stdout, stderr] = await Promise.all(
    streams.map((stream) => readStream(jobs, record.id, stream, modes[stream])),
  );
  return {
    ...toJobView(record),
    new_stdout: stdout!.data,
    new_stderr: stderr!.data,
    stdout_offset: stdout!.nextOffset,
    stderr_offset: stderr!.nextOffset,
    ...(stdout!.droppedBytes + stderr!.droppedBytes > 0
      ? { dropped_bytes: { stdout: stdout!.droppedBytes, stderr: stderr!.droppedBytes } }
      : {}),
  };
}

function modeOf(incremental: boolean, offset: number | undefined): StreamReadMode {
  if (offset !== undefined) return { offset };
  return incremental ? 'delivered' : 'all';
}

async function anyUnread(
  jobs: JobManager,
  record: JobRecord,
  modes: Record<OutputStream, StreamReadMode>,
): Promise<boolean> {
  for (const stream of streams) {
    if (await hasUnreadOutput(jobs, record.id, stream, modes[stream])) return true;
  }
  return false;
}

interface WaitContext {
  waitMs: number;
  scope: string | null | undefined;
  request: JobToolRequest;
  options: ResolvedJobToolsOptions;
  modes: Record<OutputStream, StreamReadMode>;
}

async function waitForChange(
  jobs: JobManager,
  record: JobRecord,
  context: WaitContext,
): Promise<JobRecord> {
  let status = record.status;
  const stopKeepAlive = startKeepAlive(context.request.onProgress, {
    intervalMs: context.options.keepAliveIntervalMs,
    timers: context.options.timers,
    message: () => `Waiting for job ${record.id} (${status})`,
  });
  try {
    const next = await jobs.wait(record.id, {
      timeoutMs: context.waitMs,
      until: 'change',
      scope: context.scope,
      signal: context.request.signal,
    });
    status = next.status;
    if (isTerminalStatus(next.status) || context.options.settleMs <= 0) return next;
    const changed = next.version !== record.version || (await anyUnread(jobs, next, context.modes));
    return changed ? await settle(jobs, next, context) : next;
  } finally {
    stopKeepAlive();
  }
}

/**
 * The settle window: waits up to `settleMs` (on the injectable timers) for the job to end;
 * whatever else arrives meanwhile (more output, progress) is answered with it, in one answer.
 */
async function settle(
  jobs: JobManager,
  record: JobRecord,
  context: WaitContext,
): Promise<JobRecord> {
  const { timers, settleMs } = context.options;
  const window = new AbortController();
  const handle = timers.setTimeout(() => window.abort(), settleMs);
  const signal = AbortSignal.any([window.signal, context.request.signal]);
  try {
    return await jobs.wait(record.id, {
      // The window's own timer ends the wait; this bound only guards against a lost timer.
      timeoutMs: Math.max(context.waitMs, settleMs),
      until: 'settled',
      scope: context.scope,
      signal,
    });
  } catch (error) {
    // Only the window's end is expected here (the wait rejects with its reason, or with
    // CANCELLED carrying it as cause); a request abort or a store error goes on up.
    const windowEnded = window.signal.aborted && !context.request.signal.aborted;
    if (!windowEnded || !(error === window.signal.reason || isSaError(error, 'CANCELLED'))) {
      throw error;
    }
    return (await jobs.get(record.id, { scope: context.scope })) ?? record;
  } finally {
    timers.clearTimeout(handle);
  }
}
