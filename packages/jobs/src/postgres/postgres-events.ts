import type { Timers } from '@sa/core';
import type { Pool, PoolClient } from 'pg';
import type { JobEvent, SubscribeOptions } from '../job-store';

interface Subscription {
  listener: (event: JobEvent) => void;
  id: string | undefined;
}

/** Options for `connectPostgresEvents`. */
export interface PostgresEventsOptions {
  pool: Pool;
  channel: string;
  /** Hold a dedicated LISTEN connection (default true). */
  listen: boolean;
  /** Poll for changes this often (ms); undefined for no polling. */
  pollIntervalMs: number | undefined;
  /** Reads what changed since a server time: the polling fallback. */
  poll: (since: number) => Promise<{ events: PolledChange[]; now: number }>;
  timers: Timers;
  warn: (message: string) => void;
}

/** A change seen by polling: the row's key, its version (or end offset) and update time. */
export interface PolledChange {
  event: JobEvent;
  /** What identifies this state of the row (`version` or output end offset). */
  mark: string;
  updatedAt: number;
}

/** The store's change hints, by LISTEN/NOTIFY and optionally by polling. */
export interface PostgresEvents {
  subscribe(listener: (event: JobEvent) => void, options?: SubscribeOptions): () => void;
  close(): void;
}

const pollOverlapMs = 2000;

/**
 * Starts the event side of the PostgreSQL store: a dedicated pooled connection that LISTENs
 * (subscribed before this resolves, reconnected with capped backoff when it drops) and, when
 * asked, a polling loop for poolers that break LISTEN (PgBouncer in transaction mode).
 */
export async function connectPostgresEvents(
  options: PostgresEventsOptions,
): Promise<PostgresEvents> {
  const subscriptions = new Set<Subscription>();
  const { timers } = options;
  let closed = false;
  let listener: PoolClient | undefined;
  let reconnectTimer: unknown;
  let pollTimer: unknown;
  let attempts = 0;

  function deliver(event: JobEvent): void {
    for (const subscription of [...subscriptions]) {
      if (subscription.id !== undefined && subscription.id !== event.id) continue;
      try {
        subscription.listener(event);
      } catch (error) {
        options.warn(`postgres store: an event listener threw: ${String(error)}`);
      }
    }
  }

  async function openListener(): Promise<void> {
    const client = await options.pool.connect();
    const lost = (error?: Error): void => {
      if (listener !== client) return;
      listener = undefined;
      client.release(error ?? new Error('LISTEN connection ended'));
      scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel !== options.channel || message.payload === undefined) return;
      try {
        deliver(JSON.parse(message.payload) as JobEvent);
      } catch {
        options.warn(
          `postgres store: ignored a malformed notification: ${message.payload.slice(0, 200)}`,
        );
      }
    });
    try {
      await client.query(`LISTEN "${options.channel}"`);
    } catch (error) {
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    if (closed) {
      client.release(true);
      return;
    }
    listener = client;
    attempts = 0;
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== undefined) return;
    const delay = Math.min(100 * 2 ** attempts, 5000);
    attempts++;
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = undefined;
      openListener().catch(() => scheduleReconnect());
    }, delay);
  }

  let since = 0;
  const marks = new Map<string, { mark: string; updatedAt: number }>();
  let pollFailing = false;

  async function pollOnce(): Promise<void> {
    const { events, now } = await options.poll(since);
    for (const change of events) {
      const key = `${change.event.type}:${change.event.id}`;
      if (marks.get(key)?.mark === change.mark) continue;
      marks.set(key, { mark: change.mark, updatedAt: change.updatedAt });
      deliver(change.event);
    }
    since = now - pollOverlapMs;
    for (const [key, value] of marks) if (value.updatedAt < since) marks.delete(key);
  }

  function schedulePoll(intervalMs: number): void {
    if (closed) return;
    pollTimer = timers.setTimeout(() => {
      pollOnce()
        .then(() => {
          pollFailing = false;
        })
        .catch((error: unknown) => {
          if (!pollFailing)
            options.warn(`postgres store: polling for changes failed: ${String(error)}`);
          pollFailing = true;
        })
        .finally(() => schedulePoll(intervalMs));
    }, intervalMs);
  }

  if (options.listen) await openListener();
  if (options.pollIntervalMs !== undefined) {
    since = (await options.poll(Number.MAX_SAFE_INTEGER)).now - pollOverlapMs;
    schedulePoll(options.pollIntervalMs);
  }

  return {
    subscribe(subscriber, subscribeOptions) {
      const subscription: Subscription = { listener: subscriber, id: subscribeOptions?.id };
      subscriptions.add(subscription);
      return () => {
        subscriptions.delete(subscription);
      };
    },
    close() {
      closed = true;
      subscriptions.clear();
      if (reconnectTimer !== undefined) timers.clearTimeout(reconnectTimer);
      if (pollTimer !== undefined) timers.clearTimeout(pollTimer);
      const client = listener;
      listener = undefined;
      client?.release(true);
    },
  };
}
