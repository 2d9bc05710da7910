import type { JobEvent, SubscribeOptions } from './job-store';

/** A set of change listeners, optionally filtered by job id. */
export interface Subscribers {
  add(listener: (event: JobEvent) => void, options?: SubscribeOptions): () => void;
  emit(event: JobEvent): void;
  clear(): void;
  readonly size: number;
  /** True when nobody listens (so callers can skip building events). */
  readonly isEmpty: boolean;
}

/**
 * Keeps listeners (all jobs, or one job by id) and delivers events synchronously; a listener
 * that throws is reported to `onListenerError` and never stops the others.
 */
export function createSubscribers(
  onListenerError: (error: unknown) => void = (error) =>
    console.warn('[@sa/jobs] a job event listener threw:', error),
): Subscribers {
  const everyJob = new Set<(event: JobEvent) => void>();
  const byId = new Map<string, Set<(event: JobEvent) => void>>();

  function call(listener: (event: JobEvent) => void, event: JobEvent): void {
    try {
      listener(event);
    } catch (error) {
      onListenerError(error);
    }
  }

  return {
    add(listener, options) {
      const id = options?.id;
      if (id === undefined) {
        // A wrapper, so the same function may be subscribed twice and unsubscribed once.
        const wrapper = (event: JobEvent): void => listener(event);
        everyJob.add(wrapper);
        return () => everyJob.delete(wrapper);
      }
      const wrapper = (event: JobEvent): void => listener(event);
      let set = byId.get(id);
      if (set === undefined) byId.set(id, (set = new Set()));
      set.add(wrapper);
      return () => {
        const current = byId.get(id);
        if (current === undefined) return;
        current.delete(wrapper);
        if (current.size === 0) byId.delete(id);
      };
    },
    emit(event) {
      if (everyJob.size > 0) for (const listener of [...everyJob]) call(listener, event);
      if (byId.size === 0) return;
      const set = byId.get(event.id);
      if (set !== undefined) for (const listener of [...set]) call(listener, event);
    },
    clear() {
      everyJob.clear();
      byId.clear();
    },
    get isEmpty() {
      return everyJob.size === 0 && byId.size === 0;
    },
    get size() {
      return everyJob.size + [...byId.values()].reduce((sum, set) => sum + set.size, 0);
    },
  };
}
