import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SaError } from '@sa/core';

// The ONE place that reads SDK v1 internals. SDK 1.32 installs McpServer's `tools/call` handler
// in the low-level server's private `_requestHandlers` map, and offers no public way to read it
// back; smart tools need it to route calls of other tools to McpServer. sdk-internals.test.ts
// fails loudly when an SDK release moves this. The peer range covers only the versions CI tests.

/** A request handler as the SDK v1 protocol layer stores it. */
export type SdkRequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/**
 * The handler the server currently runs for `method`, or undefined when none is installed.
 * Throws `INTERNAL` when this SDK version keeps its handlers elsewhere.
 */
export function currentRequestHandler(
  server: McpServer,
  method: string,
): SdkRequestHandler | undefined {
  const handlers = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(handlers instanceof Map)) {
    throw new SaError(
      'INTERNAL',
      'This @modelcontextprotocol/sdk version keeps its request handlers elsewhere: @sa/mcp supports ~1.32.2 (the versions its CI tests)',
    );
  }
  return handlers.get(method) as SdkRequestHandler | undefined;
}
