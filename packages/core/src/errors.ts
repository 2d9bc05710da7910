/** Every error code the `@sa/*` packages use. */
export type SaErrorCode =
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'NOT_SERIALIZABLE'
  | 'STORE_UNAVAILABLE'
  | 'CORRUPT_RECORD'
  | 'INTERRUPTED'
  | 'HANDLER_ERROR'
  | 'INTERNAL';

const brand = Symbol.for('@sa/core.SaError');

/** Options for `SaError`. */
export interface SaErrorOptions extends ErrorOptions {
  /** JSON-serialisable details. */
  data?: unknown;
}

/**
 * The one error class of the `@sa/*` packages; `code` says what went wrong.
 *
 * @example
 * if (isSaError(error) && error.code === 'CANCELLED') return;
 */
export class SaError extends Error {
  /** What went wrong. */
  readonly code: SaErrorCode;
  /** JSON-serialisable details. */
  readonly data: unknown;
  /** Brand that survives two copies of this package. */
  readonly [brand] = true;

  constructor(code: SaErrorCode, message: string, options?: SaErrorOptions) {
    super(message, options);
    this.name = 'SaError';
    this.code = code;
    this.data = options?.data;
  }

  /** True for any `SaError`, even one from another copy of this package. */
  static isInstance(value: unknown): value is SaError {
    return typeof value === 'object' && value !== null && brand in value;
  }
}

/** True for any `SaError` (optionally of the given code), even from another copy of this package. */
export function isSaError(value: unknown, code?: SaErrorCode): value is SaError {
  return SaError.isInstance(value) && (code === undefined || value.code === code);
}

/** The work was cancelled. */
export class CancelledError extends SaError {
  constructor(message = 'The work was cancelled', options?: SaErrorOptions) {
    super('CANCELLED', message, options);
    this.name = 'CancelledError';
  }
}

/** The runner or manager was closed. */
export class ClosedError extends SaError {
  constructor(message = 'Closed: no new work is accepted', options?: SaErrorOptions) {
    super('CLOSED', message, options);
    this.name = 'ClosedError';
  }
}

/** An argument was not valid; the message names it. */
export class InvalidArgumentError extends SaError {
  constructor(message: string, options?: SaErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
    this.name = 'InvalidArgumentError';
  }
}

/** Something named by id does not exist (or is not visible to the caller). */
export class NotFoundError extends SaError {
  constructor(message: string, options?: SaErrorOptions) {
    super('NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** A compare-and-set lost, or a state change is not allowed from the current state. */
export class ConflictError extends SaError {
  constructor(message: string, options?: SaErrorOptions) {
    super('CONFLICT', message, options);
    this.name = 'ConflictError';
  }
}

/** A store could not be reached; the message names the store. */
export class StoreUnavailableError extends SaError {
  constructor(message: string, options?: SaErrorOptions) {
    super('STORE_UNAVAILABLE', message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Turns anything thrown into `{ code, message, data? }`, JSON-safe. */
export function serializeError(error: unknown): { code: string; message: string; data?: unknown } {
  if (isSaError(error)) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  if (error instanceof Error)
    return { code: 'HANDLER_ERROR', message: error.message || error.name };
  return { code: 'HANDLER_ERROR', message: typeof error === 'string' ? error : safeString(error) };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
