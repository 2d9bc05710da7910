import { watch, type FSWatcher } from 'node:fs';
import type { JobEvent, SubscribeOptions } from '../job-store';

/** Options for `createChangeFeed`. */
export interface ChangeFeedOptions {
  /** The folder to watch for other processes' changes. */
  watchDirectory: string;
  /** Reads what other processes wrote (and emits it); called on a watch event or a poll. */
  pull: () => Promise<void>;
  /** Poll interval while anyone listens, the backstop for a missed watch event. */
  pollIntervalMs: number;
  warn: (message: string) => void;
}

/** Delivers change hints to listeners: this process's at once, other processes' by watch or poll. */
export interface ChangeFeed {
  subscribe(listener: (event: JobEvent) => void, options?: SubscribeOptions): () => void;
  emit(event: JobEvent): void;
  close(): void;
}

/** Creates a change feed; the watcher and the poll timer run only while someone listens. */
export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const listeners = new Set<{ listener: (event: JobEvent) => void; id: string | undefined }>();
  let watcher: FSWatcher | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let pulling = false;
  let pullAgain = false;
  let closed = false;

  function pull(): void {
    if (pulling) {
      pullAgain = true;
      return;
    }
    pulling = true;
    options
      .pull()
      .catch((error: unknown) =>
        options.warn(`[@sa/jobs] file store: reading changes failed: ${String(error)}`),
      )
      .finally(() => {
        pulling = false;
        if (pullAgain && !closed && listeners.size > 0) {
          pullAgain = false;
          pull();
        }
      });
  }

  function start(): void {
    if (closed || timer) return;
    try {
      watcher = watch(options.watchDirectory, { persistent: false }, () => pull());
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined; // No watch support here: the poll alone carries the hints.
    }
    timer = setInterval(pull, options.pollIntervalMs);
    timer.unref?.();
  }

  function stop(): void {
    watcher?.close();
    watcher = undefined;
    if (timer) clearInterval(timer);
    timer = undefined;
  }

  return {
    subscribe(listener, subscribeOptions) {
      const entry = { listener, id: subscribeOptions?.id };
      listeners.add(entry);
      start();
      return () => {
        listeners.delete(entry);
        if (listeners.size === 0) stop();
      };
    },
    emit(event) {
      for (const entry of [...listeners]) {
        if (entry.id !== undefined && entry.id !== event.id) continue;
        try {
          entry.listener(event);
        } catch (error) {
          options.warn(`[@sa/jobs] file store: a subscriber threw: ${String(error)}`);
        }
      }
    },
    close() {
      closed = true;
      listeners.clear();
      stop();
    },
  };
}
