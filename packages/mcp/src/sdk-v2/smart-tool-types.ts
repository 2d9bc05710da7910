import type { ProgressUpdate } from '@sa/core';
import type { OutputStream } from '@sa/jobs';
import type { AuthInfo, ToolAnnotations } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { RequestKind } from './request-kind';

/** What a smart tool's handler receives besides its arguments (SDK v2). */
export interface SmartToolContext {
  /** Aborts when the work is cancelled (by the client before promotion, or as a job or task). */
  signal: AbortSignal;
  /** Reports progress: `notifications/progress` while inline, then the job record (a task's `statusMessage`). */
  reportProgress: (update: ProgressUpdate) => void;
  /** Appends output (bounded in memory until the work becomes a job, then to the job's log). */
  appendOutput: (stream: OutputStream, chunk: string) => void;
  /** The 2025-era session of the call, if the transport has sessions (never on 2026 requests). */
  sessionId: string | undefined;
  /** The auth info of the call, if any. */
  authInfo: AuthInfo | undefined;
  /** What the request can receive: `tasks`, `modern` (2026 without the extension) or `legacy` (2025). */
  requestKind: RequestKind;
}

/** Tool config of `smart.tool()`: what `McpServer.registerTool` takes, with zod shapes. */
export interface SmartToolConfig<
  InputShape extends z.ZodRawShape,
  OutputShape extends z.ZodRawShape | undefined,
> {
  title?: string;
  description?: string;
  inputSchema?: InputShape;
  outputSchema?: OutputShape;
  annotations?: ToolAnnotations;
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
) => SmartToolResult<OutputShape> | Promise<SmartToolResult<OutputShape>>;

/** Per-tool options of `smart.tool()`; they override the shared ones. */
export interface SmartToolOptions<Input = Record<string, unknown>> {
  /** Inline budget in ms for this tool. */
  budgetMs?: number;
  /** The job label when the caller gives no `job_label` (default: the tool name). */
  label?: string | ((args: Input) => string);
}
