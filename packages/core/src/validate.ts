import { InvalidArgumentError } from './errors';
import type { Timers } from './types';

// Every assertion of @sa/core and @sa/jobs takes (field, value) and throws InvalidArgumentError
// with `data.field`: one signature, whichever package checks.

/** Throws unless `value` is a number >= 0 (Infinity allowed); the message names `name`. */
export function assertDuration(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new InvalidArgumentError(
      `${name} must be a number >= 0 (milliseconds), got ${describeValue(value)}`,
      { data: { field: name } },
    );
  }
}

/** Throws unless `value` is undefined or a duration; the message names `name`. */
export function assertOptionalDuration(name: string, value: unknown): void {
  if (value !== undefined) assertDuration(name, value);
}

/** Throws unless `value` is a function; the message names `name`. */
export function assertFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new InvalidArgumentError(`${name} must be a function, got ${describeValue(value)}`, {
      data: { field: name },
    });
  }
}

/** Throws unless `value` is undefined or a function; the message names `name`. */
export function assertOptionalFunction(name: string, value: unknown): void {
  if (value !== undefined) assertFunction(name, value);
}

/** Throws unless `value` is undefined or an object (an options bag); the message names `name`. */
export function assertOptionalObject(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new InvalidArgumentError(`${name} must be an object, got ${describeValue(value)}`, {
      data: { field: name },
    });
  }
}

/** Throws unless `value` is undefined or an `AbortSignal`; the message names `name`. */
export function assertOptionalSignal(name: string, value: unknown): void {
  // A real AbortSignal (the usual case, on every call) needs no member-by-member check.
  if (value === undefined || value instanceof AbortSignal) return;
  if (!hasMembers(value, signalMembers) || !('aborted' in value)) {
    throw new InvalidArgumentError(`${name} must be an AbortSignal, got ${describeValue(value)}`, {
      data: { field: name },
    });
  }
}

/** Throws unless `value` is undefined or a `Timers` object; the message names `name`. */
export function assertOptionalTimers(
  name: string,
  value: unknown,
): asserts value is Timers | undefined {
  if (value === undefined) return;
  if (!hasMembers(value, timerMembers)) {
    throw new InvalidArgumentError(
      `${name} must be an object with setTimeout and clearTimeout functions, got ${describeValue(value)}`,
      { data: { field: name } },
    );
  }
}

/** True if `value` is an object whose `names` are all functions. */
function hasMembers(value: unknown, names: readonly string[]): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  for (const memberName of names) if (typeof record[memberName] !== 'function') return false;
  return true;
}

const signalMembers = ['addEventListener', 'removeEventListener'] as const;
const timerMembers = ['setTimeout', 'clearTimeout'] as const;

/** A short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
