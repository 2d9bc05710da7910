import type { ServerContext } from '@modelcontextprotocol/server';

/**
 * The scope a caller's jobs and tasks are stored under, in the same format as the v1
 * adapter: `auth:<sub>` (a `sub` or `subject` in `authInfo.extra`), else
 * `auth-client:<clientId>`, else `session:<id>` (sessionful 2025 serving), else null
 * (no identity: stdio, or unauthenticated stateless HTTP, where the task id is the bearer).
 * `sharedJobs` opts out of scoping.
 */
export function callerScopeOf(
  context: Pick<ServerContext, 'http' | 'sessionId'>,
  sharedJobs: boolean,
): string | null {
  if (sharedJobs) return null;
  const authInfo = context.http?.authInfo;
  const extra = authInfo?.extra;
  const subject = extra?.['sub'] ?? extra?.['subject'];
  if (typeof subject === 'string' && subject !== '') return `auth:${subject}`;
  const clientId = authInfo?.clientId;
  if (typeof clientId === 'string' && clientId !== '') return `auth-client:${clientId}`;
  const sessionId = context.sessionId;
  if (typeof sessionId === 'string' && sessionId !== '') return `session:${sessionId}`;
  return null;
}

/** The scope to read with: every job for shared jobs, else only the caller's. */
export function readScopeOf(
  context: Pick<ServerContext, 'http' | 'sessionId'>,
  sharedJobs: boolean,
): string | null | undefined {
  return sharedJobs ? undefined : callerScopeOf(context, sharedJobs);
}
