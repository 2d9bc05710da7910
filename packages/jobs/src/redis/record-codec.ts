import { SaError } from '@sa/core';
import { parsedJobRecordSchema } from '../stored-record-schema';
import type { JobRecord } from '../job-record';

const recordFields = [
  'id',
  'label',
  'tool',
  'input',
  'status',
  'progress',
  'result',
  'error',
  'createdAt',
  'startedAt',
  'updatedAt',
  'finishedAt',
  'expiresAt',
  'owner',
  'leaseToken',
  'leaseExpiresAt',
  'cancelRequestedAt',
  'cancelReason',
  'scope',
  'idempotencyKey',
  'version',
] as const;

/**
 * Turns an HGETALL reply (`[field, value, ...]`, values as JSON text) into a checked
 * `JobRecord`; undefined for an empty reply. Throws `CORRUPT_RECORD` for a bad record.
 */
export function decodeRecord(reply: unknown, storeName: string): JobRecord | undefined {
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < reply.length; index += 2) {
    fields.set(String(reply[index]), String(reply[index + 1]));
  }
  const raw: Record<string, unknown> = {};
  try {
    for (const name of recordFields) {
      const text = fields.get(name);
      if (text !== undefined) raw[name] = JSON.parse(text);
    }
  } catch (error) {
    throw corrupt(storeName, fields.get('id'), error);
  }
  const parsed = parsedJobRecordSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(storeName, fields.get('id'), parsed.error);
  return parsed.data;
}

function corrupt(storeName: string, id: string | undefined, cause: unknown): SaError {
  return new SaError('CORRUPT_RECORD', `${storeName}: job record ${id ?? '(no id)'} is corrupt`, {
    cause,
  });
}

/** Encodes fields as `[name, JSON, ...]` pairs for HSET, skipping undefined values. */
export function encodeFields(values: Record<string, unknown>): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) pairs.push(name, JSON.stringify(value));
  }
  return pairs;
}
