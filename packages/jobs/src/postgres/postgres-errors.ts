import { InvalidArgumentError, SaError, StoreUnavailableError, isSaError } from '@sa/core';

/** The SQLSTATE of a PostgreSQL error reply, or undefined for a client-side error. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string'
    ? code
    : undefined;
}

/**
 * Turns a `pg` error into a `SaError`: connection problems (no SQLSTATE, class 08, server
 * shutting down, too many connections) become `STORE_UNAVAILABLE` naming the store's address;
 * other server errors become `INTERNAL` with their SQLSTATE.
 */
export function toStoreError(error: unknown, context: { name: string; address: string }): SaError {
  if (isSaError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const state = sqlState(error);
  if (
    state === undefined ||
    state.startsWith('08') ||
    state.startsWith('57P') ||
    state === '53300'
  ) {
    return new StoreUnavailableError(
      `postgres store at ${context.address} unreachable: ${message}`,
      { cause: error },
    );
  }
  if (state === '22021' || state === '22P05') {
    return new InvalidArgumentError(
      `${context.name}: a text value (label, tool, scope, cursor name, token…) contains a NUL character, which PostgreSQL cannot store: ${message}`,
      { cause: error },
    );
  }
  const hint =
    state === '42P01' || state === '3F000' ? ' (run the store migration: migrate())' : '';
  return new SaError('INTERNAL', `${context.name}: PostgreSQL error ${state}: ${message}${hint}`, {
    cause: error,
  });
}
