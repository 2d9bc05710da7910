import { InvalidArgumentError, type Timers } from '@sa/core';
import type { JobManager } from '@sa/jobs';
import type { z } from 'zod';
import { resolveBudgetMs } from './budget-from-environment';
import { defaultMaxBufferedOutputBytes } from './output-sink';
import { emptyShape } from './per-shape';
import {
  buildExactOutputSchema,
  buildInputSchema,
  buildOutputSchema,
  describeSmartTool,
} from './smart-tool-schemas';
import type {
  SmartToolAnnotations,
  SmartToolConfig,
  SmartToolContext,
  SmartToolHandler,
  SmartToolOptions,
} from './smart-tool-types';

/** Everything a call of one smart tool needs, fixed at registration; SDK-free. */
export interface SmartToolDefinition {
  readonly name: string;
  readonly title: string | undefined;
  readonly annotations: SmartToolAnnotations | undefined;
  readonly _meta: Record<string, unknown> | undefined;
  /** The full input schema: the handler's shape plus `async_mode` and `job_label`. */
  readonly inputSchema: z.ZodObject;
  /** The handler's own output schema, checked exactly on the server (undefined: none). */
  readonly outputSchema: z.ZodObject | undefined;
  /** The output schema to advertise: the handler's fields optional, or a job handle, or an error. */
  readonly advertisedOutputSchema: z.ZodObject | undefined;
  readonly handler: (args: Record<string, unknown>, context: SmartToolContext) => unknown;
  readonly jobs: JobManager;
  readonly budgetMs: number;
  readonly label: string | ((args: Record<string, unknown>) => string) | undefined;
  readonly sharedJobs: boolean;
  readonly progressIntervalMs: number;
  readonly maxBufferedOutputBytes: number;
  /** Injected timers, if any (undefined: the budget runs on the manager's timers, coalescing on the global ones). */
  readonly timers: Timers | undefined;
  /** The description to advertise: the tool's own plus a note on job handles naming the status tool. */
  description(): string;
  /** The name of the status tool handles point to (read at call time: job tools may come later). */
  statusToolName(): string;
  warn(message: string): void;
}

/** What `defineSmartTool` needs besides the tool's config, handler and options. */
export interface DefineSmartToolContext {
  /** The status tool handles point to, read at call time (job tools may be registered later). */
  statusToolName(): string;
}

/**
 * Checks a smart tool's handler and options and fixes everything its calls need (schemas,
 * budget, defaults). Throws `INVALID_ARGUMENT` naming the problem.
 *
 * @example
 * const definition = defineSmartTool('crunch', { inputSchema: { n: z.number() } }, handler,
 *   { jobs, budgetMs: 20_000 }, { statusToolName: () => 'job_status' });
 */
export function defineSmartTool<
  InputShape extends z.ZodRawShape = Record<never, never>,
  OutputShape extends z.ZodRawShape | undefined = undefined,
>(
  name: string,
  config: SmartToolConfig<InputShape, OutputShape>,
  handler: SmartToolHandler<InputShape, OutputShape>,
  options: SmartToolOptions<z.output<z.ZodObject<InputShape>>>,
  context: DefineSmartToolContext,
): SmartToolDefinition {
  if (typeof name !== 'string' || name === '') {
    throw new InvalidArgumentError(`A smart tool needs a non-empty name, got ${String(name)}`, {
      data: { field: 'name' },
    });
  }
  if (typeof handler !== 'function') {
    throw new InvalidArgumentError(`Smart tool ${name}: handler must be a function`, {
      data: { field: 'handler' },
    });
  }
  if (typeof options !== 'object' || options === null || typeof options.jobs !== 'object') {
    throw new InvalidArgumentError(
      `Smart tool ${name}: options must include jobs (a job manager)`,
      { data: { field: 'jobs' } },
    );
  }
  const budgetMs = resolveBudgetMs(options.budgetMs);
  const inputSchema = buildInputSchema(config.inputSchema ?? emptyShape);
  const outputShape: z.ZodRawShape | undefined = config.outputSchema;
  const logger = options.logger ?? console;
  return {
    name,
    title: config.title,
    annotations: config.annotations,
    _meta: config._meta,
    inputSchema,
    outputSchema: outputShape === undefined ? undefined : buildExactOutputSchema(outputShape),
    advertisedOutputSchema: outputShape === undefined ? undefined : buildOutputSchema(outputShape),
    handler: handler as SmartToolDefinition['handler'],
    jobs: options.jobs,
    budgetMs,
    label: options.label as SmartToolDefinition['label'],
    sharedJobs: options.sharedJobs ?? false,
    progressIntervalMs: options.progressIntervalMs ?? 100,
    maxBufferedOutputBytes: options.maxBufferedOutputBytes ?? defaultMaxBufferedOutputBytes,
    timers: options.timers,
    description: () => describeSmartTool(config.description, budgetMs, context.statusToolName()),
    statusToolName: () => context.statusToolName(),
    warn: (message) => logger.warn(message),
  };
}
