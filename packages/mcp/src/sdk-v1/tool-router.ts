import { SaError } from '@sa/core';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  McpError,
  type CallToolRequest,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { CreateTaskResult } from '@modelcontextprotocol/sdk/experimental/tasks/types.js';
import type { RequestExtra } from './request-extra';
import { currentRequestHandler } from './sdk-internals';

/** A tool whose calls this package answers (a smart tool or a job tool). */
export interface RoutedTool {
  readonly registered: RegisteredTool;
  /** True for smart tools: they can answer with a task, and their description names the status tool. */
  readonly smart: boolean;
  call(request: CallToolRequest, extra: RequestExtra): Promise<CallToolResult | CreateTaskResult>;
  /** Rewrites the description once the job tools' names are known. */
  refreshDescription(): void;
}

/**
 * Routes a server's `tools/call` to this package for its tools (so arguments are checked here
 * and answered in one style, and a smart call without `task` runs smart async, never the SDK's
 * inline task polling) and to McpServer's own handler for every other tool. One per server: it
 * is found again through the handler it installed, so every `createSmartTools` object and the
 * `register*` wrappers of one server share it.
 */
export interface ToolRouter {
  readonly tools: Map<string, RoutedTool>;
  /** Prefix of the job tools registered on this server (undefined: none yet). */
  jobToolsPrefix: string | undefined;
  /** True once native tasks are served from a job manager. */
  tasksEnabled: boolean;
}

const routerKey = Symbol.for('@sa/mcp.toolRouter');

/** The router of a server, if `tools/call` is already routed through one. */
export function existingToolRouter(server: McpServer): ToolRouter | undefined {
  const current = currentRequestHandler(server, 'tools/call') as
    { [routerKey]?: ToolRouter } | undefined;
  return current?.[routerKey];
}

/**
 * The server's router, installed on first use. Call after `registerTool` has run once (McpServer
 * installs its own `tools/call` handler then; the router keeps it for other tools).
 */
export function toolRouterOf(server: McpServer): ToolRouter {
  const existing = existingToolRouter(server);
  if (existing !== undefined) return existing;
  const fallback = currentRequestHandler(server, 'tools/call');
  if (fallback === undefined) {
    throw new SaError('INTERNAL', 'tools/call is not served yet: register a tool first');
  }
  const router: ToolRouter = { tools: new Map(), jobToolsPrefix: undefined, tasksEnabled: false };
  // Not an async function: a tool's promise is handed to the SDK as it is (one tick less).
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = router.tools.get(request.params.name);
    if (tool === undefined) return fallback(request, extra) as Promise<CallToolResult>;
    if (!tool.registered.enabled) {
      return Promise.reject(
        new McpError(ErrorCode.InvalidParams, `Tool ${request.params.name} disabled`),
      );
    }
    return tool.call(request, extra);
  });
  const installed = currentRequestHandler(server, 'tools/call');
  Object.defineProperty(installed, routerKey, { value: router });
  return router;
}

/** The status tool smart tools of this server point to. */
export function statusToolName(router: ToolRouter | undefined, fallbackPrefix: string): string {
  return `${router?.jobToolsPrefix ?? fallbackPrefix}job_status`;
}
