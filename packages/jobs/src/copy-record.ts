import type { JobRecord } from './job-record';

/**
 * A shallow copy of a record as one fixed-shape object literal (fast, and V8 keeps every record
 * the same hidden class); nested values are shared, so callers replace them, never mutate them.
 */
export function withRecordFields(record: JobRecord, changes: Partial<JobRecord>): JobRecord {
  return Object.assign(snapshot(record), changes);
}

/** A shallow copy of a record as one fixed-shape object literal. */
export function snapshot(record: JobRecord): JobRecord {
  const next: JobRecord = {
    id: record.id,
    label: record.label,
    tool: record.tool,
    status: record.status,
    progress: record.progress,
    error: record.error,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    updatedAt: record.updatedAt,
    finishedAt: record.finishedAt,
    expiresAt: record.expiresAt,
    owner: record.owner,
    leaseToken: record.leaseToken,
    leaseExpiresAt: record.leaseExpiresAt,
    cancelRequestedAt: record.cancelRequestedAt,
    cancelReason: record.cancelReason,
    scope: record.scope,
    idempotencyKey: record.idempotencyKey,
    version: record.version,
  };
  if (record.input !== undefined) next.input = record.input;
  if (record.result !== undefined) next.result = record.result;
  return next;
}

/**
 * A copy of a stored record that shares nothing mutable with it: the top-level fields are
 * copied; input and result are shared when frozen (as stores keep them, see `cloneJson`) and
 * copied otherwise; progress, owner and error are shared because stores keep them frozen.
 */
export function copyRecord(record: JobRecord): JobRecord {
  const copy = snapshot(record);
  const { input, result } = record;
  if (input !== undefined && !Object.isFrozen(input)) copy.input = cloneJson(input);
  if (result !== undefined && !Object.isFrozen(result)) copy.result = cloneJson(result);
  return copy;
}

/**
 * A deep, frozen copy of a JSON value (validated as JSON when stored, so no cycles or class
 * instances). Frozen, so every record a store returns may share it instead of copying it again.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index++) copy[index] = cloneJson(value[index]);
    return Object.freeze(copy) as T;
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    const item = cloneJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = item;
  }
  return Object.freeze(copy) as T;
}
