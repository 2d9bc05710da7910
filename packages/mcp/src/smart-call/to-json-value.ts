import { SaError } from '@sa/core';
import type { JsonValue } from '@sa/jobs';

/** Thrown inside the walk; the path is built on the way out, so the happy path builds no strings. */
class NotJson extends Error {
  readonly segments: string[] = [];
  constructor(readonly what: string) {
    super(what);
  }
}

/**
 * Converts a handler's result to plain JSON (honouring `toJSON`, dropping undefined object
 * members), or throws `NOT_SERIALIZABLE` naming where the value stops being JSON.
 */
export function toJsonValue(value: unknown): JsonValue {
  try {
    return convert(value, new Set());
  } catch (error) {
    if (!(error instanceof NotJson)) throw error;
    const path = `$${error.segments.reverse().join('')}`;
    throw new SaError('NOT_SERIALIZABLE', `The tool result is not JSON: ${path} is ${error.what}`, {
      data: { path },
    });
  }
}

function convert(value: unknown, seen: Set<object>): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw new NotJson(`the number ${String(value)}, which JSON cannot represent`);
    case 'bigint':
      throw new NotJson(`a bigint (${value.toString()}n); return it as a string or number`);
    case 'function':
    case 'symbol':
      throw new NotJson(`a ${typeof value}`);
    default:
      return convertObject(value, seen);
  }
}

function convertObject(value: object, seen: Set<object>): JsonValue {
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return convert((toJson as () => unknown).call(value), seen);
  if (value instanceof Map || value instanceof Set) {
    throw new NotJson(
      `a ${value instanceof Map ? 'Map' : 'Set'}; convert it to an array or object`,
    );
  }
  if (seen.has(value)) throw new NotJson('a circular reference');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const result: JsonValue[] = [];
      for (let index = 0; index < value.length; index++) {
        result.push(member(value[index], seen, index));
      }
      return result;
    }
    const result: { [key: string]: JsonValue } = {};
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) result[key] = member(item, seen, key);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}

function member(value: unknown, seen: Set<object>, key: string | number): JsonValue {
  try {
    return convert(value, seen);
  } catch (error) {
    if (error instanceof NotJson)
      error.segments.push(typeof key === 'number' ? `[${key}]` : `.${key}`);
    throw error;
  }
}
