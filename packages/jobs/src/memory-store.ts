/* eslint-disable @typescript-eslint/require-await -- every method is async so that invalid arguments reject the returned promise instead of throwing synchronously. */
import { ClosedError, ConflictError, NotFoundError, InvalidArgumentError } from '@sa/core';
import { snapshot } from './copy-record';
import { createJobId } from './ids';
import { isTerminalStatus } from './job-record';
import type { JobRecord } from './job-record';
import type {
  AppendOutputOptions,
  CreateJobOptions,
  HeartbeatResult,
  JobEvent,
  JobPage,
  JobStore,
  ListJobsQuery,
  NewJob,
  OutputChunk,
  OutputStream,
  PruneOptions,
  ReadOutputOptions,
  SubscribeOptions,
  TransitionGuard,
  TransitionPatch,
  TransitionResult,
} from './job-store';
import { decodeListCursor, encodeListCursor } from './list-cursor';
import { NewestFirstIndex } from './memory-job-index';
import { OutputLog, defaultMaxOutputBytes } from './output-log';
import {
  applyCancelRequest,
  applyHeartbeatInPlace,
  applyInterrupt,
  applyTransitionInPlace,
  buildNewRecord,
  checkTransitionGuard,
  isLeaseExpired,
  isVisibleTo,
  matchesPrune,
} from './record-rules';
import { createSubscribers } from './subscribers';
import {
  assertFiniteNumber,
  assertInteger,
  assertJobId,
  assertOutputChunk,
  assertOutputStream,
  normalizeAppendOutputOptions,
  outputOffsetConflict,
  assertScope,
  normalizeListQuery,
  normalizePruneOptions,
  normalizeReadOutputOptions,
  validateCursor,
  validateHeartbeat,
  validateNewJob,
  validateTransition,
} from './validate-arguments';

/** Options for `createMemoryJobStore`. */
export interface MemoryJobStoreOptions {
  /** The store's clock (default `Date.now`). */
  clock?: { now(): number };
  /** Bound of each job's output stream in bytes (default 1 MiB); oldest bytes are dropped. */
  maxOutputBytes?: number;
}

interface Entry {
  record: JobRecord;
  output: { stdout?: OutputLog; stderr?: OutputLog } | undefined;
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

  function ensureOpen(): void {
    if (closed) throw new ClosedError('The memory job store is closed');
  }

  /**
   * Stores `next` frozen. Stored records are immutable: every change stores a new frozen
   * record, so a record handed out is never changed afterwards and needs no copy.
   */
  function replace(entry: Entry, next: JobRecord): JobRecord {
    // createdAt and id never change, so the entry keeps its place in `ordered`.
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

  const store: JobStore = {
    name: 'memory',

    async create(job: NewJob, createOptions?: CreateJobOptions): Promise<JobRecord> {
      ensureOpen();
      validateNewJob(job, createOptions);
      const key = createOptions?.idempotencyKey;
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

    async get(id: string, getOptions?: { scope?: string | null }): Promise<JobRecord | undefined> {
      ensureOpen();
      assertJobId(id);
      if (getOptions?.scope !== undefined) assertScope('scope', getOptions.scope);
      const entry = entries.get(id);
      if (entry === undefined || !isVisibleTo(entry.record, getOptions?.scope)) return undefined;
      return entry.record;
    },

    async list(query?: ListJobsQuery): Promise<JobPage> {
      ensureOpen();
      const normalized = normalizeListQuery(query);
      const position =
        normalized.cursor === undefined ? undefined : decodeListCursor(normalized.cursor);
      const { jobs, total, more } = index.page(normalized, position);
      const last = jobs[jobs.length - 1];
      return {
        jobs,
        total,
        nextCursor: more && last !== undefined ? encodeListCursor(last) : undefined,
      };
    },

    async transition(
      id: string,
      guard: TransitionGuard,
      patch: TransitionPatch,
    ): Promise<TransitionResult> {
      ensureOpen();
      validateTransition(id, guard, patch);
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

    async heartbeat(id, ownerToken, heartbeatOptions): Promise<HeartbeatResult> {
      ensureOpen();
      validateHeartbeat(id, ownerToken, heartbeatOptions);
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

    async requestCancel(id: string, reason?: string): Promise<JobRecord | undefined> {
      ensureOpen();
      assertJobId(id);
      if (reason !== undefined && typeof reason !== 'string')
        throw new InvalidArgumentError('Invalid reason: expected a string', {
          data: { field: 'reason' },
        });
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      const { record, changed } = applyCancelRequest(entry.record, reason, clock.now());
      if (!changed) return record;
      const stored = replace(entry, record);
      emitChanged(stored);
      return stored;
    },

    async reapExpired(reapOptions?: { now?: number }): Promise<JobRecord[]> {
      ensureOpen();
      if (reapOptions?.now !== undefined) assertFiniteNumber('now', reapOptions.now);
      const storeNow = clock.now();
      const now = reapOptions?.now ?? storeNow;
      const reaped: JobRecord[] = [];
      for (const entry of entries.values()) {
        if (!isLeaseExpired(entry.record, now)) continue;
        reaped.push(replace(entry, applyInterrupt(entry.record, storeNow)));
      }
      for (const record of reaped) emitChanged(record);
      return reaped;
    },

    async prune(pruneOptions?: PruneOptions): Promise<number> {
      ensureOpen();
      const normalized = normalizePruneOptions(pruneOptions);
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

    async appendOutput(
      id: string,
      stream: OutputStream,
      chunk: string,
      appendOptions?: AppendOutputOptions,
    ): Promise<void> {
      ensureOpen();
      assertJobId(id);
      assertOutputStream(stream);
      assertOutputChunk(chunk);
      const expectedOffset = normalizeAppendOutputOptions(appendOptions);
      const entry = entryOrThrow(id);
      const current = entry.output?.[stream]?.endOffset ?? 0;
      if (expectedOffset !== undefined && current !== expectedOffset)
        throw outputOffsetConflict(id, stream, expectedOffset, current);
      if (chunk.length === 0) return;
      const log = ((entry.output ??= {})[stream] ??= new OutputLog(maxOutputBytes));
      log.append(chunk);
      emit({ type: 'output', id });
      return;
    },

    async readOutput(
      id: string,
      stream: OutputStream,
      readOptions?: ReadOutputOptions,
    ): Promise<OutputChunk> {
      ensureOpen();
      assertJobId(id);
      assertOutputStream(stream);
      const { offset, maxBytes } = normalizeReadOutputOptions(readOptions);
      const entry = entryOrThrow(id);
      const log = entry.output?.[stream] ?? new OutputLog(maxOutputBytes);
      if (offset > log.endOffset)
        throw new InvalidArgumentError(
          `Invalid offset: ${offset} is past the end of ${stream} (${log.endOffset} bytes written)`,
          { data: { field: 'offset' } },
        );
      return log.read(offset, maxBytes);
    },

    async getCursor(id: string, name: string): Promise<number | undefined> {
      ensureOpen();
      assertJobId(id);
      validateCursor(name);
      return entryOrThrow(id).cursors?.get(name);
    },

    async setCursor(
      id: string,
      name: string,
      expected: number | undefined,
      next: number,
    ): Promise<boolean> {
      ensureOpen();
      assertJobId(id);
      validateCursor(name, expected);
      assertInteger('next', next, { min: 0 });
      const entry = entryOrThrow(id);
      if (entry.cursors?.get(name) !== expected) return false;
      (entry.cursors ??= new Map()).set(name, next);
      return true;
    },

    subscribe(
      listener: (event: JobEvent) => void,
      subscribeOptions?: SubscribeOptions,
    ): () => void {
      ensureOpen();
      return subscribers.add(listener, subscribeOptions);
    },

    async now(): Promise<number> {
      return clock.now();
    },

    async close(): Promise<void> {
      closed = true;
      subscribers.clear();
      return;
    },
  };
  return store;
}
