import { isSaError } from '@sa/core';
import type { SaErrorCode } from '@sa/core';
import type { ExitCode } from './exit-codes';
import { exitCodes } from './exit-codes';

/** Longest echo of a user-given value in a message. */
const maxEcho = 80;

/** A user value quoted for a message, cut to a bounded length. */
export function echo(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > maxEcho ? `${text.slice(0, maxEcho)}…` : text);
}

const exitCodeBySaCode: Partial<Record<SaErrorCode, ExitCode>> = {
  INVALID_ARGUMENT: exitCodes.usage,
  NOT_FOUND: exitCodes.notFound,
  CONFLICT: exitCodes.refused,
  FORBIDDEN: exitCodes.refused,
  STORE_UNAVAILABLE: exitCodes.storeUnavailable,
  CLOSED: exitCodes.storeUnavailable,
};

/** The exit code an error means: by its `SaError` code, else a plain failure. */
export function exitCodeOf(error: unknown): ExitCode {
  return isSaError(error) ? (exitCodeBySaCode[error.code] ?? exitCodes.failure) : exitCodes.failure;
}
