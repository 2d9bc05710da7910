import type { McpServer, ServerContext } from '@modelcontextprotocol/server';

/** What a 2025-11-25 client asks for in `tools/call`'s `params.task` (the requested retention). */
export interface TaskRequest {
  /** Requested retention in ms; the server may answer with its own (it does: the job's retention). */
  ttl?: number;
}

/** Reads the `params.task` of the `tools/call` request a tool callback is serving. */
export type TaskRequestReader = (context: ServerContext) => TaskRequest | undefined;

/**
 * The one place the v2 adapter leans on how SDK 2.4's `McpServer` installs `tools/call`: on the
 * first `registerTool` it calls the instance's public `server.server.setRequestHandler(
 * 'tools/call', handler)`, and its handler hands the same `ctx` object to the tool callback.
 * The callback's `ctx` does not carry `params`, so `params.task` (a 2025-11-25 client-directed
 * task) is only visible here: this decorates that instance's `setRequestHandler` so the
 * `tools/call` handler McpServer installs is wrapped; the wrapper notes `params.task` against
 * `ctx` and delegates, so input validation and everything else stay the SDK's.
 *
 * Returns undefined when a `tools/call` handler is installed already (tools were registered
 * before, or the server was built with `capabilities.tools`): the seam cannot see those calls.
 * `sdk-seams.test.ts` fails loudly if the SDK changes how it installs the handler.
 */
export function interceptToolCallTasks(server: McpServer): TaskRequestReader | undefined {
  const lowLevel = server.server;
  try {
    lowLevel.assertCanSetRequestHandler('tools/call');
  } catch {
    return undefined;
  }
  const requests = new WeakMap<object, TaskRequest>();
  type AnyHandler = (request: { params?: { task?: unknown } }, context: ServerContext) => unknown;
  const original = lowLevel.setRequestHandler.bind(lowLevel) as unknown as (
    method: string,
    ...rest: unknown[]
  ) => void;
  const decorated = (method: string, ...rest: unknown[]): void => {
    const [handler] = rest;
    if (method !== 'tools/call' || rest.length !== 1 || typeof handler !== 'function') {
      original(method, ...rest);
      return;
    }
    const inner = handler as AnyHandler;
    const wrapped: AnyHandler = (request, context) => {
      const task = request.params?.task;
      if (typeof task === 'object' && task !== null) requests.set(context, task);
      return inner(request, context);
    };
    original(method, wrapped);
  };
  lowLevel.setRequestHandler = decorated;
  return (context) => requests.get(context);
}
