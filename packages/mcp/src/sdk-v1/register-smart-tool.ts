import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { z } from 'zod';
import type { SmartToolConfig, SmartToolHandler, SmartToolOptions } from '../smart-call';
import { createSmartTools } from './smart-tools';

/**
 * Registers a tool that answers inline within its budget and otherwise becomes a persisted job,
 * returning a job handle; it adds `async_mode` and `job_label` to the input schema. The same as
 * `createSmartTools(server, options).tool(name, config, handler)`; prefer that for many tools.
 *
 * @example
 * registerSmartTool(server, 'crunch', { inputSchema: { n: z.number() } },
 *   async ({ n }, { signal, reportProgress }) => crunch(n, { signal, reportProgress }),
 *   { jobs, budgetMs: 20_000 });
 */
export function registerSmartTool<
  InputShape extends z.ZodRawShape = Record<never, never>,
  OutputShape extends z.ZodRawShape | undefined = undefined,
>(
  server: McpServer,
  name: string,
  config: SmartToolConfig<InputShape, OutputShape>,
  handler: SmartToolHandler<InputShape, OutputShape>,
  options: SmartToolOptions<z.output<z.ZodObject<InputShape>>>,
): RegisteredTool {
  return createSmartTools(server, options).tool(name, config, handler, {
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}
