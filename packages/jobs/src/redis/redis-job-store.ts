import type { Timers } from '@sa/core';
import { ConflictError, SaError, defaultTimers } from '@sa/core';
import { createJobStore } from '../create-job-store';
import { createJobId } from '../ids';
import type { JobProgress, JobRecord } from '../job-record';
import type { JobStore, TransitionFailure } from '../job-store';
import type { JobStoreBackend } from '../job-store-backend';
import { decodeRecord, encodeFields } from './record-codec';
import type { RedisStoreClient } from './redis-client';
import { openRedisConnection } from './redis-connection';
import type { RedisConnection } from './redis-connection';
import { createRedisOutputMethods } from './redis-output-methods';
import { redisScripts } from './redis-scripts';
import { decodeListCursor, encodeListCursor } from '../list-cursor';
import { defaultMaxOutputBytes } from '../output-bounds';
import { progressCopy } from '../progress-copy';
import { interruptedError } from '../record-rules';
import { assertInteger, assertNonEmptyString } from '../validate-arguments';

/** Options for `createRedisJobStore`. */
export interface RedisJobStoreOptions {
  /** A connected node-redis client the caller owns (not closed by the store). */
  client?: RedisStoreClient;
  /** Where to connect when no `client` is given (default `redis://127.0.0.1:6379`). */
  url?: string;
  /** Prefix of every key and of the event channel (default `sa:jobs:`). */
  prefix?: string;
  /** Bytes kept per output stream; older output is dropped and counted (default 1 MiB). */
  maxOutputBytes?: number;
  /**
   * A store call without reply in this time fails with `STORE_UNAVAILABLE` (default 5000 ms),
   * also when the network stalls after the command was sent.
   */
  commandTimeoutMs?: number;
  /** Connecting (the store's client, and the subscriber connection) gives up after this (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Where warnings go (default `console.warn`). */
  logger?: { warn(message: string): void };
  /** Injectable timers for the call deadline (default the global ones). */
  timers?: Timers;
}

/** A `JobStore` on Redis. */
export interface RedisJobStore extends JobStore {
  /** The key prefix in use. */
  readonly prefix: string;
}

function optionalNumber(value: number | undefined, round: (value: number) => number): string {
  return value === undefined ? '' : String(round(value));
}

/** Progress with its keys in one order, so the script can compare two by their JSON text. */
function canonicalProgress(progress: JobProgress | null): JobProgress | null {
  return progress === null ? null : progressCopy(progress);
}

function scopeSuffix(scope: string | null): string {
  return scope === null ? '-' : `=${scope}`;
}

/**
 * Creates a job store on Redis: every state change is one Lua script timed by Redis `TIME`.
 *
 * @example
 * const store = await createRedisJobStore({ url: 'redis://127.0.0.1:6379', prefix: 'app:jobs:' });
 */
export async function createRedisJobStore(
  options: RedisJobStoreOptions = {},
): Promise<RedisJobStore> {
  const prefix = options.prefix ?? 'sa:jobs:';
  assertNonEmptyString('prefix', prefix);
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  assertInteger('maxOutputBytes', maxOutputBytes, { min: 4 });
  const logger = options.logger ?? console;
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const commandTimeoutMs = options.commandTimeoutMs ?? 5000;
  assertInteger('commandTimeoutMs', commandTimeoutMs, { min: 1 });
  const timers = options.timers ?? defaultTimers;
  const connection = await openRedisConnection({
    client: options.client,
    url,
    prefix,
    commandTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    timers,
    logger,
  });
  const { name, events } = connection;
  const run: RedisConnection['run'] = (script, args) => connection.run(script, args);
  const scripts = redisScripts;
  const outputMethods = createRedisOutputMethods({ run, name, maxOutputBytes });

  function decode(reply: unknown): JobRecord | undefined {
    return decodeRecord(reply, name);
  }

  function mustDecode(reply: unknown): JobRecord {
    const record = decode(reply);
    if (record === undefined) throw new SaError('INTERNAL', `${name}: a script returned no record`);
    return record;
  }

  const backend: JobStoreBackend = {
    name,

    async create(job, key) {
      const id = job.id ?? createJobId();
      const pairs = encodeFields({
        label: job.label,
        tool: job.tool,
        input: job.input,
        progress: canonicalProgress(job.progress ?? null),
        scope: job.scope,
        owner: job.owner,
        leaseToken: job.leaseToken,
        idempotencyKey: key ?? null,
      });
      const reply = (await run(scripts.create, [
        id,
        key ?? '',
        optionalNumber(job.leaseMs, Math.ceil),
        optionalNumber(job.createdAt, Math.round),
        job.startedAt === null ? 'null' : optionalNumber(job.startedAt, Math.round),
        job.status,
        scopeSuffix(job.scope),
        job.label,
        ...pairs,
      ])) as [string, unknown];
      if (reply[0] === 'exists')
        throw new ConflictError(`${name}: a job with id ${id} already exists`);
      if (reply[0] === 'scope') {
        throw new ConflictError(
          `${name}: idempotency key ${key ?? ''} belongs to a job of another scope`,
        );
      }
      return mustDecode(reply[1]);
    },

    async read(id) {
      const reply = (await run(scripts.get, [id])) as [number, unknown?];
      const record = decode(reply[1]);
      return record === undefined ? undefined : { record, now: Number(reply[0]) };
    },

    async list(checked) {
      const after = checked.cursor === undefined ? undefined : decodeListCursor(checked.cursor);
      const reply = (await run(scripts.list, [
        checked.statuses?.join(',') ?? '',
        checked.scope === undefined ? '' : scopeSuffix(checked.scope),
        checked.label ?? '',
        String(checked.limit),
        after === undefined ? '' : String(after.createdAt),
        after?.id ?? '',
      ])) as [number, number, unknown[]];
      const jobs = reply[2].map((item) => mustDecode(item));
      const last = jobs.at(-1);
      return {
        jobs,
        total: Number(reply[0]),
        nextCursor: reply[1] === 1 && last !== undefined ? encodeListCursor(last) : undefined,
      };
    },

    async transition(id, guard, patch) {
      const from: readonly string[] = typeof guard.from === 'string' ? [guard.from] : guard.from;
      const pairs = encodeFields({
        progress: patch.progress === undefined ? undefined : canonicalProgress(patch.progress),
        result: patch.result,
        error: patch.error,
        owner: patch.owner,
        leaseToken: patch.leaseToken,
      });
      const reply = (await run(scripts.transition, [
        id,
        from.join(','),
        optionalNumber(guard.expectedVersion, Math.round),
        guard.ownerToken === undefined ? '' : JSON.stringify(guard.ownerToken),
        patch.status ?? '',
        optionalNumber(patch.leaseMs, Math.ceil),
        optionalNumber(patch.startedAt, Math.round),
        patch.ttlMs === null ? 'null' : optionalNumber(patch.ttlMs, Math.ceil),
        ...pairs,
      ])) as [string, unknown?];
      if (reply[0] === 'ok') return { ok: true, record: mustDecode(reply[1]) };
      return { ok: false, reason: reply[0] as TransitionFailure, current: decode(reply[1]) };
    },

    async heartbeat(id, ownerToken, heartbeatOptions) {
      const progress = heartbeatOptions.progress;
      const reply = (await run(scripts.heartbeat, [
        id,
        JSON.stringify(ownerToken),
        String(Math.ceil(heartbeatOptions.leaseMs)),
        progress === undefined ? '' : JSON.stringify(canonicalProgress(progress)),
      ])) as [string, unknown?];
      const record = decode(reply[1]);
      return { ok: reply[0] === 'ok', cancelRequested: record?.cancelRequestedAt != null, record };
    },

    async requestCancel(id, reason) {
      const reply = (await run(scripts.requestCancel, [id, JSON.stringify(reason ?? null)])) as [
        string,
        unknown?,
      ];
      return decode(reply[1]);
    },

    async reapExpired({ now, batchSize }) {
      const reaped: JobRecord[] = [];
      for (;;) {
        const reply = (await run(scripts.reap, [
          optionalNumber(now, Math.floor),
          String(batchSize),
          JSON.stringify(interruptedError),
        ])) as [number, unknown[]];
        for (const item of reply[1]) reaped.push(mustDecode(item));
        if (Number(reply[0]) < batchSize) return reaped;
      }
    },

    async prune(checked) {
      const scope = checked.scope === undefined ? '' : scopeSuffix(checked.scope);
      const tools = checked.tools === undefined ? '' : JSON.stringify(checked.tools);
      const passes: [string, string, string][] = [];
      if (checked.olderThan !== undefined || !checked.expired) {
        const bound = checked.olderThan === undefined ? '+inf' : `(${String(checked.olderThan)}`;
        for (const status of checked.statuses) {
          const index = status === 'pending' ? 'idx:status:pending' : `finished:${status}`;
          passes.push([index, bound, '']);
        }
      }
      if (checked.expired) passes.push(['expiry', '', checked.statuses.join(',')]);
      let deleted = 0;
      for (const [index, bound, statuses] of passes) {
        let offset = 0;
        for (;;) {
          const batch = String(checked.batchSize);
          const reply = (await run(scripts.prune, [
            index,
            bound,
            statuses,
            scope,
            batch,
            String(offset),
            tools,
          ])) as [number, number, number];
          deleted += Number(reply[0]);
          offset += Number(reply[1]);
          if (Number(reply[2]) < checked.batchSize) break;
        }
      }
      return deleted;
    },

    ...outputMethods,

    subscribe: (listener, subscribeOptions) => events.subscribe(listener, subscribeOptions),

    async now() {
      return Number(await run(scripts.time, []));
    },

    close() {
      return connection.close();
    },
  };
  return Object.assign(createJobStore(backend), { prefix });
}
