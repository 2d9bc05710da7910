import { InvalidArgumentError } from '@sa/core';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CreateTaskResult } from '@modelcontextprotocol/sdk/experimental/tasks/types.js';
import type { z } from 'zod';
import {
  callSmartTool,
  defineSmartTool,
  jobHandleResult,
  type JobToolsOptions,
  type SmartCallOutcome,
  type SmartToolConfig,
  type SmartToolDefinition,
  type SmartToolHandler,
  type SmartToolOptions,
  type SmartToolsOptions,
} from '../smart-call';
import { registerJobToolsOn, type JobTools } from './job-tools';
import { abortKindReader } from './request-abort-kind';
import { callerOf, requestProgressSender, type RequestExtra } from './request-extra';
import { registerRoutedTool } from './register-routed-tool';
import { createTaskResult } from './task-mapping';
import { existingToolRouter, statusToolName, toolRouterOf } from './tool-router';

/** Smart tools and job tools of one server, sharing the options given once. */
export interface SmartTools {
  /** The server the tools are registered on. */
  readonly server: McpServer;
  /**
   * Registers a tool that answers inline within its budget and otherwise becomes a persisted
   * job, returning a job handle (or a task, to a 2025-11-25 task request); adds `async_mode`
   * and `job_label` to the input schema. `options` override the shared ones for this tool.
   */
  tool<
    InputShape extends z.ZodRawShape = Record<never, never>,
    OutputShape extends z.ZodRawShape | undefined = undefined,
  >(
    name: string,
    config: SmartToolConfig<InputShape, OutputShape>,
    handler: SmartToolHandler<InputShape, OutputShape>,
    options?: Partial<SmartToolOptions<z.output<z.ZodObject<InputShape>>>>,
  ): RegisteredTool;
  /**
   * Registers `<prefix>job_status`, `<prefix>list_jobs`, `<prefix>cancel_job` and
   * `<prefix>prune_jobs` over the shared job manager; with `tasks: true` also serves native
   * MCP tasks (2025-11-25). `sharedJobs` defaults to the shared option.
   */
  jobTools(options?: JobToolsOptions): JobTools;
}

/**
 * Binds a server and the options its smart tools share (job manager, budget, scoping), so a
 * server with many tools states them once.
 *
 * @example
 * const smart = createSmartTools(server, { jobs, budgetMs: 20_000 });
 * smart.tool('crunch', { inputSchema: { n: z.number() } },
 *   async ({ n }, { signal, reportProgress }) => crunch(n, { signal, reportProgress }));
 * smart.jobTools({ prefix: 'py_' });
 */
export function createSmartTools(server: McpServer, options: SmartToolsOptions): SmartTools {
  if (typeof options !== 'object' || options === null || typeof options.jobs !== 'object') {
    throw new InvalidArgumentError('Smart tools need options.jobs (a job manager)', {
      data: { field: 'jobs' },
    });
  }
  const shared = options;
  return {
    server,
    tool(name, config, handler, overrides) {
      const toolOptions = { ...shared, ...overrides };
      const fallbackPrefix = toolOptions.jobToolsPrefix ?? '';
      const definition = defineSmartTool(name, config, handler, toolOptions, {
        statusToolName: () => statusToolName(existingToolRouter(server), fallbackPrefix),
      });
      return registerSmartToolOn(server, definition);
    },
    jobTools(jobToolsOptions = {}) {
      return registerJobToolsOn(server, shared.jobs, {
        ...jobToolsOptions,
        sharedJobs: jobToolsOptions.sharedJobs ?? shared.sharedJobs ?? false,
      });
    },
  };
}

function registerSmartToolOn(server: McpServer, definition: SmartToolDefinition): RegisteredTool {
  const registered = registerRoutedTool(server, definition.name, {
    title: definition.title,
    description: definition.description(),
    inputSchema: definition.inputSchema,
    outputSchema: definition.advertisedOutputSchema,
    annotations: definition.annotations,
    _meta: definition._meta,
  });
  const router = toolRouterOf(server);
  registered.description = definition.description();
  if (router.tasksEnabled) registered.execution = { taskSupport: 'optional' };
  router.tools.set(definition.name, {
    registered,
    smart: true,
    call: (request, extra) => {
      const isTask = request.params.task !== undefined;
      const warn = (error: unknown): void =>
        definition.warn(`Could not send progress for ${definition.name}: ${String(error)}`);
      const onProgress = isTask ? undefined : requestProgressSender(extra, warn);
      const onTaskProgress = isTask ? taskProgressSender(server, extra, definition) : undefined;
      return callSmartTool(definition, {
        arguments: request.params.arguments,
        caller: callerOf(extra),
        signal: extra.signal,
        start: isTask ? 'background' : 'budget',
        abortKind: abortKindReader(server),
        ...(onProgress === undefined ? {} : { onProgress }),
        ...(onTaskProgress === undefined ? {} : { onTaskProgress }),
      }).then((outcome) => answerOf(definition, outcome, isTask));
    },
    refreshDescription: () => {
      registered.description = definition.description();
    },
  });
  return registered;
}

function answerOf(
  definition: SmartToolDefinition,
  outcome: SmartCallOutcome,
  isTask: boolean,
): CallToolResult | CreateTaskResult {
  if (outcome.kind === 'result') return outcome.result;
  if (isTask) return createTaskResult(outcome.job, definition.statusToolName());
  return jobHandleResult(outcome.job, outcome.reason, definition);
}

/**
 * For a task-augmented call with a progress token (which stays valid for the task's life), sends
 * the work's progress as `notifications/progress` on the server's connection, not tied to the
 * request that already got its answer; undefined without a token.
 */
function taskProgressSender(
  server: McpServer,
  extra: RequestExtra,
  definition: SmartToolDefinition,
): ((update: { progress: number; total?: number; message?: string }) => void) | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let warned = false;
  return (update) => {
    server.server
      .notification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: update.progress,
          ...(update.total === undefined ? {} : { total: update.total }),
          ...(update.message === undefined ? {} : { message: update.message }),
        },
      })
      .catch((error: unknown) => {
        if (warned) return;
        warned = true;
        definition.warn(`Could not send task progress: ${String(error)}`);
      });
  };
}
