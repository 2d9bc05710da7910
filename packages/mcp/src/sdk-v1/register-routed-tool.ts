import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { errorResult } from '../smart-call';
import { SaError } from '@sa/core';

/** What `registerRoutedTool` advertises for a tool. */
export interface RoutedToolConfig {
  title?: string | undefined;
  description: string;
  inputSchema: z.ZodObject;
  outputSchema?: z.ZodObject | undefined;
  annotations?: ToolAnnotations | undefined;
  _meta?: Record<string, unknown> | undefined;
}

/**
 * Registers a tool with McpServer for listing only: its calls are answered by the tool router,
 * so the callback given to the SDK is never reached (it answers `INTERNAL` if it ever is).
 */
export function registerRoutedTool(
  server: McpServer,
  name: string,
  config: RoutedToolConfig,
): RegisteredTool {
  return server.registerTool(
    name,
    {
      title: config.title,
      description: config.description,
      inputSchema: config.inputSchema.shape,
      ...(config.outputSchema === undefined ? {} : { outputSchema: config.outputSchema.shape }),
      annotations: config.annotations,
      _meta: config._meta,
    },
    () =>
      errorResult(new SaError('INTERNAL', `Tool ${name} is served by @sa/mcp's tools/call router`)),
  );
}
