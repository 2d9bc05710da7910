import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { JobRecord } from '../job-record';
import { parsedJobRecordSchema } from '../stored-record-schema';

/**
 * The live file of a job holds its latest heartbeat state (lease and progress) on top of the
 * record file: `<sha1> <json>\n`, overwritten in place (no new inode, no rename), so a
 * heartbeat costs one small write. It counts only while `basedOn` equals the record file's
 * version: any rewrite of the record file (which always bumps the version) makes it stale.
 * A torn live file (crash, or a reader racing the write) fails its checksum and is ignored.
 */
export interface LiveState {
  /** The version of the record file this state was derived from. */
  basedOn: number;
  record: JobRecord;
}

/**
 * Overwrites the live file in place (creating it on first use). Not fsynced: heartbeats need
 * not be durable. Synchronous on purpose: one small write to the page cache, microseconds.
 */
export function writeLiveFile(path: string, state: LiveState): void {
  const json = JSON.stringify(state);
  const line = `${createHash('sha1').update(json).digest('hex')} ${json}\n`;
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    descriptor = openSync(path, 'w');
  }
  try {
    writeSync(descriptor, line, 0);
  } finally {
    closeSync(descriptor);
  }
}

/** Reads the live file; undefined when absent or torn (after a few retries for a racing write). */
export function readLiveFile(path: string): LiveState | undefined {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const state = parseLive(text);
    if (state) return state;
  }
  return undefined;
}

function parseLive(text: string): LiveState | undefined {
  const end = text.indexOf('\n');
  const space = text.indexOf(' ');
  if (end === -1 || space !== 40) return undefined;
  const json = text.slice(space + 1, end);
  if (createHash('sha1').update(json).digest('hex') !== text.slice(0, space)) return undefined;
  try {
    const value = JSON.parse(json) as { basedOn?: unknown; record?: unknown };
    const record = parsedJobRecordSchema.safeParse(value.record);
    if (typeof value.basedOn !== 'number' || !record.success) return undefined;
    return { basedOn: value.basedOn, record: record.data };
  } catch {
    return undefined;
  }
}
