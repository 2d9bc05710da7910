import { createClient } from 'redis';

/** Options of an `EVAL` / `EVALSHA` call, as node-redis takes them. */
export interface RedisScriptOptions {
  keys: string[];
  arguments: string[];
}

/**
 * The part of a node-redis (v5+) client the Redis job store uses. `createClient()` from
 * `redis` fits it; the subscriber is made with `duplicate()`.
 */
export interface RedisStoreClient {
  eval(script: string, options: RedisScriptOptions): Promise<unknown>;
  evalSha(sha1: string, options: RedisScriptOptions): Promise<unknown>;
  duplicate(): RedisStoreSubscriber;
}

/** The part of a node-redis client used as the store's dedicated subscriber connection. */
export interface RedisStoreSubscriber {
  connect(): Promise<unknown>;
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): void;
}

/** Timeouts and reconnection of a client the store creates from a URL. */
export interface OwnedClientOptions {
  url: string;
  /** A command that gets no reply in this time fails (default 5000 ms). */
  commandTimeoutMs: number;
  /** Connecting gives up after this long (default 5000 ms). */
  connectTimeoutMs: number;
  /** Called with every connection error (node-redis emits one per failed reconnect). */
  onError: (error: Error) => void;
}

/**
 * Creates a node-redis client with bounded failure: commands fail at once while it is
 * disconnected (no offline queue), time out after `commandTimeoutMs`, and after the first
 * connection it reconnects with capped exponential backoff forever.
 */
export function createOwnedClient(options: OwnedClientOptions): ReturnType<typeof createClient> {
  // Until the first connection succeeds, a failure ends `connect()` (so opening a store fails
  // fast); afterwards the client reconnects forever with capped backoff.
  let connectedOnce = false;
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs },
    socket: {
      connectTimeout: options.connectTimeoutMs,
      reconnectStrategy: (retries, cause) =>
        connectedOnce ? Math.min(50 * 2 ** retries, 1000) + Math.floor(Math.random() * 50) : cause,
    },
  });
  client.on('ready', () => {
    connectedOnce = true;
  });
  client.on('error', options.onError);
  return client;
}
