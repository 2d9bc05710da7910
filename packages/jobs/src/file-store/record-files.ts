import { readFileSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord } from '../job-record';
import { parsedJobRecordSchema } from '../stored-record-schema';

/** What reading a record file found. */
export type RecordRead =
  { kind: 'found'; record: JobRecord } | { kind: 'missing' } | { kind: 'corrupt'; problem: string };

/**
 * Reads and validates one record file. Never throws for a missing or corrupt file. The read is
 * synchronous on purpose: a record is a small file in the page cache, read in microseconds,
 * where an async read costs ten times more in thread-pool round trips.
 */
export function readRecordFile(path: string, id: string): RecordRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'corrupt', problem: 'is a directory' };
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      kind: 'corrupt',
      problem: `not JSON (${text.length} bytes): ${(error as Error).message}`,
    };
  }
  const parsed = parsedJobRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'corrupt',
      problem:
        `not a job record: ${issue?.path.map(String).join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    };
  }
  if (parsed.data.id !== id)
    return { kind: 'corrupt', problem: `holds job ${parsed.data.id}, not ${id}` };
  return { kind: 'found', record: parsed.data };
}

/** Moves a bad record file into `quarantineDirectory` (kept for inspection); returns the new path. */
export async function quarantineFile(
  path: string,
  quarantineDirectory: string,
  id: string,
): Promise<string> {
  await mkdir(quarantineDirectory, { recursive: true });
  const target = join(quarantineDirectory, `${id}.${Date.now()}.${process.pid}.json`);
  await rename(path, target);
  return target;
}
