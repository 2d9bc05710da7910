/**
 * Why a request's signal aborted: the client `cancelled` the request (the work is cancelled)
 * or the connection `closed` (the work keeps running as a job, so its result is not lost).
 */
export type RequestAbortKind = 'cancelled' | 'closed';
