import { SdkError, SdkErrorCode } from '@modelcontextprotocol/server';
import type { RequestAbortKind } from '../smart-call';
import type { RequestKind } from './request-kind';

/**
 * Why a request's signal aborted, for the core: on the 2025 era SDK v2 aborts with its
 * `ConnectionClosed` error when the connection goes away (the work is kept as a job) and with
 * the notification's reason on `notifications/cancelled` (the client's cancel). On 2026-07-28
 * closing the response stream is the cancel itself.
 */
export function abortKindOf(kind: RequestKind, signal: AbortSignal): RequestAbortKind {
  if (kind !== 'legacy') return 'cancelled';
  const reason: unknown = signal.reason;
  return reason instanceof SdkError && reason.code === SdkErrorCode.ConnectionClosed
    ? 'closed'
    : 'cancelled';
}
