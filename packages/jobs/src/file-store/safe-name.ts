import { InvalidArgumentError } from '@sa/core';

const safeNamePattern = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Throws `InvalidArgumentError` unless `value` is safe as a file name: 1 to 128 characters of
 * `A-Z a-z 0-9 _ -`, so no `/`, a backslash, `.` or `..` can ever reach a path.
 */
export function assertSafeName(value: string, field: string): void {
  if (!safeNamePattern.test(value)) {
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    throw new InvalidArgumentError(
      `Invalid ${field}: expected 1 to 128 characters of A-Z, a-z, 0-9, "_" or "-" (it names a file), got ${shown}`,
      { data: { field } },
    );
  }
}
