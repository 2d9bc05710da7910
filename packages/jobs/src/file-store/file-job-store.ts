import { randomBytes, createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ClosedError, ConflictError, InvalidArgumentError, NotFoundError } from '@sa/core';
import { isTerminalStatus, type JobRecord } from '../job-record';
import type {
  CreateJobOptions,
  HeartbeatResult,
  JobEvent,
  JobPage,
  JobStore,
  NewJob,
  OutputChunk,
  OutputStream,
  PruneOptions,
  ReadOutputOptions,
  TransitionGuard,
  TransitionPatch,
  TransitionResult,
} from '../job-store';
import { createChangeFeed } from './change-feed';
import { writeFileAtomically, syncDirectory } from './durable-file';
import type { FileJobStoreOptions } from './file-job-store-options';
import { createFileLocks } from './file-lock';
import { changedLine, type IndexLine } from './index-entry';
import { createIndexLog } from './index-log';
import { encodeCursor, matchesQuery, parseListQuery } from './list-query';
import { appendToOutput, readFromOutput } from './output-log';
import { isProcessKnownDead } from './process-liveness';
import { quarantineFile, readRecordFile } from './record-files';
import { applyTransition, buildNewRecord, validateRecord } from './record-rules';
import { assertSafeName, createJobId } from './safe-name';

/**
 * Creates the durable embedded job store: one JSON file per job, written through a temp file,
 * fsync, rename and directory fsync before a status change resolves; a per-job lock file makes
 * read-modify-write safe across processes; an append-only index log keeps listing fast.
 *
 * @example
 * const store = createFileJobStore({ directory: '/var/lib/my-server/jobs' });
 * const job = await store.create({ label: 'build', tool: 'make', status: 'pending', scope: null, owner: null, leaseToken: null });
 */
export function createFileJobStore(options: FileJobStoreOptions): JobStore {
  if (typeof options?.directory !== 'string' || options.directory === '') {
    throw new InvalidArgumentError('createFileJobStore: directory must be a non-empty path');
  }
  const maxOutputBytes = options.maxOutputBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxOutputBytes) || maxOutputBytes < 1) {
    throw new InvalidArgumentError(`createFileJobStore: maxOutputBytes must be a positive integer (got ${String(maxOutputBytes)})`);
  }
  const root = resolve(options.directory);
  const paths = {
    records: join(root, 'records'),
    index: join(root, 'index'),
    locks: join(root, 'locks'),
    keys: join(root, 'keys'),
    jobs: join(root, 'jobs'),
    quarantine: join(root, 'quarantine'),
  };
  const clock = options.clock ?? { now: () => Date.now() };
  const logger = options.logger ?? { warn: (message: string) => console.warn(message) };
  const writer = randomBytes(8).toString('hex');
  const locks = createFileLocks({ directory: paths.locks, timeoutMs: options.lockTimeoutMs });
  const index = createIndexLog({ directory: paths.index, writer, locks, onLine: onIndexLine });
  const feed = createChangeFeed({
    watchDirectory: paths.index,
    pull: () => index.refresh(),
    pollIntervalMs: options.pollIntervalMs ?? 250,
    warn: (message) => logger.warn(message),
  });
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  const ready = open();
  ready.catch(() => undefined);

  async function open(): Promise<void> {
    await Promise.all(Object.values(paths).map((path) => mkdir(path, { recursive: true })));
    await index.refresh();
    await reconcile();
  }

  /** Makes the index agree with the record files (a crash may fall between a write and its line). */
  async function reconcile(): Promise<void> {
    const names = await readdir(paths.records);
    const present = new Set<string>();
    const lines: IndexLine[] = [];
    for (const name of names) {
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        const age = Date.now() - (await stat(join(paths.records, name)).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        if (age > 60_000) await unlink(join(paths.records, name)).catch(() => undefined);
        continue;
      }
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      present.add(id);
      if (index.entries.get(id)) continue;
      const record = await readRecord(id);
      if (record) lines.push(changedLine(record, writer));
    }
    for (const entry of [...index.entries.values()]) {
      if (!present.has(entry.id)) lines.push({ type: 'deleted', writer, id: entry.id, version: entry.version });
    }
    await index.append(lines);
  }

  function onIndexLine(line: IndexLine): void {
    if (line.writer === writer) return;
    if (line.type === 'changed') {
      feed.emit({ type: 'changed', id: line.id, status: line.status, version: line.version, cancelRequested: line.cancelRequested });
    } else if (line.type === 'deleted') {
      feed.emit({ type: 'deleted', id: line.id });
    } else {
      feed.emit({ type: 'output', id: line.id });
    }
  }

  /** Runs a public operation: waits for the store to open, refuses after close, tracks it for close. */
  function operation<T>(action: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new ClosedError(`file store ${root} is closed`));
    const run = ready.then(action);
    inFlight.add(run);
    const forget = () => inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  function recordPath(id: string): string {
    return join(paths.records, `${id}.json`);
  }

  /** Reads a record; a corrupt file is quarantined (under the job's lock) and reads as absent. */
  async function readRecord(id: string): Promise<JobRecord | undefined> {
    const read = await readRecordFile(recordPath(id), id);
    if (read.kind === 'found') return read.record;
    if (read.kind === 'missing') return undefined;
    return locks.withLock(id, () => readLocked(id));
  }

  /** Reads a record while holding its lock, quarantining it when corrupt. */
  async function readLocked(id: string): Promise<JobRecord | undefined> {
    const read = await readRecordFile(recordPath(id), id);
    if (read.kind === 'found') return read.record;
    if (read.kind === 'missing') return undefined;
    const target = await quarantineFile(recordPath(id), paths.quarantine, id).catch(() => undefined);
    logger.warn(`file store: record ${id} is corrupt (${read.problem}); moved it to ${target ?? 'quarantine'}, serving the others`);
    const known = index.entries.get(id);
    await index.append([{ type: 'deleted', writer, id, version: known?.version ?? Number.MAX_SAFE_INTEGER }]);
    feed.emit({ type: 'deleted', id });
    return undefined;
  }

  /** Writes a record (durably for status changes), announces it in the index and to listeners. */
  async function saveRecord(record: JobRecord, durable: boolean): Promise<void> {
    await writeFileAtomically(recordPath(record.id), JSON.stringify(record), { durable });
    await index.append([changedLine(record, writer)]);
    feed.emit({
      type: 'changed',
      id: record.id,
      status: record.status,
      version: record.version,
      cancelRequested: record.cancelRequestedAt !== null,
    });
  }

  async function insert(job: NewJob, id: string, idempotencyKey: string | undefined): Promise<JobRecord> {
    const record = buildNewRecord(job, { id, now: clock.now(), idempotencyKey });
    return locks.withLock(id, async () => {
      const existing = await readRecordFile(recordPath(id), id);
      if (existing.kind !== 'missing') throw new ConflictError(`a job with id ${id} already exists`);
      await saveRecord(record, true);
      return record;
    });
  }

  async function deleteJob(record: JobRecord): Promise<void> {
    await unlink(recordPath(record.id)).catch(ignoreMissing);
    await rm(join(paths.jobs, record.id), { recursive: true, force: true });
    if (record.idempotencyKey !== null) {
      await unlink(join(paths.keys, `${hashKey(record.idempotencyKey)}.json`)).catch(ignoreMissing);
    }
  }

  const store: JobStore = {
    name: `file:${root}`,

    create(job: NewJob, createOptions?: CreateJobOptions) {
      return operation(async () => {
        const id = job?.id ?? createJobId();
        assertSafeName(id, 'job.id');
        const key = createOptions?.idempotencyKey;
        if (key === undefined) return insert(job, id, undefined);
        if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('idempotencyKey must be a non-empty string');
        const keyHash = hashKey(key);
        return locks.withLock(`key-${keyHash}`, async () => {
          const keyPath = join(paths.keys, `${keyHash}.json`);
          const known = await readFile(keyPath, 'utf8').then(
            (text) => (JSON.parse(text) as { id: string }).id,
            () => undefined,
          );
          if (known !== undefined) {
            const existing = await readRecord(known);
            if (existing) return existing;
          }
          await writeFileAtomically(keyPath, JSON.stringify({ id, key }), { durable: true });
          return insert(job, id, key);
        });
      });
    },

    get(id, getOptions) {
      return operation(async () => {
        assertSafeName(id, 'id');
        const record = await readRecord(id);
        if (!record) return undefined;
        const scope = getOptions?.scope;
        if (scope !== undefined && record.scope !== null && record.scope !== scope) return undefined;
        return record;
      });
    },

    list(query) {
      return operation(async (): Promise<JobPage> => {
        const parsed = parseListQuery(query);
        await index.refresh();
        let total = 0;
        const candidates: string[] = [];
        let pastCursor = parsed.after === undefined;
        for (const entry of index.entries.from(undefined)) {
          if (!matchesQuery(entry, parsed)) continue;
          total += 1;
          if (!pastCursor) {
            pastCursor = entry.createdAt < parsed.after!.createdAt || (entry.createdAt === parsed.after!.createdAt && entry.id < parsed.after!.id);
          }
          if (pastCursor) candidates.push(entry.id);
        }
        const jobs: JobRecord[] = [];
        let at = 0;
        while (jobs.length < parsed.limit && at < candidates.length) {
          const batch = candidates.slice(at, at + parsed.limit - jobs.length);
          at += batch.length;
          const records = await Promise.all(batch.map((id) => readRecord(id)));
          for (const record of records) {
            if (record && matchesQuery(record, parsed)) jobs.push(record);
            else total -= 1; // The index was behind: deleted or changed meanwhile.
          }
        }
        const last = jobs.at(-1);
        const nextCursor = last !== undefined && at < candidates.length ? encodeCursor(last) : undefined;
        return { jobs, total: Math.max(total, jobs.length), nextCursor };
      });
    },

    transition(id: string, guard: TransitionGuard, patch: TransitionPatch) {
      return operation(async (): Promise<TransitionResult> => {
        assertSafeName(id, 'id');
        if (typeof guard !== 'object' || guard === null || guard.from === undefined) {
          throw new InvalidArgumentError('transition: guard.from is required');
        }
        return locks.withLock(id, async () => {
          const current = await readLocked(id);
          const result = applyTransition(current, guard, patch ?? {}, clock.now());
          if (result.ok) await saveRecord(result.record, result.record.status !== current?.status);
          return result;
        });
      });
    },

    heartbeat(id, ownerToken, heartbeatOptions) {
      return operation(async (): Promise<HeartbeatResult> => {
        assertSafeName(id, 'id');
        const leaseMs = heartbeatOptions?.leaseMs;
        if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs < 0) {
          throw new InvalidArgumentError(`heartbeat: leaseMs must be a finite number >= 0 (got ${String(leaseMs)})`);
        }
        return locks.withLock(id, async () => {
          const current = await readLocked(id);
          if (!current) return { ok: false, cancelRequested: false, record: undefined };
          const cancelRequested = current.cancelRequestedAt !== null;
          if (current.status !== 'running' || current.leaseToken !== ownerToken) {
            return { ok: false, cancelRequested, record: current };
          }
          const now = clock.now();
          const next = validateRecord(
            {
              ...current,
              leaseExpiresAt: now + leaseMs,
              progress: heartbeatOptions.progress === undefined ? current.progress : heartbeatOptions.progress,
              updatedAt: now,
              version: current.version + 1,
            },
            'heartbeat',
          );
          await saveRecord(next, false);
          return { ok: true, cancelRequested, record: next };
        });
      });
    },

    requestCancel(id, reason) {
      return operation(async () => {
        assertSafeName(id, 'id');
        if (reason !== undefined && typeof reason !== 'string') throw new InvalidArgumentError('requestCancel: reason must be a string');
        return locks.withLock(id, async () => {
          const current = await readLocked(id);
          if (!current || isTerminalStatus(current.status)) return current;
          if (current.status === 'running' && current.cancelRequestedAt !== null) return current;
          const now = clock.now();
          const next: JobRecord = {
            ...current,
            cancelRequestedAt: current.cancelRequestedAt ?? now,
            cancelReason: current.cancelReason ?? reason ?? null,
            updatedAt: now,
            version: current.version + 1,
          };
          if (current.status === 'pending') {
            next.status = 'cancelled';
            next.finishedAt = now;
            next.leaseExpiresAt = null;
            next.error = { code: 'CANCELLED', message: reason ?? 'Cancelled before it started' };
          }
          await saveRecord(next, true);
          return next;
        });
      });
    },

    reapExpired(reapOptions) {
      return operation(async () => {
        await index.refresh();
        const reaped: JobRecord[] = [];
        const candidates = [...index.entries.values()].filter((entry) => !isTerminalStatus(entry.status)).map((entry) => entry.id);
        for (const id of candidates) {
          const record = await locks.withLock(id, async () => {
            const current = await readLocked(id);
            if (!current || isTerminalStatus(current.status)) return undefined;
            const now = reapOptions?.now ?? clock.now();
            const leaseOver = current.leaseExpiresAt !== null && current.leaseExpiresAt <= now;
            const ownerDead = current.owner !== null && isProcessKnownDead(current.owner.pid, current.owner.host);
            if (!leaseOver && !ownerDead) return undefined;
            const message = ownerDead
              ? `Owner process ${current.owner!.pid} on ${current.owner!.host} is gone`
              : 'The owner lease expired';
            const next: JobRecord = {
              ...current,
              status: 'interrupted',
              error: { code: 'INTERRUPTED', message },
              finishedAt: now,
              leaseExpiresAt: null,
              updatedAt: now,
              version: current.version + 1,
            };
            await saveRecord(next, true);
            return next;
          });
          if (record) reaped.push(record);
        }
        return reaped;
      });
    },

    prune(pruneOptions: PruneOptions = {}) {
      return operation(async () => {
        const statuses = new Set(pruneOptions.statuses ?? ['completed', 'failed', 'cancelled', 'interrupted']);
        statuses.delete('running');
        const batchSize = pruneOptions.batchSize ?? 500;
        if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`prune: batchSize must be a positive integer (got ${String(batchSize)})`);
        const now = clock.now();
        const eligible = (record: { status: JobRecord['status']; scope: string | null; finishedAt: number | null; createdAt: number; expiresAt: number | null }) => {
          if (!statuses.has(record.status)) return false;
          if (pruneOptions.scope !== undefined && record.scope !== pruneOptions.scope) return false;
          const old = pruneOptions.olderThan !== undefined && (record.finishedAt ?? record.createdAt) < pruneOptions.olderThan;
          const expired = pruneOptions.expired === true && isTerminalStatus(record.status) && record.expiresAt !== null && record.expiresAt <= now;
          if (pruneOptions.olderThan === undefined && pruneOptions.expired !== true) return true;
          return old || expired;
        };
        await index.refresh();
        const candidates = [...index.entries.values()].filter(eligible).map((entry) => entry.id);
        let deleted = 0;
        for (let start = 0; start < candidates.length; start += batchSize) {
          const lines: IndexLine[] = [];
          for (const id of candidates.slice(start, start + batchSize)) {
            await locks.withLock(id, async () => {
              const current = await readLocked(id);
              if (!current || current.status === 'running' || !eligible(current)) return;
              await deleteJob(current);
              lines.push({ type: 'deleted', writer, id, version: current.version });
              deleted += 1;
            });
          }
          await syncDirectory(paths.records);
          await index.append(lines);
          for (const line of lines) feed.emit({ type: 'deleted', id: line.id });
        }
        return deleted;
      });
    },

    appendOutput(id: string, stream: OutputStream, chunk: string) {
      return operation(async () => {
        assertSafeName(id, 'id');
        assertStream(stream);
        if (typeof chunk !== 'string') throw new InvalidArgumentError('appendOutput: chunk must be a string');
        if (!(await exists(recordPath(id)))) throw new NotFoundError(`job ${id} not found`);
        await locks.withLock(`${id}.${stream}`, () => appendToOutput(join(paths.jobs, id), stream, chunk, { maxOutputBytes }));
        await index.append([{ type: 'output', writer, id, stream }]);
        feed.emit({ type: 'output', id });
      });
    },

    readOutput(id: string, stream: OutputStream, readOptions?: ReadOutputOptions) {
      return operation(async (): Promise<OutputChunk> => {
        assertSafeName(id, 'id');
        assertStream(stream);
        const offset = readOptions?.offset ?? 0;
        const maxBytes = readOptions?.maxBytes ?? 1024 * 1024;
        if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidArgumentError(`readOutput: offset must be an integer >= 0 (got ${String(offset)})`);
        if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new InvalidArgumentError(`readOutput: maxBytes must be an integer >= 1 (got ${String(maxBytes)})`);
        return readFromOutput(join(paths.jobs, id), stream, { offset, maxBytes, maxOutputBytes });
      });
    },

    getCursor(id, name) {
      return operation(async () => {
        assertSafeName(id, 'id');
        assertCursorName(name);
        return (await readCursors(id))[name];
      });
    },

    setCursor(id, name, expected, next) {
      return operation(async () => {
        assertSafeName(id, 'id');
        assertCursorName(name);
        if (!Number.isFinite(next) || next < 0) throw new InvalidArgumentError(`setCursor: next must be a finite number >= 0 (got ${String(next)})`);
        return locks.withLock(`${id}.cursors`, async () => {
          if (!(await exists(recordPath(id)))) throw new NotFoundError(`job ${id} not found`);
          const cursors = await readCursors(id);
          if (cursors[name] !== expected) return false;
          cursors[name] = next;
          await mkdir(join(paths.jobs, id), { recursive: true });
          await writeFileAtomically(join(paths.jobs, id, 'cursors.json'), JSON.stringify(cursors), { durable: false });
          return true;
        });
      });
    },

    subscribe(listener: (event: JobEvent) => void, subscribeOptions) {
      if (typeof listener !== 'function') throw new InvalidArgumentError('subscribe: listener must be a function');
      if (subscribeOptions?.id !== undefined) assertSafeName(subscribeOptions.id, 'id');
      return feed.subscribe(listener, subscribeOptions);
    },

    now() {
      return Promise.resolve(clock.now());
    },

    async close() {
      if (closed) return;
      closed = true;
      feed.close();
      await Promise.allSettled([...inFlight]);
      await ready.catch(() => undefined);
      await index.close();
    },
  };

  async function readCursors(id: string): Promise<Record<string, number>> {
    try {
      return JSON.parse(await readFile(join(paths.jobs, id, 'cursors.json'), 'utf8')) as Record<string, number>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      logger.warn(`file store: cursors of job ${id} were unreadable (${String(error)}); starting over`);
      return {};
    }
  }

  return store;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

function assertStream(stream: unknown): asserts stream is OutputStream {
  if (stream !== 'stdout' && stream !== 'stderr') {
    throw new InvalidArgumentError(`stream must be "stdout" or "stderr" (got ${JSON.stringify(stream)})`);
  }
}

function assertCursorName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || name.length > 200) {
    throw new InvalidArgumentError('cursor name must be a non-empty string of at most 200 characters');
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
