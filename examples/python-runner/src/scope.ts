import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

/** What a request handler knows about its caller. */
export interface CallerInfo {
  sessionId?: string | undefined;
  authInfo?: AuthInfo | undefined;
}

/**
 * Who may see a job, derived exactly as `@sa/mcp` derives it (so legacy and v2 tools see the
 * same jobs): the auth subject, else the auth client id, else the session, else null (shared,
 * as over stdio where the one client owns the server).
 */
export function scopeOf(caller: CallerInfo): string | null {
  const extra = caller.authInfo?.extra;
  const subject = extra?.['sub'] ?? extra?.['subject'];
  if (typeof subject === 'string' && subject !== '') return `auth:${subject}`;
  const clientId = caller.authInfo?.clientId;
  if (typeof clientId === 'string' && clientId !== '') return `auth-client:${clientId}`;
  if (typeof caller.sessionId === 'string' && caller.sessionId !== '')
    return `session:${caller.sessionId}`;
  return null;
}
