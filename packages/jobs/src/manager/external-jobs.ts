import { ConflictError, InvalidArgumentError, NotFoundError } from '@sa/core';
import type { ExternalOutcome, JobMeta } from '../job-manager-types';
import { jobErrorSchema, jsonValueSchema, type JobRecord } from '../job-record';
import type { JobStore } from '../job-store';
import { assertJobId } from '../validate-arguments';
import { createOptionsFromMeta, newJobFromMeta, validateMeta } from './job-meta';

/** What the external-job operations need of their manager. */
export interface ExternalJobsContext {
  store: JobStore;
  retention: Record<'completed' | 'failed', number | null>;
  ensureOpen(): void;
  notify(id: string): void;
}

/** Creates an owner-less `running` job whose work runs outside the manager. */
export async function createExternalJob(
  context: ExternalJobsContext,
  meta: JobMeta,
): Promise<JobRecord> {
  context.ensureOpen();
  validateMeta(meta);
  const record = await context.store.create(
    newJobFromMeta(meta, { status: 'running', owner: null, leaseToken: null }),
    createOptionsFromMeta(meta),
  );
  context.notify(record.id);
  return record;
}

/** Stores the terminal outcome of an external job (fenced on its not being terminal yet). */
export async function settleExternalJob(
  context: ExternalJobsContext,
  id: string,
  outcome: ExternalOutcome,
): Promise<JobRecord> {
  context.ensureOpen();
  assertJobId(id);
  const patch = checkOutcome(outcome);
  const result = await context.store.transition(
    id,
    { from: ['pending', 'running'] },
    { ...patch, ttlMs: context.retention[patch.status] },
  );
  if (result.ok) {
    context.notify(id);
    return result.record;
  }
  if (result.reason === 'not_found') throw new NotFoundError(`Job ${id} not found`);
  const status = result.current?.status ?? 'unknown';
  throw new ConflictError(`Job ${id} already finished (${status}); its outcome cannot change`, {
    data: { status },
  });
}

function checkOutcome(outcome: ExternalOutcome): ExternalOutcome {
  if (typeof outcome !== 'object' || outcome === null) {
    throw new InvalidArgumentError(
      'Invalid outcome: expected { status, result } or { status, error }',
      {
        data: { field: 'outcome' },
      },
    );
  }
  if (outcome.status === 'completed') {
    if (!jsonValueSchema.safeParse(outcome.result).success)
      throw invalid('outcome.result', 'a JSON value');
    return { status: 'completed', result: outcome.result };
  }
  if (outcome.status === 'failed') {
    if (!jobErrorSchema.safeParse(outcome.error).success)
      throw invalid('outcome.error', '{ code, message, data? }');
    if (outcome.result !== undefined && !jsonValueSchema.safeParse(outcome.result).success)
      throw invalid('outcome.result', 'a JSON value');
    return outcome;
  }
  throw invalid('outcome.status', "'completed' or 'failed'");
}

function invalid(field: string, expected: string): InvalidArgumentError {
  return new InvalidArgumentError(`Invalid ${field}: expected ${expected}`, { data: { field } });
}
