import { CancelledError } from './errors';

/** The `CANCELLED` error for a request whose signal aborted; the signal's reason is its `cause`. */
export function requestAbortedError(signal: AbortSignal, before: string): CancelledError {
  return new CancelledError(`The request was aborted ${before}`, { cause: signal.reason });
}
