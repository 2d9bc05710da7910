import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Why a request's signal aborted. */
export type RequestAbortKind = 'cancelled' | 'closed';

/**
 * Tells a client's cancel (`notifications/cancelled`) from a closed transport, or undefined
 * when the request did not abort. The SDK aborts the request's signal in both cases; on close
 * it aborts every request and drops its transport in the same tick, so by the time the caller
 * resumes, a changed `server.server.transport` means the connection closed.
 */
export function requestAbortKind(
  server: McpServer,
  transportAtStart: Transport | undefined,
  signal: AbortSignal,
): RequestAbortKind | undefined {
  if (!signal.aborted) return undefined;
  return server.server.transport === transportAtStart ? 'cancelled' : 'closed';
}
