import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  McpError,
  type CallToolRequest,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { CreateTaskResult } from '@modelcontextprotocol/sdk/experimental/tasks/types.js';
import type { RequestExtra } from './progress-notifier';

/** A smart tool as the router knows it. */
export interface SmartToolEntry {
  readonly registered: RegisteredTool;
  call(request: CallToolRequest, extra: RequestExtra): Promise<CallToolResult | CreateTaskResult>;
  /** Rewrites the description once the job tools' names are known. */
  refreshDescription(): void;
}

/** What this package keeps per `McpServer`. */
export interface ServerState {
  readonly smartTools: Map<string, SmartToolEntry>;
  /** Prefix of the job tools registered on this server (undefined: none yet). */
  jobToolsPrefix: string | undefined;
  /** True once native tasks are served from a job manager. */
  tasksEnabled: boolean;
  routed: boolean;
}

type RequestHandler = (request: unknown, extra: RequestExtra) => Promise<unknown>;

const states = new WeakMap<McpServer, ServerState>();

/** This package's state for a server (created on first use). */
export function serverState(server: McpServer): ServerState {
  let state = states.get(server);
  if (state === undefined) {
    state = {
      smartTools: new Map(),
      jobToolsPrefix: undefined,
      tasksEnabled: false,
      routed: false,
    };
    states.set(server, state);
  }
  return state;
}

/** The name of the status tool smart tools point to. */
export function statusToolName(state: ServerState, fallbackPrefix: string): string {
  return `${state.jobToolsPrefix ?? fallbackPrefix}job_status`;
}

/**
 * Routes `tools/call` for smart tools to this package (so a call without `task` runs smart
 * async, never the SDK's inline task polling, and arguments are checked here), and every other
 * tool to the handler McpServer installed. Call after `registerTool` has run once.
 */
export function routeToolCalls(server: McpServer, state: ServerState): void {
  if (state.routed) return;
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RequestHandler> })
    ._requestHandlers;
  const fallback = handlers?.get('tools/call');
  if (fallback === undefined) {
    throw new Error(
      'Cannot route tools/call: this @modelcontextprotocol/sdk version keeps request handlers elsewhere',
    );
  }
  // Not an async function: a smart tool's promise is handed to the SDK as it is (one tick less).
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const entry = state.smartTools.get(request.params.name);
    if (entry === undefined) return fallback(request, extra) as Promise<CallToolResult>;
    if (!entry.registered.enabled) {
      return Promise.reject(
        new McpError(ErrorCode.InvalidParams, `Tool ${request.params.name} disabled`),
      );
    }
    return entry.call(request, extra);
  });
  state.routed = true;
}
