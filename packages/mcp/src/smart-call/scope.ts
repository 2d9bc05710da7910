import type { Caller } from './caller';

/** Where a caller's jobs live: `create` is stored on new jobs, `read` filters what it sees. */
export interface CallerScope {
  /** The scope written on jobs this caller creates (null: unscoped). */
  create: string | null;
  /** The scope this caller may read (undefined: every job, with shared jobs). */
  read: string | null | undefined;
}

/** What the scope is derived from: a request's `sessionId` and `authInfo`. */
export type ScopeSource = Caller;

/**
 * The caller's scope: the auth subject first (a `sub` or `subject` in `authInfo.extra`, else
 * `authInfo.clientId`), else the session id, else null; `sharedJobs` opts out of scoping.
 */
export function resolveCallerScope(source: ScopeSource, sharedJobs: boolean): CallerScope {
  if (sharedJobs) return { create: null, read: undefined };
  const scope = scopeOf(source);
  return { create: scope, read: scope };
}

/**
 * The scope a caller's jobs are stored under: `auth:<sub>`, else `auth-client:<clientId>`,
 * else `session:<id>`, else null (shared, as over stdio where the one client owns the server).
 */
export function scopeOf(source: ScopeSource): string | null {
  const extra = source.authInfo?.extra;
  const subject = extra?.['sub'] ?? extra?.['subject'];
  if (typeof subject === 'string' && subject !== '') return `auth:${subject}`;
  const clientId = source.authInfo?.clientId;
  if (typeof clientId === 'string' && clientId !== '') return `auth-client:${clientId}`;
  if (typeof source.sessionId === 'string' && source.sessionId !== '') {
    return `session:${source.sessionId}`;
  }
  return null;
}
