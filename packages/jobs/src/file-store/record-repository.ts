import { statSync } from 'node:fs';
import { mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord } from '../job-record';
import type { JobEvent } from '../job-store';
import { createFileDurably, writeFileAtomically } from './durable-file';
import type { FileLocks } from './file-lock';
import { changedLine, type IndexLine } from './index-entry';
import type { IndexLog } from './index-log';
import { readLiveFile, writeLiveFile } from './live-file';
import { quarantineFile, readRecordFile } from './record-files';

/** The folders of a file store. */
export interface StorePaths {
  records: string;
  index: string;
  locks: string;
  keys: string;
  jobs: string;
  quarantine: string;
}

/** The folders of a file store rooted at `root`. */
export function storePaths(root: string): StorePaths {
  return {
    records: join(root, 'records'),
    index: join(root, 'index'),
    locks: join(root, 'locks'),
    keys: join(root, 'keys'),
    jobs: join(root, 'jobs'),
    quarantine: join(root, 'quarantine'),
  };
}

/** Options for `createRecordRepository`. */
export interface RecordRepositoryOptions {
  paths: StorePaths;
  locks: FileLocks;
  index: IndexLog;
  /** This store instance's id in index lines. */
  writer: string;
  emit: (event: JobEvent) => void;
  warn: (message: string) => void;
}

/** A record and the record file version it rests on (its live file may be newer). */
export interface LockedRecord {
  record: JobRecord;
  basedOn: number;
}

/** Reads, writes, quarantines and deletes record files, keeping the index and listeners told. */
export interface RecordRepository {
  /** Reads a record without its lock; a corrupt file is quarantined (taking the lock). */
  read(id: string): Promise<JobRecord | undefined>;
  /** Reads a record while the caller holds its lock; a corrupt file is quarantined. */
  readLocked(id: string): Promise<LockedRecord | undefined>;
  /** True when the record file exists (even if corrupt). */
  exists(id: string): Promise<boolean>;
  /**
   * Rewrites the record file (temp file, rename; fsynced with its folder when `durable`), then
   * appends its index line and emits `changed`. The caller holds the job's lock.
   */
  save(record: JobRecord, options: { durable: boolean }): Promise<void>;
  /**
   * Writes a new record's file durably (created under its name, the file and its folder fsynced
   * together), then appends its index line and emits `changed`. The caller holds the job's lock
   * and has checked the file does not exist (`EEXIST` rejects otherwise).
   */
  insert(record: JobRecord): Promise<void>;
  /**
   * Stores a heartbeat's state in the job's live file (one in-place write, not fsynced) on top
   * of record file version `basedOn`; announces it when `announce`. The caller holds the lock.
   */
  saveLive(record: JobRecord, basedOn: number, options: { announce: boolean }): Promise<void>;
  /** Deletes a record, its live file, output, cursors and key file; returns the index line to append. */
  remove(record: JobRecord, keyPath: string | undefined): Promise<IndexLine>;
  /** Creates the folders; makes the index agree with the record files (after a crash between the two). */
  open(): Promise<void>;
}

/** Creates the record repository of a file store. */
export function createRecordRepository(options: RecordRepositoryOptions): RecordRepository {
  const { paths, locks, index, writer } = options;
  const recordPath = (id: string) => join(paths.records, `${id}.json`);
  const livePath = (id: string) => join(paths.records, `${id}.live`);

  /** The record file, overlaid by the live file when that rests on the same version. */
  function readMerged(id: string): LockedRecord | 'missing' | { corrupt: string } {
    const read = readRecordFile(recordPath(id), id);
    if (read.kind === 'missing') return 'missing';
    if (read.kind === 'corrupt') return { corrupt: read.problem };
    const basedOn = read.record.version;
    const live = readLiveFile(livePath(id));
    if (live !== undefined && live.basedOn === basedOn && live.record.id === id) {
      return { record: live.record, basedOn };
    }
    return { record: read.record, basedOn };
  }

  async function readLocked(id: string): Promise<LockedRecord | undefined> {
    const read = readMerged(id);
    if (read === 'missing') return undefined;
    if ('record' in read) return read;
    const target = await quarantineFile(recordPath(id), paths.quarantine, id).catch(
      () => undefined,
    );
    await unlink(livePath(id)).catch(() => undefined);
    options.warn(
      `[@sa/jobs] file store: record ${id} is corrupt (${read.corrupt}); moved it to ${target ?? paths.quarantine} and serving the others`,
    );
    const known = index.entries.get(id);
    await index.append([
      { type: 'deleted', writer, id, version: known?.version ?? Number.MAX_SAFE_INTEGER },
    ]);
    options.emit({ type: 'deleted', id });
    return undefined;
  }

  async function read(id: string): Promise<JobRecord | undefined> {
    const result = readMerged(id);
    if (result === 'missing') return undefined;
    if ('record' in result) return result.record;
    return (await locks.withLock(id, () => readLocked(id)))?.record;
  }

  async function announce(record: JobRecord): Promise<void> {
    await index.append([changedLine(record, writer)]);
    options.emit({
      type: 'changed',
      id: record.id,
      status: record.status,
      version: record.version,
      cancelRequested: record.cancelRequestedAt !== null,
    });
  }

  return {
    read,
    readLocked,
    exists(id) {
      return Promise.resolve(statSync(recordPath(id), { throwIfNoEntry: false }) !== undefined);
    },
    async save(record, saveOptions) {
      await writeFileAtomically(recordPath(record.id), JSON.stringify(record), saveOptions);
      await announce(record);
    },
    async insert(record) {
      await createFileDurably(recordPath(record.id), JSON.stringify(record));
      await announce(record);
    },
    async saveLive(record, basedOn, saveOptions) {
      writeLiveFile(livePath(record.id), { basedOn, record });
      if (saveOptions.announce) await announce(record);
    },
    async remove(record, keyPath) {
      await unlink(recordPath(record.id)).catch(ignoreMissing);
      await unlink(livePath(record.id)).catch(ignoreMissing);
      await rm(join(paths.jobs, record.id), { recursive: true, force: true });
      if (keyPath !== undefined) await unlink(keyPath).catch(ignoreMissing);
      return { type: 'deleted', writer, id: record.id, version: record.version };
    },
    async open() {
      const folders: string[] = [paths.records, paths.index, paths.locks, paths.keys, paths.jobs];
      await Promise.all(folders.map((path) => mkdir(path, { recursive: true })));
      await index.refresh();
      const names = await readdir(paths.records);
      const present = new Set<string>();
      const lines: IndexLine[] = [];
      for (const name of names) {
        if (name.endsWith('.tmp')) {
          // A writer died between writing its temp file and renaming it.
          const info = await stat(join(paths.records, name)).catch(() => undefined);
          if (info && Date.now() - info.mtimeMs > 60_000) {
            await unlink(join(paths.records, name)).catch(() => undefined);
          }
          continue;
        }
        if (!name.endsWith('.json')) continue;
        const id = name.slice(0, -'.json'.length);
        present.add(id);
        if (index.entries.get(id)) continue;
        const record = await read(id);
        if (record) lines.push(changedLine(record, writer));
      }
      for (const entry of [...index.entries.values()]) {
        if (!present.has(entry.id)) {
          lines.push({ type: 'deleted', writer, id: entry.id, version: entry.version });
        }
      }
      await index.append(lines);
    },
  };
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
