import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** Why a request's signal aborted. */
export type RequestAbortKind = 'cancelled' | 'closed';

/** Watches a request's signal and tells a cancel (`notifications/cancelled`) from a closed transport. */
export interface RequestAbortWatch {
  /** Aborts (one microtask after the request's signal) once the kind is known. */
  readonly signal: AbortSignal;
  /** Set when `signal` has aborted. */
  readonly kind: RequestAbortKind | undefined;
  dispose(): void;
}

/**
 * The SDK aborts a request's signal both on `notifications/cancelled` and when the transport
 * closes. On close it aborts every request and then drops its transport in the same tick, so one
 * microtask later `server.server.transport` tells the two apart.
 */
export function watchRequestAbort(
  server: McpServer,
  requestSignal: AbortSignal,
): RequestAbortWatch {
  const controller = new AbortController();
  const transport = server.server.transport;
  let kind: RequestAbortKind | undefined;
  const onAbort = (): void => {
    queueMicrotask(() => {
      kind = server.server.transport === transport ? 'cancelled' : 'closed';
      controller.abort(requestSignal.reason);
    });
  };
  if (requestSignal.aborted) onAbort();
  else requestSignal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    get kind() {
      return kind;
    },
    dispose: () => requestSignal.removeEventListener('abort', onAbort),
  };
}
