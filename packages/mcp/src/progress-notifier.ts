import type { ProgressUpdate } from '@sa/core';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

/** The request extras the SDK hands a handler. */
export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * A progress listener that turns updates into `notifications/progress` for the request's
 * progress token, keeping `progress` strictly increasing (updates that do not increase it are
 * skipped), or undefined when the client sent no token.
 */
export function createProgressNotifier(
  extra: RequestExtra,
  onError: (error: unknown) => void,
): ((update: ProgressUpdate) => void) | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let last = -Infinity;
  return (update) => {
    if (!(update.progress > last)) return;
    last = update.progress;
    const params: ServerNotification['params'] & { progressToken: string | number } = {
      progressToken,
      progress: update.progress,
    };
    if (update.total !== undefined) params.total = update.total;
    if (update.message !== undefined) params.message = update.message;
    extra.sendNotification({ method: 'notifications/progress', params }).catch(onError);
  };
}
