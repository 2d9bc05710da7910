import { isSaError, serializeError } from '@sa/core';

/** JSON-RPC error codes a tasks method answers with. */
export const jsonRpcErrorCodes = {
  /** The request's parameters name nothing the caller may use (unknown, expired or foreign task, bad input). */
  invalidParams: -32602,
  /** The server failed (a store outage, a closed manager, a bug). */
  internalError: -32603,
} as const;

/** A JSON-RPC error object: `data.code` keeps this package's error code. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data: { code: string; [key: string]: unknown };
}

/**
 * The one mapping of this package's errors to JSON-RPC errors (for protocol methods such as
 * `tasks/*`): the caller's mistakes (`INVALID_ARGUMENT`, `NOT_FOUND`, `CONFLICT`) are
 * -32602; everything else, a store outage first of all, is -32603 and says what it is.
 */
export function jsonRpcErrorOf(error: unknown): JsonRpcErrorObject {
  const serialized = serializeError(error);
  const callerMistake =
    isSaError(error, 'INVALID_ARGUMENT') ||
    isSaError(error, 'NOT_FOUND') ||
    isSaError(error, 'CONFLICT');
  const data =
    typeof serialized.data === 'object' &&
    serialized.data !== null &&
    !Array.isArray(serialized.data)
      ? { ...(serialized.data as Record<string, unknown>), code: serialized.code }
      : { code: serialized.code };
  return {
    code: callerMistake ? jsonRpcErrorCodes.invalidParams : jsonRpcErrorCodes.internalError,
    message: `${serialized.code}: ${serialized.message}`,
    data,
  };
}
