import { InvalidArgumentError } from '@sa/core';
import type { JobRecord } from './job-record';

/** Where a page ended: the last record's sort key. */
export interface ListPosition {
  createdAt: number;
  id: string;
}

/** Encodes the position after `record` as an opaque cursor. */
export function encodeListCursor(record: Pick<JobRecord, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([record.createdAt, record.id])).toString('base64url');
}

/** Decodes a cursor from `encodeListCursor`; throws `InvalidArgumentError` naming `cursor`. */
export function decodeListCursor(cursor: string): ListPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'number' &&
      Number.isFinite(value[0]) &&
      typeof value[1] === 'string'
    )
      return { createdAt: value[0], id: value[1] };
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidArgumentError(
    'Invalid cursor: not a cursor from a previous page of this list (pass nextCursor back unchanged)',
    { data: { field: 'cursor' } },
  );
}

/** True when `record` comes after `position` in newest-first order. */
export function isAfterPosition(record: JobRecord, position: ListPosition): boolean {
  if (record.createdAt !== position.createdAt) return record.createdAt < position.createdAt;
  return record.id < position.id;
}
