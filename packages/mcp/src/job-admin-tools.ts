import { ConflictError } from '@sa/core';
import {
  isTerminalStatus,
  jobStatuses,
  type JobManager,
  type JobRecord,
  type JobStatus,
} from '@sa/jobs';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { getVisibleJob, withJobMessage } from './job-lookup';
import type { ResolvedJobToolsOptions } from './job-tools-types';
import { toJobView } from './job-view';
import { resolveCallerScope } from './scope';
import { errorResult, successResult } from './tool-results';

/** Registers `<prefix>list_jobs`: the caller's jobs, newest first, with a total and a cursor. */
export function registerListJobsTool(
  server: McpServer,
  jobs: JobManager,
  options: ResolvedJobToolsOptions,
): RegisteredTool {
  return server.registerTool(
    `${options.prefix}list_jobs`,
    {
      title: 'List jobs',
      description: 'Background jobs, newest first; total counts every match.',
      inputSchema: {
        status_filter: z.enum(jobStatuses).optional().describe('Only jobs with this status.'),
        limit: z.number().int().min(1).max(1000).default(50).describe('Page size.'),
        cursor: z.string().optional().describe('next_cursor of the previous page.'),
      },
      annotations: { readOnlyHint: true },
    },
    async (args, extra) => {
      try {
        const scope = resolveCallerScope(extra, options.sharedJobs).read;
        const page = await jobs.list({
          scope,
          limit: args.limit,
          ...(args.status_filter === undefined ? {} : { status: args.status_filter }),
          ...(args.cursor === undefined ? {} : { cursor: args.cursor }),
        });
        return successResult({
          jobs: page.jobs.map((record) => {
            const { result: _result, ...view } = toJobView(record);
            return view;
          }),
          total: page.total,
          next_cursor: page.nextCursor ?? null,
        });
      } catch (error) {
        return errorResult(error);
      }
    },
  );
}

/** Registers `<prefix>cancel_job`: cancels a pending or running job and stops its work. */
export function registerCancelJobTool(
  server: McpServer,
  jobs: JobManager,
  options: ResolvedJobToolsOptions,
): RegisteredTool {
  return server.registerTool(
    `${options.prefix}cancel_job`,
    {
      title: 'Cancel job',
      description: 'Cancels a pending or running background job and stops its work.',
      inputSchema: { job_id: z.string().min(1).describe('The job to cancel.') },
      annotations: { destructiveHint: true, idempotentHint: false },
    },
    async (args, extra) => {
      try {
        const scope = resolveCallerScope(extra, options.sharedJobs).read;
        const record = await cancelJob(jobs, args.job_id, scope, options.cancelWaitMs);
        const stopped = record.status === 'cancelled';
        return successResult({
          job_id: record.id,
          status: record.status,
          message: stopped
            ? `Job ${record.id} was cancelled and its work stopped.`
            : `Cancellation of job ${record.id} was requested; its owner has not stopped it yet (status ${record.status}).`,
        });
      } catch (error) {
        return errorResult(withJobMessage(args.job_id, error));
      }
    },
  );
}

/** Cancels a visible job and waits (up to `waitMs`) until it stops; finished jobs are a CONFLICT. */
export async function cancelJob(
  jobs: JobManager,
  id: string,
  scope: string | null | undefined,
  waitMs: number,
): Promise<JobRecord> {
  const current = await getVisibleJob(jobs, id, scope);
  if (isTerminalStatus(current.status)) {
    throw new ConflictError(
      `Job ${id} already finished (${current.status}); it cannot be cancelled`,
      {
        data: { job_id: id, status: current.status },
      },
    );
  }
  const record = await jobs.cancel(id, { scope, reason: 'Cancelled by the client' });
  if (isTerminalStatus(record.status) || waitMs <= 0) return record;
  return jobs.wait(id, { timeoutMs: waitMs, until: 'settled', scope });
}

/** Registers `<prefix>prune_jobs`: removes old finished jobs; never running ones. */
export function registerPruneJobsTool(
  server: McpServer,
  jobs: JobManager,
  options: ResolvedJobToolsOptions,
): RegisteredTool {
  return server.registerTool(
    `${options.prefix}prune_jobs`,
    {
      title: 'Prune jobs',
      description:
        'Removes finished jobs older than max_age_hours (cancelled and interrupted always; completed and failed unless kept). Never removes pending or running jobs.',
      inputSchema: {
        keep_completed: z.boolean().default(true),
        keep_failed: z.boolean().default(true),
        max_age_hours: z.number().min(0).default(24),
      },
      annotations: { destructiveHint: true },
    },
    async (args, extra) => {
      try {
        const scope = resolveCallerScope(extra, options.sharedJobs).read;
        const statuses: JobStatus[] = ['cancelled', 'interrupted'];
        if (!args.keep_completed) statuses.push('completed');
        if (!args.keep_failed) statuses.push('failed');
        const olderThan = (await jobs.now()) - args.max_age_hours * 3_600_000;
        const removed = await jobs.prune({
          statuses,
          olderThan,
          ...(scope === undefined ? {} : { scope }),
        });
        const remaining = (await jobs.list({ scope, limit: 1 })).total;
        return successResult({ removed, remaining });
      } catch (error) {
        return errorResult(error);
      }
    },
  );
}
