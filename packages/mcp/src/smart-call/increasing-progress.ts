import type { ProgressListener } from '@sa/core';

/**
 * Wraps a progress sender so `progress` only ever increases, as MCP requires of
 * `notifications/progress`: an update that does not increase it is dropped.
 */
export function increasingProgress(send: ProgressListener): ProgressListener {
  let last = -Infinity;
  return (update) => {
    if (!(update.progress > last)) return;
    last = update.progress;
    send(update);
  };
}
