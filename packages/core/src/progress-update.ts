import { InvalidArgumentError } from './errors';
import type { ProgressUpdate } from './types';
import { describeValue } from './validate';

/** Checks a progress update and returns a copy holding only its known fields. */
export function normalizeProgressUpdate(update: ProgressUpdate): ProgressUpdate {
  if (typeof update !== 'object' || update === null) {
    throw new InvalidArgumentError(
      `A progress update must be an object like { progress: 1 }, got ${describeValue(update)}`,
    );
  }
  const { progress, total, message } = update;
  if (typeof progress !== 'number' || !Number.isFinite(progress)) {
    throw new InvalidArgumentError(
      `progress must be a finite number, got ${describeValue(progress)}`,
    );
  }
  if (total === undefined && message === undefined) return { progress };
  if (total !== undefined && (typeof total !== 'number' || !Number.isFinite(total))) {
    throw new InvalidArgumentError(
      `total must be a finite number when given, got ${describeValue(total)}`,
    );
  }
  if (message !== undefined && typeof message !== 'string') {
    throw new InvalidArgumentError(
      `message must be a string when given, got ${describeValue(message)}`,
    );
  }
  const copy: ProgressUpdate = { progress };
  if (total !== undefined) copy.total = total;
  if (message !== undefined) copy.message = message;
  return copy;
}
