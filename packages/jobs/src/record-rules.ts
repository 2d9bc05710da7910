import { progressCopy } from './progress-copy';
import { isTerminalStatus } from './job-record';
import type { JobError, JobOwner, JobProgress, JobRecord, JobStatus } from './job-record';
import { cloneJson, withRecordFields } from './copy-record';
import type { NewJob, TransitionFailure, TransitionGuard, TransitionPatch } from './job-store';
import type { NormalizedListQuery, NormalizedPruneOptions } from './validate-arguments';

/** The error stored on jobs that the reaper interrupts. */
export const interruptedError: JobError = Object.freeze({
  code: 'INTERRUPTED',
  message: 'The job was interrupted: its owner stopped renewing its lease (crash or restart)',
});

/** Builds a new record from `NewJob` (validated), with the store's `now` and the chosen id. */
export function buildNewRecord(
  job: NewJob,
  context: { id: string; now: number; idempotencyKey: string | undefined },
): JobRecord {
  const createdAt = job.createdAt ?? context.now;
  const record: JobRecord = {
    id: context.id,
    label: job.label,
    tool: job.tool,
    status: job.status,
    progress: copyProgress(job.progress ?? null),
    error: null,
    createdAt,
    startedAt: job.status === 'running' ? (job.startedAt ?? createdAt) : (job.startedAt ?? null),
    updatedAt: context.now,
    finishedAt: null,
    expiresAt: null,
    owner: copyOwner(job.owner),
    leaseToken: job.leaseToken,
    leaseExpiresAt: job.leaseMs === undefined ? null : context.now + job.leaseMs,
    cancelRequestedAt: null,
    cancelReason: null,
    scope: job.scope,
    idempotencyKey: context.idempotencyKey ?? null,
    version: 1,
  };
  if (job.input !== undefined) record.input = cloneJson(job.input);
  return record;
}

/** Why `guard` refuses a transition of `record`, or undefined when it allows it. */
export function checkTransitionGuard(
  record: JobRecord,
  guard: TransitionGuard,
  patch: TransitionPatch,
): TransitionFailure | undefined {
  if (isTerminalStatus(record.status)) return 'terminal';
  const from: readonly JobStatus[] = typeof guard.from === 'string' ? [guard.from] : guard.from;
  if (!from.includes(record.status)) return 'status';
  if (guard.expectedVersion !== undefined && guard.expectedVersion !== record.version)
    return 'version';
  if (guard.ownerToken !== undefined && guard.ownerToken !== record.leaseToken) return 'owner';
  // Fencing: a running job that holds a lease changes only in its owner's hands.
  if (
    record.status === 'running' &&
    record.leaseToken !== null &&
    guard.ownerToken === undefined &&
    patch.status !== undefined &&
    patch.status !== 'running'
  )
    return 'owner';
  return undefined;
}

/** Applies a (validated, allowed) patch; returns the new record. */
export function applyTransition(record: JobRecord, patch: TransitionPatch, now: number): JobRecord {
  const next = withRecordFields(record, noChanges);
  applyTransitionInPlace(next, patch, now);
  return next;
}

/**
 * Applies a (validated, allowed) patch to `record` itself (for stores that hold private copies).
 * Nested values are copied, so the caller's patch is never aliased by the store.
 */
export function applyTransitionInPlace(
  record: JobRecord,
  patch: TransitionPatch,
  now: number,
): void {
  const previous = record.status;
  record.version += 1;
  record.updatedAt = now;
  if (patch.status !== undefined && patch.status !== previous) {
    record.status = patch.status;
    if (patch.status === 'running') record.startedAt = patch.startedAt ?? now;
    if (isTerminalStatus(patch.status)) {
      record.finishedAt = now;
      record.leaseExpiresAt = null;
    }
  } else if (patch.startedAt !== undefined) {
    record.startedAt = patch.startedAt;
  }
  if (patch.progress !== undefined) record.progress = copyProgress(patch.progress);
  if (patch.result !== undefined) record.result = cloneJson(patch.result);
  if (patch.error !== undefined) record.error = copyError(patch.error);
  if (patch.owner !== undefined) record.owner = copyOwner(patch.owner);
  if (patch.leaseToken !== undefined) record.leaseToken = patch.leaseToken;
  if (patch.leaseMs !== undefined && !isTerminalStatus(record.status))
    record.leaseExpiresAt = now + patch.leaseMs;
  if (patch.ttlMs !== undefined) record.expiresAt = patch.ttlMs === null ? null : now + patch.ttlMs;
}

const noChanges: Partial<JobRecord> = {};

/**
 * A private, frozen copy of a progress value. Stores keep nested progress, owner and error
 * objects frozen, so records they return may share them safely.
 */
export function copyProgress(progress: JobProgress | null): JobProgress | null {
  return progress === null ? null : Object.freeze(progressCopy(progress));
}

/** A private, frozen copy of an error (its data deep-copied). */
export function copyError(error: JobError | null): JobError | null {
  if (error === null) return null;
  const copy: JobError = { code: error.code, message: error.message };
  if (error.data !== undefined) copy.data = deepFreeze(cloneJson(error.data));
  return Object.freeze(copy);
}

/** A private, frozen copy of an owner. */
export function copyOwner(owner: JobOwner | null): JobOwner | null {
  return owner === null
    ? null
    : Object.freeze({ instanceId: owner.instanceId, pid: owner.pid, host: owner.host });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/** True when two progress values are the same. */
export function sameProgress(left: JobProgress | null, right: JobProgress | null): boolean {
  if (left === null || right === null) return left === right;
  return (
    left.progress === right.progress && left.total === right.total && left.message === right.message
  );
}

/**
 * Applies a heartbeat of the owner: renews the lease; a changed progress bumps `version` and
 * `updatedAt` (a bare lease renewal does not, so `version` only moves when something visible changes).
 */
export function applyHeartbeat(
  record: JobRecord,
  options: { leaseMs: number; progress?: JobProgress | null },
  now: number,
): { record: JobRecord; changed: boolean } {
  const next = withRecordFields(record, noChanges);
  return { record: next, changed: applyHeartbeatInPlace(next, options, now) };
}

/** `applyHeartbeat` on `record` itself; returns whether the version changed. */
export function applyHeartbeatInPlace(
  record: JobRecord,
  options: { leaseMs: number; progress?: JobProgress | null },
  now: number,
): boolean {
  record.leaseExpiresAt = now + options.leaseMs;
  const changed =
    options.progress !== undefined && !sameProgress(record.progress, options.progress);
  if (changed) {
    record.progress = copyProgress(options.progress ?? null);
    record.version += 1;
    record.updatedAt = now;
  }
  return changed;
}

/**
 * Applies a cancel request: pending becomes `cancelled` at once, running gets the flag
 * (once); terminal jobs are returned unchanged (`changed: false`).
 */
export function applyCancelRequest(
  record: JobRecord,
  reason: string | undefined,
  now: number,
): { record: JobRecord; changed: boolean } {
  if (isTerminalStatus(record.status)) return { record, changed: false };
  if (record.status === 'pending') {
    return {
      record: withRecordFields(record, {
        status: 'cancelled',
        error: Object.freeze({
          code: 'CANCELLED',
          message: reason ?? 'The job was cancelled before it started',
        }),
        cancelRequestedAt: record.cancelRequestedAt ?? now,
        cancelReason: reason ?? record.cancelReason,
        finishedAt: now,
        leaseExpiresAt: null,
        updatedAt: now,
        version: record.version + 1,
      }),
      changed: true,
    };
  }
  if (record.cancelRequestedAt !== null) return { record, changed: false };
  return {
    record: withRecordFields(record, {
      cancelRequestedAt: now,
      cancelReason: reason ?? null,
      updatedAt: now,
      version: record.version + 1,
    }),
    changed: true,
  };
}

/** True when the reaper should interrupt `record` at time `now` (lease expired). */
export function isLeaseExpired(record: JobRecord, now: number): boolean {
  return (
    !isTerminalStatus(record.status) &&
    record.leaseExpiresAt !== null &&
    record.leaseExpiresAt <= now
  );
}

/** Marks a job `interrupted` (reaper). */
export function applyInterrupt(record: JobRecord, now: number): JobRecord {
  return withRecordFields(record, {
    status: 'interrupted',
    error: interruptedError,
    finishedAt: now,
    leaseExpiresAt: null,
    updatedAt: now,
    version: record.version + 1,
  });
}

/** Orders records newest first: `createdAt` descending, then `id` descending. */
export function compareNewestFirst(left: JobRecord, right: JobRecord): number {
  if (left.createdAt !== right.createdAt) return right.createdAt - left.createdAt;
  return left.id < right.id ? 1 : left.id > right.id ? -1 : 0;
}

/** True when `record` matches the filters of a list query. */
export function matchesListQuery(record: JobRecord, query: NormalizedListQuery): boolean {
  if (query.statuses !== undefined && !query.statuses.includes(record.status)) return false;
  if (query.scope !== undefined && record.scope !== query.scope) return false;
  if (query.label !== undefined && record.label !== query.label) return false;
  return true;
}

/** True when `record` may be visible to a caller of `scope` (undefined: any). */
export function isVisibleTo(record: JobRecord, scope: string | null | undefined): boolean {
  return scope === undefined || record.scope === scope;
}

/**
 * The read visibility of `JobStore.get`: the record is of the asked scope (any scope when
 * undefined) and has not expired (`expiresAt` is unset or later than the store's `now`).
 */
export function isReadable(
  record: JobRecord,
  scope: string | null | undefined,
  now: number,
): boolean {
  return isVisibleTo(record, scope) && (record.expiresAt === null || record.expiresAt > now);
}

/**
 * True when `prune` deletes `record` at `now`: in the statuses (never running), scope and tools, and
 * older than `olderThan` (finish time, or creation time when unfinished), or expired
 * (terminal with `expiresAt <= now`), or neither criterion was given.
 */
export function matchesPrune(
  record: JobRecord,
  options: NormalizedPruneOptions,
  now: number,
): boolean {
  if (record.status === 'running' || !options.statuses.includes(record.status)) return false;
  if (options.scope !== undefined && record.scope !== options.scope) return false;
  if (options.tools !== undefined && !options.tools.includes(record.tool)) return false;
  if (options.olderThan === undefined && !options.expired) return true;
  if (
    options.olderThan !== undefined &&
    (record.finishedAt ?? record.createdAt) < options.olderThan
  )
    return true;
  return (
    options.expired &&
    isTerminalStatus(record.status) &&
    record.expiresAt !== null &&
    record.expiresAt <= now
  );
}
