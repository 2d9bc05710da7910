import type { Timers } from '@sa/core';
import { ClosedError, SaError, StoreUnavailableError, isSaError } from '@sa/core';
import { createOwnedClient } from './redis-client';
import type { RedisStoreClient } from './redis-client';
import { connectRedisEvents } from './redis-events';
import type { RedisEvents } from './redis-events';
import type { RedisScript } from './redis-scripts';

/** Options for `openRedisConnection`. */
export interface RedisConnectionOptions {
  client: RedisStoreClient | undefined;
  url: string;
  prefix: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  timers: Timers;
  logger: { warn(message: string): void };
}

/** The store's link to Redis: runs scripts with a deadline and error mapping, and carries the hints. */
export interface RedisConnection {
  /** `redis://host:port/prefix`, for messages. */
  readonly name: string;
  readonly events: RedisEvents;
  /** Runs a script (EVALSHA, EVAL on NOSCRIPT) with the prefix as ARGV[1]. */
  run(script: RedisScript, args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

const replyErrorNames = new Set(['ErrorReply', 'SimpleError', 'BlobError']);

/**
 * Connects (or adopts the caller's client) and opens the subscriber. Failures become
 * `StoreUnavailableError` naming the address; Redis error replies become `INTERNAL`.
 */
export async function openRedisConnection(
  options: RedisConnectionOptions,
): Promise<RedisConnection> {
  const { prefix, commandTimeoutMs, timers } = options;
  let address = 'caller-provided client';
  let client: RedisStoreClient;
  let ownedClose: (() => Promise<void>) | undefined;

  function unavailable(error: unknown): StoreUnavailableError {
    const message = error instanceof Error ? error.message : String(error);
    return new StoreUnavailableError(`redis store at ${address} unreachable: ${message}`, {
      cause: error,
    });
  }

  if (options.client !== undefined) {
    client = options.client;
  } else {
    const parsed = new URL(options.url);
    address = `${parsed.hostname}:${parsed.port || '6379'}`;
    const owned = createOwnedClient({
      url: options.url,
      commandTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      onError: () => undefined,
    });
    try {
      await owned.connect();
    } catch (error) {
      try {
        owned.destroy();
      } catch {
        // Already closed by the failed connection attempt.
      }
      throw unavailable(error);
    }
    client = owned;
    ownedClose = async () => {
      await owned.close().catch(() => owned.destroy());
    };
  }
  const name = `redis://${address}/${prefix}`;
  let events: RedisEvents;
  try {
    events = await connectRedisEvents({
      client,
      channel: `${prefix}events`,
      warn: (message) => options.logger.warn(message),
      timeoutMs: options.connectTimeoutMs,
      timers,
    });
  } catch (error) {
    await ownedClose?.();
    throw unavailable(error);
  }
  let closed = false;

  async function send(script: RedisScript, args: string[]): Promise<unknown> {
    const call = { keys: [], arguments: [prefix, ...args] };
    try {
      return await client.evalSha(script.sha, call);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return await client.eval(script.source, call);
      }
      throw error;
    }
  }

  return {
    name,
    events,
    async run(script, args) {
      if (closed) throw new ClosedError(`${name}: the store is closed`);
      // node-redis times a command out only until it is written; a stalled network would leave
      // the call waiting for the TCP connection to die. A late reply still lands in node-redis's
      // queue in order, so giving up here never shifts replies between commands.
      let deadline: unknown;
      const expired = new Promise<never>((_, reject) => {
        deadline = timers.setTimeout(
          () => reject(new Error(`no reply within ${String(commandTimeoutMs)} ms`)),
          commandTimeoutMs,
        );
      });
      try {
        return await Promise.race([send(script, args), expired]);
      } catch (error) {
        if (isSaError(error)) throw error;
        if (error instanceof Error && replyErrorNames.has(error.constructor.name)) {
          throw new SaError('INTERNAL', `${name}: Redis refused a script: ${error.message}`, {
            cause: error,
          });
        }
        throw unavailable(error);
      } finally {
        timers.clearTimeout(deadline);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      events.close();
      await ownedClose?.();
    },
  };
}
