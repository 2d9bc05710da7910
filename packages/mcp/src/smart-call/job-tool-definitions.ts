import type { JobManager } from '@sa/jobs';
import { z } from 'zod';
import {
  cancelAnswer,
  cancelJob,
  cancelJobInputShape,
  listJobs,
  listJobsInputShape,
  pruneJobs,
  pruneJobsInputShape,
} from './job-admin';
import { withJobMessage } from './job-lookup';
import { jobStatus, jobStatusInputShape } from './job-status';
import type { JobToolRequest } from './job-tool-request';
import type { ResolvedJobToolsOptions } from './job-tools-options';
import { resolveCallerScope } from './scope';
import type { SmartToolAnnotations } from './smart-tool-types';
import { parseToolArguments } from './tool-arguments';
import { errorResult, successResult, type ToolResult } from './tool-result';

/** One job tool, SDK-free: what to advertise and how to answer a call. */
export interface JobToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** The input schema (portable: no `type` arrays, no nullable unions). */
  readonly inputSchema: z.ZodObject;
  readonly annotations: SmartToolAnnotations;
  /**
   * Answers one call: checks the raw arguments (bad input is an `isError` result
   * `INVALID_ARGUMENT: ...` naming the field) and never rejects.
   */
  call(args: unknown, request: JobToolRequest): Promise<ToolResult>;
}

/** The four job tools over one job manager. */
export interface JobToolDefinitions {
  status: JobToolDefinition;
  list: JobToolDefinition;
  cancel: JobToolDefinition;
  prune: JobToolDefinition;
}

/**
 * The job tools `<prefix>job_status`, `<prefix>list_jobs`, `<prefix>cancel_job` and
 * `<prefix>prune_jobs` as SDK-free definitions an adapter registers.
 *
 * @example
 * const tools = defineJobTools(jobs, resolveJobToolsOptions({ prefix: 'py_' }));
 * const result = await tools.status.call({ job_id }, { caller, signal });
 */
export function defineJobTools(
  jobs: JobManager,
  options: ResolvedJobToolsOptions,
): JobToolDefinitions {
  const { prefix } = options;
  const scopeOf = (request: JobToolRequest) =>
    resolveCallerScope(request.caller, options.sharedJobs).read;
  return {
    status: jobTool({
      name: `${prefix}job_status`,
      title: 'Job status',
      description:
        'Status, progress, result or error and new output of a background job. ' +
        `Set wait_seconds (up to ${options.maxWaitSeconds}) to wait until the job ends or reports something new.`,
      shape: jobStatusInputShape(options.maxWaitSeconds),
      annotations: { readOnlyHint: true },
      answer: async (args, request) => {
        try {
          return { job: await jobStatus(jobs, args, request, options) };
        } catch (error) {
          throw withJobMessage(args.job_id, error);
        }
      },
    }),
    list: jobTool({
      name: `${prefix}list_jobs`,
      title: 'List jobs',
      description: 'Background jobs, newest first; total counts every match.',
      shape: listJobsInputShape,
      annotations: { readOnlyHint: true },
      answer: (args, request) => listJobs(jobs, args, scopeOf(request)),
    }),
    cancel: jobTool({
      name: `${prefix}cancel_job`,
      title: 'Cancel job',
      description: 'Cancels a pending or running background job and stops its work.',
      shape: cancelJobInputShape,
      annotations: { destructiveHint: true, idempotentHint: false },
      answer: async (args, request) => {
        try {
          const record = await cancelJob(jobs, args.job_id, scopeOf(request), options.cancelWaitMs);
          return cancelAnswer(record);
        } catch (error) {
          throw withJobMessage(args.job_id, error);
        }
      },
    }),
    prune: jobTool({
      name: `${prefix}prune_jobs`,
      title: 'Prune jobs',
      description:
        'Removes finished jobs older than max_age_hours (cancelled and interrupted always; completed and failed unless kept). Never removes pending or running jobs.',
      shape: pruneJobsInputShape,
      annotations: { destructiveHint: true },
      answer: (args, request) => pruneJobs(jobs, args, scopeOf(request)),
    }),
  };
}

function jobTool<Shape extends z.ZodRawShape>(spec: {
  name: string;
  title: string;
  description: string;
  shape: Shape;
  annotations: SmartToolAnnotations;
  answer(
    args: z.output<z.ZodObject<Shape>>,
    request: JobToolRequest,
  ): Promise<Parameters<typeof successResult>[0]>;
}): JobToolDefinition {
  // Strict, as smart tools are: a misspelt parameter is refused by name, never ignored.
  const inputSchema = z.strictObject(spec.shape);
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema,
    annotations: spec.annotations,
    async call(args, request) {
      try {
        const parsed = await parseToolArguments(spec.name, inputSchema, args);
        return successResult(await spec.answer(parsed, request));
      } catch (error) {
        return errorResult(error);
      }
    },
  };
}
