import { InvalidArgumentError } from '@sa/core';
import { isTerminalStatus, jobRecordSchema, jobStatuses, type JobRecord } from '../job-record';
import type { NewJob, TransitionGuard, TransitionPatch, TransitionResult } from '../job-store';

/** Builds the first version of a record from `NewJob`; throws `InvalidArgumentError` on bad input. */
export function buildNewRecord(
  job: NewJob,
  context: { id: string; now: number; idempotencyKey: string | undefined },
): JobRecord {
  if (typeof job !== 'object' || job === null) throw new InvalidArgumentError('job must be an object');
  if (job.status !== 'pending' && job.status !== 'running') {
    throw new InvalidArgumentError(`job.status must be "pending" or "running" (got ${JSON.stringify(job.status)})`);
  }
  assertOptionalDuration(job.leaseMs, 'job.leaseMs');
  const createdAt = job.createdAt ?? context.now;
  const record = {
    id: context.id,
    label: job.label,
    tool: job.tool,
    ...(job.input === undefined ? {} : { input: job.input }),
    status: job.status,
    progress: job.progress ?? null,
    error: null,
    createdAt,
    startedAt: job.status === 'running' ? (job.startedAt ?? createdAt) : (job.startedAt ?? null),
    updatedAt: context.now,
    finishedAt: null,
    expiresAt: null,
    owner: job.owner ?? null,
    leaseToken: job.leaseToken ?? null,
    leaseExpiresAt: job.leaseMs === undefined ? null : context.now + job.leaseMs,
    cancelRequestedAt: null,
    cancelReason: null,
    scope: job.scope ?? null,
    idempotencyKey: context.idempotencyKey ?? null,
    version: 1,
  };
  return validateRecord(record, 'job');
}

/**
 * Applies a compare-and-set `transition` to `current` (pure). Checks, in order: the job
 * exists, its status is one of `guard.from` (a terminal job answers `terminal`), the version,
 * the owner token (completing or failing a running job that has an owner needs its token),
 * and that a terminal status is never left.
 */
export function applyTransition(
  current: JobRecord | undefined,
  guard: TransitionGuard,
  patch: TransitionPatch,
  now: number,
): TransitionResult {
  if (!current) return { ok: false, reason: 'not_found', current: undefined };
  const from: readonly string[] = typeof guard.from === 'string' ? [guard.from] : guard.from;
  const terminal = isTerminalStatus(current.status);
  if (!from.includes(current.status)) {
    return { ok: false, reason: terminal ? 'terminal' : 'status', current };
  }
  if (guard.expectedVersion !== undefined && guard.expectedVersion !== current.version) {
    return { ok: false, reason: 'version', current };
  }
  const nextStatus = patch.status ?? current.status;
  const needsOwner =
    current.status === 'running' &&
    current.leaseToken !== null &&
    (nextStatus === 'completed' || nextStatus === 'failed');
  if (
    (guard.ownerToken !== undefined && guard.ownerToken !== current.leaseToken) ||
    (needsOwner && guard.ownerToken === undefined)
  ) {
    return { ok: false, reason: 'owner', current };
  }
  if (terminal && nextStatus !== current.status) return { ok: false, reason: 'terminal', current };
  return { ok: true, record: patchRecord(current, patch, now) };
}

function patchRecord(current: JobRecord, patch: TransitionPatch, now: number): JobRecord {
  if (patch.status !== undefined && !(jobStatuses as readonly string[]).includes(patch.status)) {
    throw new InvalidArgumentError(`patch.status must be one of ${jobStatuses.join(', ')} (got ${JSON.stringify(patch.status)})`);
  }
  assertOptionalDuration(patch.leaseMs, 'patch.leaseMs');
  if (patch.ttlMs !== undefined && patch.ttlMs !== null) assertOptionalDuration(patch.ttlMs, 'patch.ttlMs');
  const next: JobRecord = { ...current, version: current.version + 1, updatedAt: now };
  if (patch.status !== undefined && patch.status !== current.status) {
    next.status = patch.status;
    if (patch.status === 'running' && next.startedAt === null) next.startedAt = now;
    if (isTerminalStatus(patch.status)) {
      next.finishedAt = now;
      next.leaseExpiresAt = null;
    }
  }
  if (patch.progress !== undefined) next.progress = patch.progress;
  if ('result' in patch && patch.result !== undefined) next.result = patch.result;
  if (patch.error !== undefined) next.error = patch.error;
  if (patch.owner !== undefined) next.owner = patch.owner;
  if (patch.leaseToken !== undefined) next.leaseToken = patch.leaseToken;
  if (patch.leaseMs !== undefined) next.leaseExpiresAt = now + patch.leaseMs;
  if (patch.startedAt !== undefined) next.startedAt = patch.startedAt;
  if (patch.ttlMs !== undefined) next.expiresAt = patch.ttlMs === null ? null : now + patch.ttlMs;
  return validateRecord(next, 'patch');
}

/** Validates a record about to be written; throws `InvalidArgumentError` naming the bad field. */
export function validateRecord(record: unknown, what: string): JobRecord {
  const parsed = jobRecordSchema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') || '(record)';
  throw new InvalidArgumentError(`${what}: invalid ${path}: ${issue?.message ?? 'invalid value'}`);
}

function assertOptionalDuration(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a finite number >= 0 (got ${String(value)})`);
  }
}
