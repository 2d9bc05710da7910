import type { ServerContext } from '@modelcontextprotocol/server';
import type { Caller } from '../smart-call';

/**
 * Who is calling, for the core's scoping: the auth info (auth subject or client id) and, on
 * sessionful 2025 serving, the session. 2026 requests have no session: without auth, tasks
 * are unscoped and the unguessable task id is the bearer.
 */
export function callerOf(ctx: Pick<ServerContext, 'http' | 'sessionId'>): Caller {
  return { sessionId: ctx.sessionId, authInfo: ctx.http?.authInfo };
}
