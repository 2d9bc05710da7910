import type { ProgressListener } from '@sa/core';
import type { Caller } from './caller';

/** One call of a job tool, as an adapter reads it from its SDK's request. */
export interface JobToolRequest {
  /** Who calls: the jobs they may see. */
  caller: Caller;
  /** The request's signal: a waiting status call stops waiting when it aborts. */
  signal: AbortSignal;
  /**
   * Sends keep-alive progress while a status call waits (the request's progress token);
   * omit when the client gave none.
   */
  onProgress?: ProgressListener;
}
