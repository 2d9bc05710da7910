import type { JobRecord } from '@sa/jobs';
import type { ToolResult } from './tool-result';
import { successResult, toolErrorResult } from './tool-result';

/** The `_meta` key of a smart-async job handle. */
export const smartAsyncMetaKey = 'io.github.smart-async/job';

/** Why a call returned a job handle. */
export type HandleReason = 'budget' | 'async' | 'disconnected';

/** A job handle as structured content. */
export interface JobHandle {
  job_id: string;
  status: 'pending' | 'running';
  label: string;
  message: string;
  smart_async: true;
}

/** What the handle's message needs to know. */
export interface HandleContext {
  budgetMs: number;
  statusToolName(): string;
}

/** The result of a call that moved to the background: a job handle, as JSON text and structured content. */
export function jobHandleResult(
  record: JobRecord,
  reason: HandleReason,
  context: HandleContext,
): ToolResult {
  const status = record.status === 'pending' ? 'pending' : 'running';
  const follow = `Call ${context.statusToolName()} with job_id "${record.id}" and wait_seconds (for example 20) to wait for progress and the result.`;
  const seconds = Math.round(context.budgetMs / 100) / 10;
  const why =
    reason === 'async'
      ? `Started in the background as job ${record.id} (${status}).`
      : reason === 'budget'
        ? `The work exceeded its ${seconds} s time budget and moved to the background as job ${record.id}; it keeps running.`
        : `The connection closed during the call; the work continues in the background as job ${record.id}.`;
  const handle: JobHandle = {
    job_id: record.id,
    status,
    label: record.label,
    message: `${why} ${follow}`,
    smart_async: true,
  };
  return {
    content: [{ type: 'text', text: JSON.stringify(handle) }],
    structuredContent: { ...handle },
    _meta: { [smartAsyncMetaKey]: { job_id: record.id, status, reason } },
  };
}

/** The tool result of a finished job: what the original call would have returned. */
export function finishedJobResult(record: JobRecord): ToolResult {
  if (record.status === 'completed') return successResult(record.result ?? null);
  if (record.error !== null) return toolErrorResult(record.error);
  const code =
    record.status === 'cancelled'
      ? 'CANCELLED'
      : record.status === 'interrupted'
        ? 'INTERRUPTED'
        : 'HANDLER_ERROR';
  return toolErrorResult({ code, message: `The job ended as ${record.status}` });
}
