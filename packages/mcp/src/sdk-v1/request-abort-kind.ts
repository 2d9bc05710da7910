import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestAbortKind } from '../smart-call';

/**
 * Reads, at the start of a request, what later tells a client's cancel
 * (`notifications/cancelled`) from a closed transport. SDK v1 aborts the request's signal in
 * both cases; on close it aborts every request and drops its transport in the same tick, so by
 * the time the caller resumes, a changed `server.server.transport` means the connection closed.
 */
export function abortKindReader(server: McpServer): () => RequestAbortKind {
  const transportAtStart = server.server.transport;
  return () => (server.server.transport === transportAtStart ? 'cancelled' : 'closed');
}
