import { isSaError } from '@sa/core';
import { isTerminalStatus, type JobManager, type OutputStream } from '@sa/jobs';
import type { McpServer, RegisteredTool, ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { getVisibleJob, withJobMessage } from '../job-lookup';
import { readStream } from '../job-output';
import { toJobView } from '../job-view';
import { readScopeOf } from './caller-scope';
import { errorResult, successResult } from './tool-results';

/** Options of `smart.jobTools()`. */
export interface JobToolsOptions {
  /** Cap of `wait_seconds` (default 25, below hosts' usual 60 s request timeout). */
  maxWaitSeconds?: number;
  /** How long a cancel waits for a running job to stop before answering, in ms (default 5 s). */
  cancelWaitMs?: number;
}

/** The tools `smart.jobTools()` registers. */
export interface JobTools {
  status: RegisteredTool;
  cancel: RegisteredTool;
}

/** What the job tools share with the smart tools. */
export interface JobToolsContext {
  jobs: JobManager;
  prefix: string;
  sharedJobs: boolean;
}

const streams: readonly OutputStream[] = ['stdout', 'stderr'];

/**
 * Registers `<prefix>job_status` (with long-poll) and `<prefix>cancel_job`, the tools a job
 * handle names, for clients that get handles (2025 era, 2026 without the Tasks extension).
 */
export function registerJobToolsV2(
  server: McpServer,
  context: JobToolsContext,
  options: JobToolsOptions = {},
): JobTools {
  const maxWaitSeconds = options.maxWaitSeconds ?? 25;
  const cancelWaitMs = options.cancelWaitMs ?? 5000;
  const { jobs, prefix, sharedJobs } = context;
  const status = server.registerTool(
    `${prefix}job_status`,
    {
      title: 'Job status',
      description:
        'Status, progress, result or error and new output of a background job. ' +
        `Set wait_seconds (up to ${maxWaitSeconds}) to wait until the job ends or reports something new.`,
      inputSchema: z.object({
        job_id: z.string().min(1).describe('The job_id of a job handle.'),
        wait_seconds: z
          .number()
          .min(0)
          .default(0)
          .describe(
            `Wait up to this long for the job to end or change (capped at ${maxWaitSeconds}).`,
          ),
      }),
      annotations: { readOnlyHint: true },
    },
    async ({ job_id: id, wait_seconds: waitSeconds }, ctx: ServerContext) => {
      try {
        const scope = readScopeOf(ctx, sharedJobs);
        let record = await getVisibleJob(jobs, id, scope);
        const waitMs = Math.min(waitSeconds, maxWaitSeconds) * 1000;
        if (waitMs > 0 && !isTerminalStatus(record.status)) {
          record = await jobs.wait(record.id, {
            timeoutMs: waitMs,
            until: 'change',
            scope,
            signal: ctx.mcpReq.signal,
          });
        }
        const [stdout, stderr] = await Promise.all(
          streams.map((stream) => readStream(jobs, record.id, stream, 'delivered')),
        );
        return successResult({
          job: { ...toJobView(record), new_stdout: stdout!.data, new_stderr: stderr!.data },
        });
      } catch (error) {
        return errorResult(withJobMessage(id, error));
      }
    },
  );
  const cancel = server.registerTool(
    `${prefix}cancel_job`,
    {
      title: 'Cancel job',
      description: 'Cancels a pending or running background job and stops its work.',
      inputSchema: z.object({ job_id: z.string().min(1).describe('The job_id of a job handle.') }),
      annotations: { destructiveHint: true },
    },
    async ({ job_id: id }, ctx: ServerContext) => {
      try {
        const scope = readScopeOf(ctx, sharedJobs);
        await getVisibleJob(jobs, id, scope);
        const cancelled = jobs.cancel(id, {
          ...(scope === undefined ? {} : { scope }),
          reason: 'Cancelled by the client (cancel_job)',
        });
        // The answer may go out first; a late failure must not become an unhandled rejection.
        cancelled.catch(() => undefined);
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<undefined>((resolve) => {
          timer = setTimeout(resolve, cancelWaitMs, undefined);
        });
        const record = await Promise.race([cancelled, bound]).finally(() => clearTimeout(timer));
        const current = record ?? (await getVisibleJob(jobs, id, scope));
        return successResult({
          job_id: id,
          status: current.status,
          message:
            current.status === 'cancelled'
              ? `Job ${id} was cancelled.`
              : `Cancel requested for job ${id}; it is stopping (${current.status}).`,
        });
      } catch (error) {
        if (isSaError(error, 'CONFLICT')) return errorResult(error);
        return errorResult(withJobMessage(id, error));
      }
    },
  );
  return { status, cancel };
}
