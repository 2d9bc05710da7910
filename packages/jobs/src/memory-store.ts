/* eslint-disable @typescript-eslint/require-await -- the backend's methods are async like every backend's; this one has no I/O. */
import { ConflictError, NotFoundError } from '@sa/core';
import { snapshot } from './copy-record';
import { createJobStore } from './create-job-store';
import { createJobId } from './ids';
import { isTerminalStatus } from './job-record';
import type { JobRecord } from './job-record';
import type { JobEvent, JobStore } from './job-store';
import type { JobStoreBackend } from './job-store-backend';
import { decodeListCursor, encodeListCursor } from './list-cursor';
import { NewestFirstIndex } from './memory-job-index';
import { MemoryOutputLog } from './memory-output-log';
import { defaultMaxOutputBytes } from './output-bounds';
import {
  applyCancelRequest,
  applyHeartbeatInPlace,
  applyInterrupt,
  applyTransitionInPlace,
  buildNewRecord,
  checkTransitionGuard,
  isLeaseExpired,
  matchesPrune,
} from './record-rules';
import { createSubscribers } from './subscribers';
import { assertInteger, offsetPastEnd, outputOffsetConflict } from './validate-arguments';

/** Options for `createMemoryJobStore`. */
export interface MemoryJobStoreOptions {
  /** The store's clock (default `Date.now`). */
  clock?: { now(): number };
  /** Bound of each job's output stream in bytes (default 1 MiB); oldest bytes are dropped. */
  maxOutputBytes?: number;
}

interface Entry {
  record: JobRecord;
  output: { stdout?: MemoryOutputLog; stderr?: MemoryOutputLog } | undefined;
  cursors: Map<string, number> | undefined;
}

/**
 * A job store in process memory: fast, not durable; for tests, development and single-process
 * servers that accept losing jobs on restart.
 *
 * @example
 * const store = createMemoryJobStore();
 * const job = await store.create({ label: 'build', tool: 'build', status: 'pending', scope: null, owner: null, leaseToken: null });
 */
export function createMemoryJobStore(options: MemoryJobStoreOptions = {}): JobStore {
  const clock = options.clock ?? { now: () => Date.now() };
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  assertInteger('maxOutputBytes', maxOutputBytes, { min: 4 });
  const entries = new Map<string, Entry>();
  const index = new NewestFirstIndex<Entry>();
  const idempotencyKeys = new Map<string, string>();
  const subscribers = createSubscribers();
  let closed = false;

  /**
   * Stores `next` frozen. Stored records are immutable: every change stores a new frozen
   * record, so a record handed out is never changed afterwards and needs no copy.
   */
  function replace(entry: Entry, next: JobRecord): JobRecord {
    // createdAt and id never change, so the entry keeps its place in `index`.
    entry.record = Object.freeze(next);
    return entry.record;
  }

  function emit(event: JobEvent): void {
    subscribers.emit(event);
  }

  function emitChanged(record: JobRecord): void {
    if (subscribers.isEmpty) return;
    emit({
      type: 'changed',
      id: record.id,
      status: record.status,
      version: record.version,
      cancelRequested: record.cancelRequestedAt !== null,
    });
  }

  function entryOrThrow(id: string): Entry {
    const entry = entries.get(id);
    if (entry === undefined) throw new NotFoundError(`Job ${id} not found`);
    return entry;
  }

  function removeBatch(batch: readonly Entry[]): void {
    index.removeMany(batch);
    for (const entry of batch) forget(entry);
  }

  function forget(entry: Entry): void {
    entries.delete(entry.record.id);
    if (entry.record.idempotencyKey !== null) {
      if (idempotencyKeys.get(entry.record.idempotencyKey) === entry.record.id)
        idempotencyKeys.delete(entry.record.idempotencyKey);
    }
  }

  const backend: JobStoreBackend = {
    name: 'memory',

    async create(job, key) {
      if (key !== undefined) {
        const existingId = idempotencyKeys.get(key);
        const existing = existingId === undefined ? undefined : entries.get(existingId);
        if (existing !== undefined) {
          if (existing.record.scope !== job.scope)
            throw new ConflictError(`Idempotency key ${key} belongs to a job of another scope`);
          return existing.record;
        }
      }
      const id = job.id ?? createJobId();
      if (entries.has(id)) throw new ConflictError(`A job with id ${id} already exists`);
      const record = Object.freeze(
        buildNewRecord(job, { id, now: clock.now(), idempotencyKey: key }),
      );
      const entry: Entry = { record, output: undefined, cursors: undefined };
      entries.set(id, entry);
      index.insert(entry);
      if (key !== undefined) idempotencyKeys.set(key, id);
      emitChanged(record);
      return record;
    },

    async read(id) {
      const entry = entries.get(id);
      return entry === undefined ? undefined : { record: entry.record, now: clock.now() };
    },

    async list(query) {
      const position = query.cursor === undefined ? undefined : decodeListCursor(query.cursor);
      const { jobs, total, more } = index.page(query, position);
      const last = jobs[jobs.length - 1];
      return {
        jobs,
        total,
        nextCursor: more && last !== undefined ? encodeListCursor(last) : undefined,
      };
    },

    async transition(id, guard, patch) {
      const entry = entries.get(id);
      if (entry === undefined) return { ok: false, reason: 'not_found', current: undefined };
      const failure = checkTransitionGuard(entry.record, guard, patch);
      if (failure !== undefined) return { ok: false, reason: failure, current: entry.record };
      const next = snapshot(entry.record);
      applyTransitionInPlace(next, patch, clock.now());
      const record = replace(entry, next);
      emitChanged(record);
      return { ok: true, record };
    },

    async heartbeat(id, ownerToken, heartbeatOptions) {
      const entry = entries.get(id);
      if (entry === undefined) return { ok: false, cancelRequested: false, record: undefined };
      const current = entry.record;
      if (current.leaseToken !== ownerToken || isTerminalStatus(current.status))
        return {
          ok: false,
          cancelRequested: current.cancelRequestedAt !== null,
          record: current,
        };
      const next = snapshot(current);
      const changed = applyHeartbeatInPlace(next, heartbeatOptions, clock.now());
      const record = replace(entry, next);
      if (changed) emitChanged(record);
      return { ok: true, cancelRequested: record.cancelRequestedAt !== null, record };
    },

    async requestCancel(id, reason) {
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      const { record, changed } = applyCancelRequest(entry.record, reason, clock.now());
      if (!changed) return record;
      const stored = replace(entry, record);
      emitChanged(stored);
      return stored;
    },

    async reapExpired(reapOptions) {
      const storeNow = clock.now();
      const now = reapOptions.now ?? storeNow;
      const reaped: JobRecord[] = [];
      for (const entry of entries.values()) {
        if (!isLeaseExpired(entry.record, now)) continue;
        reaped.push(replace(entry, applyInterrupt(entry.record, storeNow)));
      }
      for (const record of reaped) emitChanged(record);
      return reaped;
    },

    async prune(normalized) {
      let deleted = 0;
      for (;;) {
        const now = clock.now();
        const batch: Entry[] = [];
        for (const entry of entries.values()) {
          if (matchesPrune(entry.record, normalized, now)) batch.push(entry);
          if (batch.length >= normalized.batchSize) break;
        }
        removeBatch(batch);
        for (const entry of batch) emit({ type: 'deleted', id: entry.record.id });
        deleted += batch.length;
        if (batch.length < normalized.batchSize) return deleted;
        // Yields between batches, as a store with I/O would (and as the contract allows).
        await Promise.resolve();
        if (closed) return deleted;
      }
    },

    async appendOutput(id, stream, chunk, expectedOffset) {
      const entry = entryOrThrow(id);
      const current = entry.output?.[stream]?.endOffset ?? 0;
      if (expectedOffset !== undefined && current !== expectedOffset)
        throw outputOffsetConflict(id, stream, expectedOffset, current);
      if (chunk.length === 0) return;
      const log = ((entry.output ??= {})[stream] ??= new MemoryOutputLog(maxOutputBytes));
      log.append(chunk);
      emit({ type: 'output', id });
    },

    async readOutput(id, stream, { offset, maxBytes }) {
      const entry = entryOrThrow(id);
      const log = entry.output?.[stream] ?? new MemoryOutputLog(maxOutputBytes);
      if (offset > log.endOffset) throw offsetPastEnd(stream, offset, log.endOffset);
      return log.read(offset, maxBytes);
    },

    async getCursor(id, name) {
      return entryOrThrow(id).cursors?.get(name);
    },

    async setCursor(id, name, expected, next) {
      const entry = entryOrThrow(id);
      if (entry.cursors?.get(name) !== expected) return false;
      (entry.cursors ??= new Map()).set(name, next);
      return true;
    },

    subscribe(listener, subscribeOptions) {
      return subscribers.add(listener, subscribeOptions);
    },

    async now() {
      return clock.now();
    },

    async close() {
      closed = true;
      subscribers.clear();
    },
  };
  return createJobStore(backend);
}
