import type { JsonValue } from '../job-record';

/** A result turned into plain JSON, or why it cannot be. */
export type JsonResult = { ok: true; value: JsonValue } | { ok: false; problem: string };

/**
 * Turns a work's result into plain JSON without losing data silently: `undefined` becomes
 * `null`, objects with `toJSON` (Date) use it, undefined object properties are left out (as
 * `JSON.stringify` does); BigInt, functions, symbols, NaN/Infinity, cycles, Map/Set and other
 * class instances are refused with a path to the bad value.
 */
export function toJsonResult(value: unknown): JsonResult {
  try {
    return { ok: true, value: convert(value === undefined ? null : value, '$', new Set()) };
  } catch (error) {
    if (error instanceof NotJsonError) return { ok: false, problem: error.message };
    throw error;
  }
}

class NotJsonError extends Error {}

function convert(value: unknown, path: string, seen: Set<object>): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new NotJsonError(`${path} is ${String(value)}, which JSON cannot hold`);
  }
  if (typeof value === 'bigint')
    throw new NotJsonError(`${path} is a BigInt, which JSON cannot hold`);
  if (typeof value !== 'object')
    throw new NotJsonError(`${path} is a ${typeof value}, which JSON cannot hold`);
  if (seen.has(value)) throw new NotJsonError(`${path} is a circular reference`);
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') {
    seen.add(value);
    try {
      return convert((toJson as (key: string) => unknown).call(value, ''), path, seen);
    } finally {
      seen.delete(value);
    }
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item: unknown, index) => {
        if (item === undefined) throw new NotJsonError(`${path}[${index}] is undefined`);
        return convert(item, `${path}[${index}]`, seen);
      });
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new NotJsonError(
        `${path} is a ${name}, which JSON would turn into {} and lose its data`,
      );
    }
    const result: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      result[key] = convert(item, `${path}.${key}`, seen);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}
