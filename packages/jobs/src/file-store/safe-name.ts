import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '@sa/core';

const safeNamePattern = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Throws `InvalidArgumentError` unless `value` is safe to use as a file name: 1 to 128
 * characters of `A-Z a-z 0-9 _ -` (so no `/`, `\`, `.` or `..` can reach a path).
 */
export function assertSafeName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !safeNamePattern.test(value)) {
    throw new InvalidArgumentError(
      `${what} must be 1 to 128 characters of A-Z, a-z, 0-9, "_" or "-" (got ${describe(value)})`,
    );
  }
}

/** A fresh job id: 128 random bits, base64url (22 characters). */
export function createJobId(): string {
  return randomBytes(16).toString('base64url');
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return value === null ? 'null' : typeof value;
}
