import { isTerminalStatus, type JobManager, type JobRecord, type OutputStream } from '@sa/jobs';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { getVisibleJob, withJobMessage } from './job-lookup';
import { hasUnreadOutput, readStream, type StreamReadMode } from './job-output';
import type { ResolvedJobToolsOptions } from './job-tools-types';
import { toJobView, type JobView } from './job-view';
import { startKeepAlive } from './keep-alive';
import type { RequestExtra } from './progress-notifier';
import { resolveCallerScope } from './scope';
import { errorResult, successResult } from './tool-results';

const streams: readonly OutputStream[] = ['stdout', 'stderr'];

/** Registers `<prefix>job_status`: a job's view and new output, optionally waiting for a change. */
export function registerJobStatusTool(
  server: McpServer,
  jobs: JobManager,
  options: ResolvedJobToolsOptions,
): RegisteredTool {
  return server.registerTool(
    `${options.prefix}job_status`,
    {
      title: 'Job status',
      description:
        'Status, progress, result or error and new output of a background job. ' +
        `Set wait_seconds (up to ${options.maxWaitSeconds}) to wait until the job ends or reports something new.`,
      inputSchema: {
        job_id: z.string().min(1).describe('The job_id of a job handle.'),
        incremental: z
          .boolean()
          .default(true)
          .describe('Only output not returned before (default); false: all output.'),
        wait_seconds: z
          .number()
          .min(0)
          .default(0)
          .describe(
            `Wait up to this long for the job to end or change (capped at ${options.maxWaitSeconds}).`,
          ),
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
      },
      annotations: { readOnlyHint: true },
    },
    async (args, extra) => {
      try {
        return successResult({ job: await jobStatus(jobs, args, extra, options) });
      } catch (error) {
        return errorResult(withJobMessage(args.job_id, error));
      }
    },
  );
}

/** What a status call returns under `job`: the job view plus new output and next offsets. */
export type JobStatusView = JobView & {
  new_stdout: string;
  new_stderr: string;
  stdout_offset: number;
  stderr_offset: number;
  dropped_bytes?: { stdout: number; stderr: number };
};

interface StatusArguments {
  job_id: string;
  incremental: boolean;
  wait_seconds: number;
  stdout_offset?: number | undefined;
  stderr_offset?: number | undefined;
}

async function jobStatus(
  jobs: JobManager,
  args: StatusArguments,
  extra: RequestExtra,
  options: ResolvedJobToolsOptions,
): Promise<JobStatusView> {
  const scope = resolveCallerScope(extra, options.sharedJobs).read;
  let record = await getVisibleJob(jobs, args.job_id, scope);
  const modes: Record<OutputStream, StreamReadMode> = {
    stdout: modeOf(args.incremental, args.stdout_offset),
    stderr: modeOf(args.incremental, args.stderr_offset),
  };
  const waitMs = Math.min(args.wait_seconds, options.maxWaitSeconds) * 1000;
  if (waitMs > 0 && !isTerminalStatus(record.status) && !(await anyUnread(jobs, record, modes))) {
    record = await waitForChange(jobs, record, { waitMs, scope, extra, options });
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

async function waitForChange(
  jobs: JobManager,
  record: JobRecord,
  context: {
    waitMs: number;
    scope: string | null | undefined;
    extra: RequestExtra;
    options: ResolvedJobToolsOptions;
  },
): Promise<JobRecord> {
  let status = record.status;
  const stopKeepAlive = startKeepAlive(context.extra, {
    intervalMs: context.options.keepAliveIntervalMs,
    timers: context.options.timers,
    message: () => `Waiting for job ${record.id} (${status})`,
  });
  try {
    const next = await jobs.wait(record.id, {
      timeoutMs: context.waitMs,
      until: 'change',
      scope: context.scope,
      signal: context.extra.signal,
    });
    status = next.status;
    return next;
  } finally {
    stopKeepAlive();
  }
}
