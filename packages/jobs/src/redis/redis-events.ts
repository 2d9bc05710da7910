import type { JobEvent, SubscribeOptions } from '../job-store';
import type { Timers } from '@sa/core';
import type { RedisStoreClient } from './redis-client';

interface Subscription {
  listener: (event: JobEvent) => void;
  id: string | undefined;
}

/** Options for `connectRedisEvents`. */
export interface RedisEventsOptions {
  client: RedisStoreClient;
  channel: string;
  warn: (message: string) => void;
  /** Opening the subscriber gives up after this long. */
  timeoutMs: number;
  timers: Timers;
}

/** The store's change hints, received on one dedicated subscriber connection. */
export interface RedisEvents {
  subscribe(listener: (event: JobEvent) => void, options?: SubscribeOptions): () => void;
  close(): void;
}

/**
 * Opens the subscriber connection (a `duplicate()` of the client) and subscribes to the
 * store's channel before resolving, so no hint published after the store is ready is missed.
 * node-redis reconnects and resubscribes on its own after an outage; hints published during
 * the outage are lost, which is why heartbeats also report cancel requests.
 */
export async function connectRedisEvents(options: RedisEventsOptions): Promise<RedisEvents> {
  const subscriptions = new Set<Subscription>();
  const connection = options.client.duplicate();
  // node-redis emits 'error' for every failed reconnect; without a listener it would crash.
  connection.on('error', () => undefined);

  function deliver(message: string): void {
    let event: JobEvent;
    try {
      event = JSON.parse(message) as JobEvent;
    } catch {
      options.warn(`redis store: ignored a malformed event: ${message.slice(0, 200)}`);
      return;
    }
    for (const subscription of [...subscriptions]) {
      if (subscription.id !== undefined && subscription.id !== event.id) continue;
      try {
        subscription.listener(event);
      } catch (error) {
        options.warn(`redis store: an event listener threw: ${String(error)}`);
      }
    }
  }

  let deadline: unknown;
  const expired = new Promise<never>((_, reject) => {
    deadline = options.timers.setTimeout(
      () =>
        reject(new Error(`the subscriber did not connect within ${String(options.timeoutMs)} ms`)),
      options.timeoutMs,
    );
  });
  try {
    await Promise.race([
      (async () => {
        await connection.connect();
        await connection.subscribe(options.channel, deliver);
      })(),
      expired,
    ]);
  } catch (error) {
    try {
      connection.destroy();
    } catch {
      // Already closed by the failed attempt.
    }
    throw error;
  } finally {
    options.timers.clearTimeout(deadline);
  }

  return {
    subscribe(listener, subscribeOptions) {
      const subscription: Subscription = { listener, id: subscribeOptions?.id };
      subscriptions.add(subscription);
      return () => {
        subscriptions.delete(subscription);
      };
    },
    close() {
      subscriptions.clear();
      connection.destroy();
    },
  };
}
