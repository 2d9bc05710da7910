import { createCoalescer, type ProgressUpdate } from '@sa/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestExtra } from './progress-notifier';

/** Forwards a task's progress to the client while the work runs. */
export interface TaskProgressForwarder {
  push(update: ProgressUpdate): void;
  /** Sends what is kept and stops: no progress once the task is terminal. */
  finish(): void;
}

/**
 * For a task-augmented call with a progress token (which stays valid for the task's life), sends
 * the work's progress as `notifications/progress` (coalesced, strictly increasing) on the
 * server's connection, not tied to the finished request; undefined without a token.
 */
export function createTaskProgressForwarder(
  server: McpServer,
  extra: RequestExtra,
  options: { intervalMs: number; warn(message: string): void },
): TaskProgressForwarder | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let last = -Infinity;
  let finished = false;
  let warned = false;
  const send = (update: ProgressUpdate): void => {
    if (!(update.progress > last)) return;
    last = update.progress;
    server.server
      .notification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: update.progress,
          ...(update.total === undefined ? {} : { total: update.total }),
          ...(update.message === undefined ? {} : { message: update.message }),
        },
      })
      .catch((error: unknown) => {
        if (warned) return;
        warned = true;
        options.warn(`Could not send task progress: ${String(error)}`);
      });
  };
  const coalescer =
    options.intervalMs > 0
      ? createCoalescer(send, {
          intervalMs: options.intervalMs,
          timers: {
            setTimeout: (callback, ms) => setTimeout(callback, ms),
            clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
          },
        })
      : undefined;
  return {
    push(update) {
      if (finished) return;
      if (coalescer === undefined) send(update);
      else coalescer.push(update);
    },
    finish() {
      if (finished) return;
      coalescer?.flush();
      finished = true;
    },
  };
}
