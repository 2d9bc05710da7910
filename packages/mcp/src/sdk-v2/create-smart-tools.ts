import type { JobManager } from '@sa/jobs';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { resolveBudgetMs } from '../budget-from-environment';
import { defaultMaxBufferedOutputBytes } from '../output-sink';
import { registerJobToolsV2, type JobTools, type JobToolsOptions } from './job-tools';
import { registerSmartToolV2 } from './smart-tool';
import type {
  SmartToolConfig,
  SmartToolContext,
  SmartToolHandler,
  SmartToolOptions,
} from './smart-tool-types';
import { serveTaskMethods } from './task-methods';
import { tasksExtensionCapability } from './tasks-extension';

/** Options bound once for every smart tool of a server (SDK v2). */
export interface SmartToolsOptions {
  /** The job manager that runs and stores the work; share one across per-request servers. */
  jobs: JobManager;
  /** Inline budget in ms (default: `SMART_ASYNC_TIMEOUT_SECONDS` from the environment, else 20 s). */
  budgetMs?: number;
  /** Every caller sees every job and task (default false: scoped to the auth subject, client id or session). */
  sharedJobs?: boolean;
  /** Prefix of the job tools (`<prefix>job_status`, `<prefix>cancel_job`) named in job handles (default ""). */
  jobToolsPrefix?: string;
  /** Suggested `tasks/get` poll interval in ms (default 1000). */
  pollIntervalMs?: number;
  /** Retention of a finished task in ms, for `ttlMs` (default 24 h, the job manager's default retention; null: none). */
  retentionMs?: number | null;
  /** Longest a `tasks/cancel` waits for the work to stop before acknowledging (default 1000 ms). */
  cancelWaitMs?: number;
  /**
   * The era the server instance serves, from `createMcpHandler`'s factory context
   * (`ctx.era`). With `'legacy'` the 2025-11-25 `tasks` capability (`list`, `cancel`) is
   * advertised too; it is never advertised otherwise, so a 2026 `server/discover` never shows it.
   */
  era?: 'legacy' | 'modern';
  /** Smallest gap between two inline progress notifications (default 100 ms). */
  progressIntervalMs?: number;
  /** Bound of output kept in memory before the work becomes a job (default 1 MiB). */
  maxBufferedOutputBytes?: number;
  /** Where warnings go (default `console.warn`, which writes to stderr). */
  logger?: { warn(message: string): void };
}

/** Smart tools bound to one SDK v2 server and one set of options. */
export interface SmartTools {
  /**
   * Registers a smart tool: inline within the budget, past it a task (2026 requests that
   * declare the Tasks extension) or a job handle (every other client).
   */
  tool<InputShape extends z.ZodRawShape, OutputShape extends z.ZodRawShape | undefined = undefined>(
    name: string,
    config: SmartToolConfig<InputShape, OutputShape>,
    handler: SmartToolHandler<InputShape, OutputShape>,
    options?: SmartToolOptions<z.output<z.ZodObject<InputShape>>>,
  ): RegisteredTool;
  /** Registers `<prefix>job_status` and `<prefix>cancel_job`, the tools a job handle names. */
  jobTools(options?: JobToolsOptions): JobTools;
}

const day = 24 * 60 * 60 * 1000;

/**
 * Binds smart tools to an SDK v2 `McpServer` (`@modelcontextprotocol/server` 2.4+): advertises
 * the Tasks extension and serves `tasks/get`, `tasks/cancel`, `tasks/update` (and the 2025-11-25
 * task methods for 2025 clients) from the job manager. Call it once per server instance, before
 * the server is connected; with `createMcpHandler`, once per request in the factory, with one
 * shared job manager.
 *
 * @example
 * const handler = createMcpHandler((ctx) => {
 *   const server = new McpServer({ name: 'demo', version: '1.0.0' });
 *   const smart = createSmartTools(server, { jobs, budgetMs: 2000, era: ctx.era });
 *   smart.tool('crunch', { inputSchema: { n: z.number() } }, async ({ n }, { reportProgress }) => n * 2);
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
  const warn = (message: string): void => logger.warn(message);
  server.server.registerCapabilities(
    options.era === 'legacy'
      ? { ...tasksExtensionCapability, tasks: { list: {}, cancel: {} } }
      : tasksExtensionCapability,
  );
  serveTaskMethods(server, {
    ...view,
    jobs: options.jobs,
    sharedJobs,
    cancelWaitMs: options.cancelWaitMs ?? 1000,
    warn,
  });
  return {
    tool(name, config, handler, toolOptions = {}) {
      return registerSmartToolV2(server, {
        ...view,
        name,
        title: config.title,
        description: config.description,
        inputShape: config.inputSchema ?? {},
        outputShape: config.outputSchema,
        annotations: config.annotations,
        meta: config._meta,
        handler: handler as unknown as (
          args: Record<string, unknown>,
          context: SmartToolContext,
        ) => unknown,
        jobs: options.jobs,
        budgetMs: resolveBudgetMs(toolOptions.budgetMs ?? options.budgetMs),
        label: toolOptions.label as
          string | ((args: Record<string, unknown>) => string) | undefined,
        sharedJobs,
        progressIntervalMs: options.progressIntervalMs ?? 100,
        maxBufferedOutputBytes: options.maxBufferedOutputBytes ?? defaultMaxBufferedOutputBytes,
        statusToolName: () => `${prefix}job_status`,
        warn,
      });
    },
    jobTools(jobToolsOptions) {
      return registerJobToolsV2(
        server,
        { jobs: options.jobs, prefix, sharedJobs },
        jobToolsOptions,
      );
    },
  };
}
