import { ClosedError } from '@sa/core';
import type { JobStore } from './job-store';
import type { JobStoreBackend } from './job-store-backend';
import { isReadable } from './record-rules';
import {
  assertFiniteNumber,
  assertInteger,
  assertJobId,
  assertListener,
  assertNonEmptyString,
  assertOutputChunk,
  assertOutputStream,
  assertScope,
  normalizeAppendOutputOptions,
  normalizeListQuery,
  normalizePruneOptions,
  normalizeReadOutputOptions,
  normalizeSubscribeOptions,
  reapBatchSize,
  validateCursor,
  validateHeartbeat,
  validateNewJob,
  validateTransition,
} from './validate-arguments';

/**
 * The one front over every storage backend: it owns what all stores share, so the stores
 * cannot drift apart. It checks every argument (`InvalidArgumentError` with `data.field`),
 * refuses calls once closed (`ClosedError`), fills in defaults and decides read visibility
 * (scope, and `expiresAt` on the store's clock); the backend receives normalised input.
 *
 * @example
 * const store = createJobStore(myBackend);
 * const job = await store.create({ label: 'build', tool: 'make', status: 'pending', scope: null, owner: null, leaseToken: null });
 */
export function createJobStore(backend: JobStoreBackend): JobStore {
  let closing: Promise<void> | undefined;

  /** Runs a call: refused once closed; a bad argument rejects the promise, never throws. */
  function call<T>(action: () => Promise<T>): Promise<T> {
    if (closing !== undefined)
      return Promise.reject(new ClosedError(`The job store ${backend.name} is closed`));
    try {
      return action();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    name: backend.name,

    create: (job, options) =>
      call(() => {
        validateNewJob(job, options);
        return backend.create(job, options?.idempotencyKey);
      }),

    get: (id, options) =>
      call(async () => {
        assertJobId(id);
        const scope = options?.scope;
        if (scope !== undefined) assertScope('scope', scope);
        const read = await backend.read(id);
        return read !== undefined && isReadable(read.record, scope, read.now)
          ? read.record
          : undefined;
      }),

    list: (query) => call(() => backend.list(normalizeListQuery(query))),

    transition: (id, guard, patch) =>
      call(() => {
        validateTransition(id, guard, patch);
        return backend.transition(id, guard, patch);
      }),

    heartbeat: (id, ownerToken, options) =>
      call(() => {
        validateHeartbeat(id, ownerToken, options);
        return backend.heartbeat(id, ownerToken, options);
      }),

    requestCancel: (id, reason) =>
      call(() => {
        assertJobId(id);
        if (reason !== undefined) assertNonEmptyString('reason', reason);
        return backend.requestCancel(id, reason);
      }),

    reapExpired: (options) =>
      call(() => {
        const now = options?.now;
        if (now !== undefined) assertFiniteNumber('now', now);
        return backend.reapExpired({ now, batchSize: reapBatchSize });
      }),

    prune: (options) => call(() => backend.prune(normalizePruneOptions(options))),

    appendOutput: (id, stream, chunk, options) =>
      call(() => {
        assertJobId(id);
        assertOutputStream(stream);
        assertOutputChunk(chunk);
        return backend.appendOutput(id, stream, chunk, normalizeAppendOutputOptions(options));
      }),

    readOutput: (id, stream, options) =>
      call(() => {
        assertJobId(id);
        assertOutputStream(stream);
        return backend.readOutput(id, stream, normalizeReadOutputOptions(options));
      }),

    getCursor: (id, name) =>
      call(() => {
        assertJobId(id);
        validateCursor(name);
        return backend.getCursor(id, name);
      }),

    setCursor: (id, name, expected, next) =>
      call(() => {
        assertJobId(id);
        validateCursor(name, expected);
        assertInteger('next', next, { min: 0 });
        return backend.setCursor(id, name, expected, next);
      }),

    subscribe(listener, options) {
      if (closing !== undefined) throw new ClosedError(`The job store ${backend.name} is closed`);
      assertListener(listener);
      return backend.subscribe(listener, normalizeSubscribeOptions(options));
    },

    now: () => backend.now(),

    close: () => (closing ??= backend.close()),
  };
}
