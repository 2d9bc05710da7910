import { SaError } from '@sa/core';
import type { JsonValue } from '@sa/jobs';

/**
 * Converts a handler's result to plain JSON (honouring `toJSON`, dropping undefined object
 * members), or throws `NOT_SERIALIZABLE` naming where the value stops being JSON.
 */
export function toJsonValue(value: unknown): JsonValue {
  return convert(value, '$', new Set());
}

function convert(value: unknown, path: string, seen: Set<object>): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      return fail(path, `the number ${String(value)}, which JSON cannot represent`);
    case 'bigint':
      return fail(path, `a bigint (${value.toString()}n); return it as a string or number`);
    case 'function':
    case 'symbol':
      return fail(path, `a ${typeof value}`);
    default:
      return convertObject(value, path, seen);
  }
}

function convertObject(value: object, path: string, seen: Set<object>): JsonValue {
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') {
    return convert((toJson as () => unknown).call(value), path, seen);
  }
  if (value instanceof Map || value instanceof Set) {
    return fail(
      path,
      `a ${value instanceof Map ? 'Map' : 'Set'}; convert it to an array or object`,
    );
  }
  if (seen.has(value)) return fail(path, 'a circular reference');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item: unknown, index) => convert(item, `${path}[${index}]`, seen));
    }
    const result: { [key: string]: JsonValue } = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      result[key] = convert(member, `${path}.${key}`, seen);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}

function fail(path: string, what: string): never {
  throw new SaError('NOT_SERIALIZABLE', `The tool result is not JSON: ${path} is ${what}`, {
    data: { path },
  });
}
