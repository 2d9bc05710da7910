import type { Timers } from '@sa/core';
import type { RequestExtra } from './progress-notifier';

/**
 * While a status call waits, sends `notifications/progress` every `intervalMs` (progress counts
 * up by one) if the client gave a progress token, so clients that reset their timeout on
 * progress keep the call alive. Returns a stop function.
 */
export function startKeepAlive(
  extra: RequestExtra,
  options: { intervalMs: number; timers: Timers; message: () => string },
): () => void {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined || options.intervalMs <= 0) return () => {};
  let count = 0;
  let handle: unknown;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    count += 1;
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress: count, message: options.message() },
      })
      .catch(() => {});
    handle = options.timers.setTimeout(tick, options.intervalMs);
  };
  handle = options.timers.setTimeout(tick, options.intervalMs);
  return () => {
    stopped = true;
    options.timers.clearTimeout(handle);
  };
}
