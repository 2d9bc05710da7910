import { ResourceTemplate } from '@modelcontextprotocol/server';
import type { McpServer } from '@modelcontextprotocol/server';
import { NotFoundError, isSaError } from '@sa/core';
import type { JobRecord, JsonValue } from '@sa/jobs';
import { isTerminalStatus } from '@sa/jobs';
import type { PythonRunnerServices, ToolExtra } from '../services';
import { callerScopeOf } from '../services';
import { toolCall } from '../tool-result';
import { deprecated } from './deprecation';
import { legacyJobTools, removeFinishedLegacyJobs } from './legacy-cleanup';
import { elapsedSecondsOf, exitCodeOf, isActive, storedInput } from './legacy-job-view';
import {
  inDirectoryShape,
  jobIdShape,
  streamShape,
  strictInput,
  withDependenciesShape,
} from './legacy-schemas';
import { z } from 'zod';
import { echo } from '../bounded-echo';

/** Registers the legacy `_async` tools, their job tools and the `job-stream://{job_id}` resource. */
export function registerLegacyJobTools(server: McpServer, services: PythonRunnerServices): void {
  const { runner, jobs } = services;

  const findJob = async (jobId: string, extra: ToolExtra): Promise<JobRecord> => {
    // A malformed id names no job: say so, naming the parameter, rather than describe the id format.
    const record = await jobs
      .get(jobId, { scope: callerScopeOf(extra) })
      .catch((error: unknown) => {
        if (isSaError(error, 'INVALID_ARGUMENT')) return undefined;
        throw error;
      });
    if (!record)
      throw new NotFoundError(
        `No job with job_id ${echo(jobId)} (py_list_running_jobs lists them)`,
      );
    return record;
  };
  const readAll = async (jobId: string): Promise<{ stdout: string; stderr: string }> => {
    const maxBytes = services.config.maxOutputBytes + 64 * 1024;
    const [stdout, stderr] = await Promise.all([
      jobs.readOutput(jobId, 'stdout', { offset: 0, maxBytes }),
      jobs.readOutput(jobId, 'stderr', { offset: 0, maxBytes }),
    ]);
    const note = (dropped: number): string =>
      dropped > 0 ? `[${dropped} earlier bytes were dropped by the store's output bound]\n` : '';
    return {
      stdout: note(stdout.droppedBytes) + stdout.data,
      stderr: note(stderr.droppedBytes) + stderr.data,
    };
  };

  server.registerTool(
    'py_run_script_in_dir_async',
    {
      description: deprecated(
        'Start a Python script in directory as a background job; follow it with py_get_job_output.',
        'py_run_script_in_dir_v2 (with async_mode=true for the same behaviour)',
      ),
      inputSchema: strictInput({ ...inDirectoryShape, ...streamShape }),
    },
    (args, extra) =>
      toolCall(async () => {
        services.assertOpen();
        const prepared = await runner.prepare('in-directory', { ...args, timeout_seconds: 0 });
        const record = await services.startJob(prepared, {
          tool: 'py_run_script_in_dir_async',
          label: args.script_path ?? 'inline script',
          input: storedInput(args) as JsonValue,
          scope: callerScopeOf(extra),
        });
        return { job_id: record.id, status: 'started', execution_strategy: prepared.strategy };
      }),
  );

  server.registerTool(
    'py_run_script_with_dependencies_async',
    {
      description: deprecated(
        'Start a Python script with dependencies as a background job; follow it with py_get_job_output.',
        'py_run_script_with_dependencies_v2 (with async_mode=true for the same behaviour)',
      ),
      inputSchema: strictInput({ ...withDependenciesShape, ...streamShape }),
    },
    (args, extra) =>
      toolCall(async () => {
        services.assertOpen();
        const prepared = await runner.prepare('with-dependencies', { ...args, timeout_seconds: 0 });
        const record = await services.startJob(prepared, {
          tool: 'py_run_script_with_dependencies_async',
          label: args.script_path ?? 'inline script',
          input: storedInput(args) as JsonValue,
          scope: callerScopeOf(extra),
        });
        return {
          job_id: record.id,
          status: 'started',
          python_version_used: prepared.pythonVersionUsed,
          resolved_dependencies: prepared.dependencies,
        };
      }),
  );

  server.registerTool(
    'py_list_running_jobs',
    {
      description: deprecated(
        'List jobs (running and finished, newest first, at most 100).',
        'py_list_jobs',
      ),
      inputSchema: strictInput({}),
    },
    (_args, extra) =>
      toolCall(async () => {
        const page = await jobs.list({ scope: callerScopeOf(extra), limit: 100 });
        return page.jobs.map((record) => {
          const input = (record.input ?? {}) as { stream?: unknown };
          const counts = services.chunkCounts(record.id);
          return {
            job_id: record.id,
            running: isActive(record),
            exit_code: exitCodeOf(record),
            pid: services.pidOf(record.id) ?? null,
            elapsed_seconds: elapsedSecondsOf(record),
            stream: input.stream === true,
            stdout_chunks: counts.stdout,
            stderr_chunks: counts.stderr,
          };
        });
      }),
  );

  server.registerTool(
    'py_get_job_output',
    {
      description: deprecated(
        "A job's status and all its output so far.",
        'py_job_status (incremental output, long-polling with wait_seconds)',
      ),
      inputSchema: strictInput(jobIdShape),
    },
    (args, extra) =>
      toolCall(async () => {
        const record = await findJob(args.job_id, extra);
        const output = await readAll(record.id);
        return {
          status: isActive(record) ? 'running' : 'finished',
          ...output,
          exit_code: exitCodeOf(record),
          elapsed_seconds: elapsedSecondsOf(record),
          job_status: record.status,
        };
      }),
  );

  server.registerTool(
    'py_kill_job',
    {
      description: deprecated('Kill a job and its whole process tree.', 'py_cancel_job'),
      inputSchema: strictInput(jobIdShape),
    },
    (args, extra) =>
      toolCall(async () => {
        const scope = callerScopeOf(extra);
        const record = await findJob(args.job_id, extra);
        if (isTerminalStatus(record.status)) {
          return { job_id: record.id, status: 'already-finished', exit_code: exitCodeOf(record) };
        }
        await jobs.cancel(record.id, { scope, reason: 'killed with py_kill_job' });
        const settled = await jobs.wait(record.id, { timeoutMs: 10_000, scope });
        await services.releaseJob(record.id);
        if (settled.status === 'completed') {
          return { job_id: record.id, status: 'already-finished', exit_code: exitCodeOf(settled) };
        }
        return { job_id: record.id, status: 'killed', exit_code: exitCodeOf(settled) ?? -9 };
      }),
  );

  server.registerTool(
    'py_cleanup_jobs',
    {
      description: deprecated(
        'Remove finished legacy `_async` jobs (and, with only_finished=false, kill and remove running ones); delete leftover inline scripts. `_v2` jobs are kept unless include_v2=true.',
        'py_prune_jobs',
      ),
      inputSchema: strictInput({
        remove_inline: z
          .boolean()
          .default(true)
          .describe('Delete inline scripts left behind by crashed runs.'),
        only_finished: z
          .boolean()
          .default(true)
          .describe('false: also kill running legacy jobs, then remove them.'),
        include_v2: z
          .boolean()
          .default(false)
          .describe(
            'true: also remove finished `_v2` jobs, whatever their age (and with only_finished=false, kill running ones).',
          ),
      }),
    },
    (args, extra) =>
      toolCall(async () => {
        const scope = callerScopeOf(extra);
        if (!args.only_finished) {
          const active = await jobs.list({ scope, status: ['pending', 'running'], limit: 1000 });
          await Promise.all(
            active.jobs
              .filter((record) => args.include_v2 || legacyJobTools.includes(record.tool))
              .map(async (record) => {
                await jobs
                  .cancel(record.id, { scope, reason: 'py_cleanup_jobs' })
                  .catch(() => undefined);
                await jobs.wait(record.id, { timeoutMs: 10_000, scope });
                await services.releaseJob(record.id);
              }),
          );
        }
        const { removed, keptOtherJobs } = await removeFinishedLegacyJobs(jobs, {
          scope,
          includeOtherTools: args.include_v2,
        });
        const remaining = (await jobs.list({ scope, limit: 1 })).total;
        const inlineDeleted = args.remove_inline ? await runner.cleanupInlineScripts() : 0;
        return { removed, remaining, inline_deleted: inlineDeleted, v2_jobs_kept: keptOtherJobs };
      }),
  );

  server.registerResource(
    'job-stream',
    new ResourceTemplate('job-stream://{job_id}', { list: undefined }),
    {
      description: "A job's output so far, in ---STDOUT--- and ---STDERR--- sections.",
      mimeType: 'text/plain',
    },
    async (uri, variables, extra) => {
      const jobId = String(variables.job_id);
      const record = await jobs.get(jobId, { scope: callerScopeOf(extra) });
      if (!record) throw new NotFoundError(`No job with job_id ${echo(jobId)}`);
      const output = await readAll(record.id);
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: 'text/plain',
            text: `---STDOUT---\n${output.stdout}\n---STDERR---\n${output.stderr}`,
          },
        ],
      };
    },
  );
}
