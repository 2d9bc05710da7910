import type { ProgressListener } from '@sa/core';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../smart-call';

/** The request extras SDK v1 hands a handler. */
export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Who makes a request: its session and auth info. */
export function callerOf(extra: RequestExtra): Caller {
  return { sessionId: extra.sessionId, authInfo: extra.authInfo };
}

/**
 * A progress listener that sends `notifications/progress` for the request's progress token
 * (tied to the request), or undefined when the client sent no token. Send errors go to `onError`.
 */
export function requestProgressSender(
  extra: RequestExtra,
  onError: (error: unknown) => void,
): ProgressListener | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  return (update) => {
    const params: ServerNotification['params'] & { progressToken: string | number } = {
      progressToken,
      progress: update.progress,
    };
    if (update.total !== undefined) params.total = update.total;
    if (update.message !== undefined) params.message = update.message;
    extra.sendNotification({ method: 'notifications/progress', params }).catch(onError);
  };
}
