import type { McpServer, RegisteredTool } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import {
  defineSmartTool,
  emptyShape,
  type JobToolsOptions,
  type SmartToolConfig,
  type SmartToolHandler,
  type SmartToolOptions,
  type SmartToolsOptions as CoreSmartToolsOptions,
} from '../smart-call';
import { registerJobToolsV2, type JobTools } from './job-tools';
import { registerSmartToolV2 } from './smart-tool';
import { serveTaskMethods } from './task-methods';
import { tasksExtensionCapability } from './tasks-extension';
import { interceptToolCallTasks } from './tool-call-task-seam';

/** Options bound once for every smart tool of an SDK v2 server (the core's, plus task options). */
export interface SmartToolsOptions extends CoreSmartToolsOptions {
  /** Suggested `tasks/get` poll interval in ms (default 1000). */
  pollIntervalMs?: number;
  /**
   * How long a finished task stays readable, in ms, for `ttlMs` (default 24 h, the job
   * manager's default retention; null: kept until pruned). Match your manager's `retention`.
   */
  retentionMs?: number | null;
  /** Longest a `tasks/cancel` waits for the work to stop before acknowledging, in ms (default 1000). */
  cancelWaitMs?: number;
  /**
   * The era this server instance serves: pass the factory's `ctx.era` (`createMcpHandler`,
   * `serveStdio`). With `'legacy'` the 2025-11-25 `tasks` capability (`list`, `cancel`,
   * `requests.tools.call`) is advertised as well and a `tools/call` with `params.task` gets a
   * 2025-11-25 task; none of it is advertised otherwise, so a 2026 `server/discover` never shows
   * it. Client-directed tasks need `createSmartTools` to run before any `registerTool` on the
   * server (else a warning, and only `list` and `cancel` are advertised).
   */
  era?: 'legacy' | 'modern';
}

/** Options of `smart.jobTools()`: the core's job tool options; prefix and scoping come from `createSmartTools`. */
export type SmartJobToolsOptions = Omit<JobToolsOptions, 'prefix' | 'sharedJobs' | 'tasks'>;

/** Smart tools bound to one SDK v2 server and one set of options. */
export interface SmartTools {
  /**
   * Registers a smart tool: inline within the budget; past it, a `CreateTaskResult` for 2026
   * requests that declare the Tasks extension, a job handle for every other client. On the 2025
   * era a `tools/call` with `params.task` starts a job at once and gets the 2025-11-25
   * `CreateTaskResult` (`{ task, content: [] }`).
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
  /** Registers `<prefix>job_status`, `list_jobs`, `cancel_job` and `prune_jobs`, the tools a job handle names. */
  jobTools(options?: SmartJobToolsOptions): JobTools;
}

const day = 24 * 60 * 60 * 1000;

/**
 * Binds smart tools to an SDK v2 `McpServer` (`@modelcontextprotocol/server` 2.4+): advertises
 * the Tasks extension (`io.modelcontextprotocol/tasks`) and serves `tasks/get`, `tasks/cancel`,
 * `tasks/update` (and, for 2025 clients, the 2025-11-25 task methods and client-directed
 * tasks) from the job manager. Call it once per server instance before it is connected and
 * before any `registerTool` on it; with `createMcpHandler` that is once per request in the
 * factory, with one job manager shared by every request.
 *
 * @example
 * const jobs = createJobManager({ store: createFileJobStore({ directory: '.jobs' }) });
 * const handler = createMcpHandler((ctx) => {
 *   const server = new McpServer({ name: 'demo', version: '1.0.0' });
 *   const smart = createSmartTools(server, { jobs, budgetMs: 2000, era: ctx.era });
 *   smart.tool('double', { inputSchema: { n: z.number() } }, ({ n }) => ({ value: n * 2 }));
 *   smart.jobTools();
 *   return server;
 * });
 */
export function createSmartTools(server: McpServer, options: SmartToolsOptions): SmartTools {
  const prefix = options.jobToolsPrefix ?? '';
  const sharedJobs = options.sharedJobs ?? false;
  const view = {
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    retentionMs: options.retentionMs === undefined ? day : options.retentionMs,
  };
  const logger = options.logger ?? { warn: (message: string) => console.warn(message) };
  const taskRequestOf = options.era === 'legacy' ? interceptToolCallTasks(server) : undefined;
  if (options.era === 'legacy' && taskRequestOf === undefined) {
    logger.warn(
      'createSmartTools ran after a tools/call handler was installed (a tool was registered first, or the server was built with capabilities.tools): 2025-11-25 client-directed tasks (tools/call with params.task) are off on this server. Call createSmartTools before any registerTool.',
    );
  }
  server.server.registerCapabilities(
    options.era === 'legacy'
      ? {
          ...tasksExtensionCapability,
          tasks: {
            list: {},
            cancel: {},
            ...(taskRequestOf === undefined ? {} : { requests: { tools: { call: {} } } }),
          },
        }
      : tasksExtensionCapability,
  );
  serveTaskMethods(server, {
    ...view,
    jobs: options.jobs,
    sharedJobs,
    cancelWaitMs: options.cancelWaitMs ?? 1000,
    warn: (message) => logger.warn(message),
  });
  return {
    tool(name, config, handler, toolOptions = {}) {
      const definition = defineSmartTool(
        name,
        config,
        handler,
        { ...options, ...toolOptions },
        { statusToolName: () => `${prefix}job_status` },
      );
      return registerSmartToolV2(
        server,
        definition,
        config.inputSchema ?? emptyShape,
        view,
        taskRequestOf,
      );
    },
    jobTools(jobToolsOptions = {}) {
      return registerJobToolsV2(server, options.jobs, {
        ...(options.timers === undefined ? {} : { timers: options.timers }),
        ...jobToolsOptions,
        prefix,
        sharedJobs,
      });
    },
  };
}
