import type { ProgressUpdate, Timers } from '@sa/core';
import type { JobManager, OutputStream } from '@sa/jobs';
import type { z } from 'zod';
import type { CallerAuthInfo } from './caller';

/** What a smart tool's handler receives besides its arguments. */
export interface SmartToolContext {
  /** Aborts when the work is cancelled (by the client before promotion, or as a job). */
  signal: AbortSignal;
  /** Reports progress: `notifications/progress` while inline, the job record once promoted. */
  reportProgress: (update: ProgressUpdate) => void;
  /** Appends output (bounded in memory until the work becomes a job, then to the job's log). */
  appendOutput: (stream: OutputStream, chunk: string) => void;
  /** The MCP session of the call, if the transport has sessions. */
  sessionId: string | undefined;
  /** The auth info of the call, if any (structurally the SDK's `AuthInfo`). */
  authInfo: CallerAuthInfo | undefined;
}

/** Hints about a tool's behaviour, as MCP defines them (structurally the SDK's `ToolAnnotations`). */
export interface SmartToolAnnotations {
  [key: string]: unknown;
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** A smart tool's config: what `McpServer.registerTool` takes, with zod shapes. */
export interface SmartToolConfig<
  InputShape extends z.ZodRawShape,
  OutputShape extends z.ZodRawShape | undefined,
> {
  title?: string;
  description?: string;
  inputSchema?: InputShape;
  outputSchema?: OutputShape;
  annotations?: SmartToolAnnotations;
  _meta?: Record<string, unknown>;
}

/** The result type of a handler: the output shape's type, or any JSON value without one. */
export type SmartToolResult<OutputShape extends z.ZodRawShape | undefined> =
  OutputShape extends z.ZodRawShape ? z.input<z.ZodObject<OutputShape>> : unknown;

/** A smart tool's handler: validated arguments in, a JSON-serialisable result out. */
export type SmartToolHandler<
  InputShape extends z.ZodRawShape,
  OutputShape extends z.ZodRawShape | undefined,
> = (
  args: z.output<z.ZodObject<InputShape>>,
  context: SmartToolContext,
) => SmartToolResult<OutputShape> | PromiseLike<SmartToolResult<OutputShape>>;

/** Options shared by every smart tool of a server (`createSmartTools(server, options)`). */
export interface SmartToolsOptions {
  /** The job manager that runs and stores the work (its runner also bounds inline calls). */
  jobs: JobManager;
  /** Inline budget in ms (default: `SMART_ASYNC_TIMEOUT_SECONDS` from the environment, else 20 s). */
  budgetMs?: number;
  /** Every caller sees every job (default false: jobs are scoped to auth subject or session). */
  sharedJobs?: boolean;
  /** Prefix of the job tools named in handles, when no job tools are registered on this server (default ""). */
  jobToolsPrefix?: string;
  /** Smallest gap between two progress notifications of a call (default 100 ms). */
  progressIntervalMs?: number;
  /** Bound of output kept in memory before the work becomes a job (default 1 MiB). */
  maxBufferedOutputBytes?: number;
  /** Where warnings go (default `console.warn`, which writes to stderr). */
  logger?: { warn(message: string): void };
  /** Injectable timers of the budget and of progress coalescing (default: the job manager's for the budget, the global ones for coalescing). */
  timers?: Timers;
}

/** Options of one smart tool: the shared options plus its job label. */
export interface SmartToolOptions<Input = Record<string, unknown>> extends SmartToolsOptions {
  /** The job label when the caller gives no `job_label` (default: the tool name). */
  label?: string | ((args: Input) => string);
}
