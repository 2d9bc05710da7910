import { isSaError } from '@sa/core';
import type { JobManager, JobRecord } from '@sa/jobs';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

/** At most this many characters of a client's task id are echoed in an error. */
const maxEchoedIdLength = 64;

/**
 * The one answer for a task that is unknown, expired or another caller's: JSON-RPC -32602,
 * naming the id (bounded) and nothing about why.
 */
export function taskNotFoundError(taskId: string): ProtocolError {
  const echoed =
    taskId.length > maxEchoedIdLength ? `${taskId.slice(0, maxEchoedIdLength)}…` : taskId;
  return new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `Task not found: ${JSON.stringify(echoed)} (unknown, expired, or not yours)`,
  );
}

/**
 * The job behind a task id as the caller may see it, or the -32602 error: malformed ids,
 * unknown ids, other callers' jobs and jobs past their expiry all read the same.
 */
export async function findTaskJob(
  jobs: JobManager,
  taskId: string,
  scope: string | null | undefined,
): Promise<JobRecord> {
  let record: JobRecord | undefined;
  try {
    record = await jobs.get(taskId, scope === undefined ? undefined : { scope });
  } catch (error) {
    if (isSaError(error, 'INVALID_ARGUMENT') || isSaError(error, 'NOT_FOUND')) {
      throw taskNotFoundError(taskId);
    }
    throw error;
  }
  if (record === undefined) throw taskNotFoundError(taskId);
  if (record.expiresAt !== null && record.expiresAt <= (await jobs.now())) {
    throw taskNotFoundError(taskId);
  }
  return record;
}
