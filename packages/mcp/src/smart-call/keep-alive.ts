import type { ProgressListener, Timers } from '@sa/core';

/**
 * While a status call waits, sends a progress update every `intervalMs` (progress counts up by
 * one) through `send` (an adapter sends it as `notifications/progress` when the client gave a
 * progress token), so clients that reset their timeout on progress keep the call alive.
 * Returns a stop function.
 */
export function startKeepAlive(
  send: ProgressListener | undefined,
  options: { intervalMs: number; timers: Timers; message: () => string },
): () => void {
  if (send === undefined || options.intervalMs <= 0) return () => {};
  let count = 0;
  let handle: unknown;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    count += 1;
    send({ progress: count, message: options.message() });
    handle = options.timers.setTimeout(tick, options.intervalMs);
  };
  handle = options.timers.setTimeout(tick, options.intervalMs);
  return () => {
    stopped = true;
    options.timers.clearTimeout(handle);
  };
}
