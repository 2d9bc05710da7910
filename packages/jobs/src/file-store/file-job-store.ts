import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@sa/core';
import { createJobStore } from '../create-job-store';
import { createJobId } from '../ids';
import { isTerminalStatus, type JobRecord } from '../job-record';
import type { JobStore } from '../job-store';
import type { JobStoreBackend } from '../job-store-backend';
import { defaultMaxOutputBytes } from '../output-bounds';
import {
  applyCancelRequest,
  applyHeartbeat,
  applyTransition,
  buildNewRecord,
  checkTransitionGuard,
} from '../record-rules';
import { assertInteger } from '../validate-arguments';
import { createChangeFeed } from './change-feed';
import { writeFileAtomically } from './durable-file';
import type { FileJobStoreOptions } from './file-job-store-options';
import { createFileLocks } from './file-lock';
import type { IndexLine } from './index-entry';
import { createIndexLog } from './index-log';
import { listPage } from './list-page';
import { pruneJobs, reapJobs } from './maintenance';
import { appendToOutput, readFromOutput } from './output-files';
import { createRecordRepository, storePaths } from './record-repository';
import { assertSafeName } from './safe-name';

/**
 * Creates the durable embedded job store: one JSON file per job, written through a temp file,
 * fsync, rename and directory fsync before a status change resolves; a lock file per job makes
 * read-modify-write safe across processes; an append-only index log keeps listing fast.
 *
 * @example
 * const store = createFileJobStore({ directory: '/var/lib/my-server/jobs' });
 * const job = await store.create({ label: 'build', tool: 'make', status: 'pending', scope: null, owner: null, leaseToken: null });
 */
export function createFileJobStore(options: FileJobStoreOptions): JobStore {
  if (typeof options?.directory !== 'string' || options.directory === '') {
    throw new InvalidArgumentError('Invalid directory: expected a non-empty path', {
      data: { field: 'directory' },
    });
  }
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  assertInteger('maxOutputBytes', maxOutputBytes, { min: 4 });
  const root = resolve(options.directory);
  const paths = storePaths(root);
  const clock = options.clock ?? { now: () => Date.now() };
  const warn = (message: string) => (options.logger ?? console).warn(message);
  const writer = randomBytes(8).toString('hex');
  const locks = createFileLocks({ directory: paths.locks, timeoutMs: options.lockTimeoutMs });
  const index = createIndexLog({ directory: paths.index, writer, locks, onLine: onIndexLine });
  const feed = createChangeFeed({
    watchDirectory: paths.index,
    pull: () => index.refresh(),
    pollIntervalMs: options.pollIntervalMs ?? 250,
    warn,
  });
  const records = createRecordRepository({
    paths,
    locks,
    index,
    writer,
    emit: (event) => feed.emit(event),
    warn,
  });
  const inFlight = new Set<Promise<unknown>>();
  const ready = records.open();
  ready.catch(() => undefined);

  /** Other processes' index lines become change hints for this process's listeners. */
  function onIndexLine(line: IndexLine): void {
    if (line.writer === writer) return;
    if (line.type === 'changed') {
      feed.emit({
        type: 'changed',
        id: line.id,
        status: line.status,
        version: line.version,
        cancelRequested: line.cancelRequested,
      });
    } else {
      feed.emit({ type: line.type, id: line.id });
    }
  }

  /** Runs an operation once the store is open; `close` waits for the operations in flight. */
  function operation<T>(action: () => Promise<T>): Promise<T> {
    const run = ready.then(action);
    inFlight.add(run);
    const forget = () => inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  function checkId(id: string): void {
    assertSafeName(id, 'id');
  }

  const keyPath = (key: string) =>
    join(paths.keys, `${createHash('sha256').update(key).digest('base64url')}.json`);
  const cursorsPath = (id: string) => join(paths.jobs, id, 'cursors.json');

  async function insert(record: JobRecord): Promise<JobRecord> {
    return locks.withLock(record.id, async () => {
      if (await records.exists(record.id))
        throw new ConflictError(`A job with id ${record.id} already exists`);
      try {
        await records.insert(record);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST')
          throw new ConflictError(`A job with id ${record.id} already exists`);
        throw error;
      }
      return record;
    });
  }

  /** A job's stored cursors (a small file: read synchronously, like records). */
  function readCursors(id: string): Record<string, number> {
    try {
      return JSON.parse(readFileSync(cursorsPath(id), 'utf8')) as Record<string, number>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      warn(
        `[@sa/jobs] file store: the cursors of job ${id} were unreadable (${String(error)}); they start over`,
      );
      return {};
    }
  }

  async function existingOrThrow(id: string): Promise<void> {
    if (!(await records.exists(id))) throw new NotFoundError(`Job ${id} not found`);
  }

  const backend: JobStoreBackend = {
    name: `file:${root}`,

    create: (job, key) =>
      operation(async () => {
        const id = job.id ?? createJobId();
        assertSafeName(id, 'id');
        const record = buildNewRecord(job, { id, now: clock.now(), idempotencyKey: key });
        if (key === undefined) return insert(record);
        const path = keyPath(key);
        return locks.withLock(
          `key-${path.slice(paths.keys.length + 1, -'.json'.length)}`,
          async () => {
            const known = await readFile(path, 'utf8').then(
              (text) => (JSON.parse(text) as { id?: unknown }).id,
              () => undefined,
            );
            const existing =
              typeof known === 'string' && /^[A-Za-z0-9_-]+$/.test(known)
                ? await records.read(known)
                : undefined;
            if (existing) {
              if (existing.scope !== job.scope)
                throw new ConflictError(`Idempotency key ${key} belongs to a job of another scope`);
              return existing;
            }
            // The key file first: a crash before the record leaves a key to a missing job (ignored).
            await writeFileAtomically(path, JSON.stringify({ id, key }), { durable: true });
            return insert(record);
          },
        );
      }),

    read: (id) =>
      operation(async () => {
        checkId(id);
        const record = await records.read(id);
        return record === undefined ? undefined : { record, now: clock.now() };
      }),

    list: (query) => operation(() => listPage({ index, records }, query)),

    transition: (id, guard, patch) =>
      operation(async () => {
        checkId(id);
        return locks.withLock(id, async () => {
          const current = (await records.readLocked(id))?.record;
          if (!current)
            return { ok: false as const, reason: 'not_found' as const, current: undefined };
          const failure = checkTransitionGuard(current, guard, patch);
          if (failure !== undefined) return { ok: false as const, reason: failure, current };
          const next = applyTransition(current, patch, clock.now());
          // Status changes are fsynced; a progress-only change need only be atomic.
          await records.save(next, {
            durable: next.status !== current.status || patch.result !== undefined,
          });
          return { ok: true as const, record: next };
        });
      }),

    heartbeat: (id, ownerToken, heartbeatOptions) =>
      operation(async () => {
        checkId(id);
        return locks.withLock(id, async () => {
          const locked = await records.readLocked(id);
          if (!locked) return { ok: false, cancelRequested: false, record: undefined };
          const current = locked.record;
          const cancelRequested = current.cancelRequestedAt !== null;
          if (current.leaseToken !== ownerToken || isTerminalStatus(current.status)) {
            return { ok: false, cancelRequested, record: current };
          }
          const { record, changed } = applyHeartbeat(current, heartbeatOptions, clock.now());
          // A heartbeat is one in-place write of the live file: no fsync, no new file, no rename.
          await records.saveLive(record, locked.basedOn, { announce: changed });
          return { ok: true, cancelRequested, record };
        });
      }),

    requestCancel: (id, reason) =>
      operation(async () => {
        checkId(id);
        return locks.withLock(id, async () => {
          const current = (await records.readLocked(id))?.record;
          if (!current) return undefined;
          const { record, changed } = applyCancelRequest(current, reason, clock.now());
          if (changed) await records.save(record, { durable: true });
          return record;
        });
      }),

    reapExpired: (reapOptions) =>
      operation(() => reapJobs({ index, locks, records, clock }, reapOptions)),

    prune: (pruneOptions) =>
      operation(() =>
        pruneJobs(
          { index, locks, records, clock, paths, keyPath, emit: (event) => feed.emit(event) },
          pruneOptions,
        ),
      ),

    appendOutput: (id, stream, chunk, expectedOffset) =>
      operation(async () => {
        checkId(id);
        await existingOrThrow(id);
        if (chunk.length === 0 && expectedOffset === undefined) return;
        await locks.withLock(`${id}.${stream}`, () =>
          appendToOutput(join(paths.jobs, id), stream, chunk, { maxOutputBytes, expectedOffset }),
        );
        if (chunk.length === 0) return;
        await index.append([{ type: 'output', writer, id, stream }]);
        feed.emit({ type: 'output', id });
      }),

    readOutput: (id, stream, { offset, maxBytes }) =>
      operation(async () => {
        checkId(id);
        await existingOrThrow(id);
        return readFromOutput(join(paths.jobs, id), stream, { offset, maxBytes, maxOutputBytes });
      }),

    getCursor: (id, name) =>
      operation(async () => {
        checkId(id);
        await existingOrThrow(id);
        return readCursors(id)[name];
      }),

    setCursor: (id, name, expected, next) =>
      operation(async () => {
        checkId(id);
        return locks.withLock(`${id}.cursors`, async () => {
          await existingOrThrow(id);
          const cursors = readCursors(id);
          if (cursors[name] !== expected) return false;
          cursors[name] = next;
          mkdirSync(join(paths.jobs, id), { recursive: true });
          await writeFileAtomically(cursorsPath(id), JSON.stringify(cursors), { durable: false });
          return true;
        });
      }),

    subscribe: (listener, subscribeOptions) => feed.subscribe(listener, subscribeOptions),

    now: () => Promise.resolve(clock.now()),

    async close() {
      feed.close();
      await Promise.allSettled([...inFlight]);
      await ready.catch(() => undefined);
      await index.close();
      await locks.close();
    },
  };
  return createJobStore(backend);
}
