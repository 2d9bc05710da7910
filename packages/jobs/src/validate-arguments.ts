import { ConflictError, InvalidArgumentError } from '@sa/core';
import { jobProgressSchema, jobStatuses } from './job-record';
import type { JobStatus, JsonValue } from './job-record';
import { jobIdPattern } from './ids';
import type {
  ListJobsQuery,
  NewJob,
  OutputStream,
  PruneOptions,
  ReadOutputOptions,
  TransitionGuard,
  TransitionPatch,
} from './job-store';

/** Largest page `list` returns. */
export const maxListLimit = 1000;
/** Default page size of `list`. */
export const defaultListLimit = 50;
/** Default batch size of `prune`. */
export const defaultPruneBatchSize = 500;
/** Most tool names one `prune` call may filter by (`PruneOptions.tools`). */
export const maxPruneTools = 100;
/** How many expired leases `reapExpired` turns into `interrupted` per step (per script or statement). */
export const reapBatchSize = defaultPruneBatchSize;
/** Default `maxBytes` of `readOutput`: 1 MiB. */
export const defaultReadMaxBytes = 1024 * 1024;

function fail(field: string, problem: string): never {
  throw new InvalidArgumentError(`Invalid ${field}: ${problem}`, { data: { field } });
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  return typeof value;
}

/** Throws `InvalidArgumentError` unless `value` is a non-empty string. */
export function assertNonEmptyString(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0)
    fail(field, `expected a non-empty string, got ${describe(value)}`);
}

/** Throws `InvalidArgumentError` unless `value` is a finite number (an epoch time or a count). */
export function assertFiniteNumber(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(field, `expected a finite number, got ${describe(value)}`);
}

/** Throws unless `value` is a positive finite number of milliseconds. */
export function assertPositiveDuration(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(field, `expected a positive number of milliseconds, got ${describe(value)}`);
}

/** Throws unless `value` is an integer within `[min, max]`. */
export function assertInteger(
  field: string,
  value: unknown,
  range: { min: number; max?: number },
): asserts value is number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < range.min ||
    (range.max !== undefined && value > range.max)
  ) {
    const bound = range.max === undefined ? `>= ${range.min}` : `from ${range.min} to ${range.max}`;
    fail(field, `expected an integer ${bound}, got ${describe(value)}`);
  }
}

/** Throws unless `value` is a job id (a non-empty string). */
export function assertJobId(value: unknown): asserts value is string {
  assertNonEmptyString('id', value);
}

/** Throws unless `value` is a job status. */
export function assertStatus(field: string, value: unknown): asserts value is JobStatus {
  if (typeof value !== 'string' || !(jobStatuses as readonly string[]).includes(value))
    fail(field, `expected one of ${jobStatuses.join(', ')}, got ${describe(value)}`);
}

/** Throws unless `value` is a status or a non-empty list of statuses; returns the list. */
export function toStatusList(field: string, value: unknown): readonly JobStatus[] {
  if (Array.isArray(value)) {
    if (value.length === 0) fail(field, 'expected at least one status');
    value.forEach((status, index) => assertStatus(`${field}[${index}]`, status));
    return value as JobStatus[];
  }
  assertStatus(field, value);
  return [value];
}

/** Throws unless `value` is a string or null (a scope). */
export function assertScope(field: string, value: unknown): asserts value is string | null {
  if (value !== null && typeof value !== 'string')
    fail(field, `expected a string or null, got ${describe(value)}`);
}

/** Throws unless `value` is a JSON value (no undefined, functions, BigInt, NaN, cycles or class instances). */
export function assertJson(field: string, value: unknown): asserts value is JsonValue {
  if (isPlainJson(value, 0)) return;
  const problem = findJsonProblem(value, new Set());
  if (problem !== undefined) fail(field, problem);
}

/**
 * The fast path of JSON validation: no allocation, no paths. Depth-limited (a cycle or a very
 * deep value falls back to `findJsonProblem`, which finds cycles and names the path).
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth > 64) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++)
      if (!isPlainJson(value[index], depth + 1)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value)
    if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

/** Says why `value` is not plain JSON, or undefined when it is. */
export function findJsonProblem(value: unknown, seen: Set<object>, path = '$'): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : `${path} is ${String(value)}, not a JSON number`;
  if (typeof value === 'bigint') return `${path} is a BigInt, which JSON cannot hold`;
  if (typeof value !== 'object') return `${path} is a ${typeof value}, which JSON cannot hold`;
  if (seen.has(value)) return `${path} is a circular reference`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const problem = findJsonProblem(value[index] as unknown, seen, `${path}[${index}]`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      return `${path} is an instance of ${name}, not a plain object`;
    }
    for (const [key, item] of Object.entries(value)) {
      const problem = findJsonProblem(item, seen, `${path}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

/** Validates what `JobStore.create` takes. */
export function validateNewJob(job: NewJob, options?: { idempotencyKey?: string }): void {
  if (typeof job !== 'object' || job === null) fail('job', 'expected an object');
  if (job.id !== undefined && (typeof job.id !== 'string' || !jobIdPattern.test(job.id)))
    fail('id', `expected 16 to 128 URL-safe characters, got ${describe(job.id)}`);
  if (typeof job.label !== 'string') fail('label', `expected a string, got ${describe(job.label)}`);
  assertNonEmptyString('tool', job.tool);
  if (job.input !== undefined) assertJson('input', job.input);
  if (job.status !== 'pending' && job.status !== 'running')
    fail('status', `a new job is pending or running, got ${describe(job.status)}`);
  assertScope('scope', job.scope);
  if (job.owner !== null && !isOwner(job.owner))
    fail('owner', 'expected { instanceId, pid, host } or null');
  if (job.leaseToken !== null) assertNonEmptyString('leaseToken', job.leaseToken);
  if (job.leaseMs !== undefined) assertPositiveDuration('leaseMs', job.leaseMs);
  if (job.createdAt !== undefined) assertFiniteNumber('createdAt', job.createdAt);
  if (job.startedAt !== undefined && job.startedAt !== null)
    assertFiniteNumber('startedAt', job.startedAt);
  if (job.progress !== undefined && job.progress !== null)
    validateProgress('progress', job.progress);
  if (options?.idempotencyKey !== undefined)
    assertNonEmptyString('idempotencyKey', options.idempotencyKey);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The fast path of progress validation (same rules as `jobProgressSchema`). */
function isProgress(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { progress, total, message } = value as Record<string, unknown>;
  return (
    isFiniteNumber(progress) &&
    (total === undefined || isFiniteNumber(total)) &&
    (message === undefined || typeof message === 'string')
  );
}

/** True for a job owner `{ instanceId, pid, host }` (same rules as `jobOwnerSchema`). */
export function isOwner(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { instanceId, pid, host } = value as Record<string, unknown>;
  return typeof instanceId === 'string' && Number.isInteger(pid) && typeof host === 'string';
}

/** Validates a progress value. */
export function validateProgress(field: string, value: unknown): void {
  if (isProgress(value)) return;
  const parsed = jobProgressSchema.safeParse(value);
  if (!parsed.success)
    fail(field, 'expected { progress: number, total?: number, message?: string }');
}

/** Validates a transition's guard and patch. */
export function validateTransition(
  id: unknown,
  guard: TransitionGuard,
  patch: TransitionPatch,
): void {
  assertJobId(id);
  if (typeof guard !== 'object' || guard === null) fail('guard', 'expected an object');
  toStatusList('guard.from', guard.from);
  if (guard.expectedVersion !== undefined)
    assertInteger('guard.expectedVersion', guard.expectedVersion, { min: 1 });
  if (guard.ownerToken !== undefined) assertNonEmptyString('guard.ownerToken', guard.ownerToken);
  if (typeof patch !== 'object' || patch === null) fail('patch', 'expected an object');
  if (patch.status !== undefined) assertStatus('patch.status', patch.status);
  if (patch.progress !== undefined && patch.progress !== null)
    validateProgress('patch.progress', patch.progress);
  if (patch.result !== undefined) assertJson('patch.result', patch.result);
  if (patch.error !== undefined && patch.error !== null) {
    const { code, message } = patch.error as { code?: unknown; message?: unknown };
    if (typeof code !== 'string' || typeof message !== 'string')
      fail('patch.error', 'expected { code: string, message: string, data?: JSON }');
    if (patch.error.data !== undefined) assertJson('patch.error.data', patch.error.data);
  }
  if (patch.owner !== undefined && patch.owner !== null && !isOwner(patch.owner))
    fail('patch.owner', 'expected { instanceId, pid, host } or null');
  if (patch.leaseToken !== undefined && patch.leaseToken !== null)
    assertNonEmptyString('patch.leaseToken', patch.leaseToken);
  if (patch.leaseMs !== undefined) assertPositiveDuration('patch.leaseMs', patch.leaseMs);
  if (patch.startedAt !== undefined) assertFiniteNumber('patch.startedAt', patch.startedAt);
  if (patch.ttlMs !== undefined && patch.ttlMs !== null) {
    assertFiniteNumber('patch.ttlMs', patch.ttlMs);
    if (patch.ttlMs < 0) fail('patch.ttlMs', `expected >= 0, got ${patch.ttlMs}`);
  }
}

/** Validates a heartbeat's arguments. */
export function validateHeartbeat(
  id: unknown,
  ownerToken: unknown,
  options: { leaseMs: number; progress?: unknown },
): void {
  assertJobId(id);
  assertNonEmptyString('ownerToken', ownerToken);
  if (typeof options !== 'object' || options === null) fail('options', 'expected { leaseMs }');
  assertPositiveDuration('leaseMs', options.leaseMs);
  if (options.progress !== undefined && options.progress !== null)
    validateProgress('progress', options.progress);
}

/** A validated list query with defaults filled in. */
export interface NormalizedListQuery {
  statuses: readonly JobStatus[] | undefined;
  scope: string | null | undefined;
  label: string | undefined;
  limit: number;
  cursor: string | undefined;
}

/** Validates a list query and fills in defaults. */
export function normalizeListQuery(query: ListJobsQuery | undefined): NormalizedListQuery {
  const value = query ?? {};
  if (typeof value !== 'object') fail('query', 'expected an object');
  const statuses = value.status === undefined ? undefined : toStatusList('status', value.status);
  if (value.scope !== undefined) assertScope('scope', value.scope);
  if (value.label !== undefined && typeof value.label !== 'string')
    fail('label', `expected a string, got ${describe(value.label)}`);
  const limit = value.limit ?? defaultListLimit;
  assertInteger('limit', limit, { min: 1, max: maxListLimit });
  if (value.cursor !== undefined) assertNonEmptyString('cursor', value.cursor);
  return { statuses, scope: value.scope, label: value.label, limit, cursor: value.cursor };
}

/** Validated prune options with defaults filled in. */
export interface NormalizedPruneOptions {
  statuses: readonly JobStatus[];
  olderThan: number | undefined;
  expired: boolean;
  scope: string | null | undefined;
  /** Only jobs of these tools; undefined for any tool. */
  tools: readonly string[] | undefined;
  batchSize: number;
}

/** Validates prune options (running is never pruned) and fills in defaults. */
export function normalizePruneOptions(options: PruneOptions | undefined): NormalizedPruneOptions {
  const value = options ?? {};
  const statuses =
    value.statuses === undefined
      ? (['completed', 'failed', 'cancelled', 'interrupted'] as const)
      : toStatusList('statuses', value.statuses);
  if (statuses.includes('running'))
    fail('statuses', 'running jobs are never pruned; cancel them first');
  if (value.olderThan !== undefined) assertFiniteNumber('olderThan', value.olderThan);
  if (value.expired !== undefined && typeof value.expired !== 'boolean')
    fail('expired', `expected a boolean, got ${describe(value.expired)}`);
  if (value.scope !== undefined) assertScope('scope', value.scope);
  const tools = value.tools === undefined ? undefined : toToolList(value.tools);
  const batchSize = value.batchSize ?? defaultPruneBatchSize;
  assertInteger('batchSize', batchSize, { min: 1, max: 100_000 });
  return {
    statuses,
    olderThan: value.olderThan,
    expired: value.expired ?? false,
    scope: value.scope,
    tools,
    batchSize,
  };
}

/** Checks `PruneOptions.tools`: 1 to `maxPruneTools` non-empty strings; returns a copy. */
function toToolList(value: unknown): readonly string[] {
  if (!Array.isArray(value))
    fail('tools', `expected an array of tool names, got ${describe(value)}`);
  if (value.length === 0 || value.length > maxPruneTools)
    fail('tools', `expected 1 to ${maxPruneTools} tool names, got ${value.length}`);
  value.forEach((tool, index) => assertNonEmptyString(`tools[${index}]`, tool));
  return [...new Set(value as string[])];
}

/** Checks `appendOutput` options; returns the expected offset, if any. */
export function normalizeAppendOutputOptions(options: unknown): number | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null)
    fail('options', 'expected { expectedOffset? }');
  const { expectedOffset } = options as { expectedOffset?: unknown };
  if (expectedOffset === undefined) return undefined;
  assertInteger('expectedOffset', expectedOffset, { min: 0, max: Number.MAX_SAFE_INTEGER });
  return expectedOffset;
}

/** The `CONFLICT` of an append whose expected offset is not the stream's end. */
export function outputOffsetConflict(
  id: string,
  stream: string,
  expectedOffset: number,
  endOffset: number,
): ConflictError {
  return new ConflictError(
    `Output ${stream} of job ${id} ends at ${String(endOffset)}, not at the expectedOffset ${String(expectedOffset)}: nothing was appended`,
    { data: { field: 'expectedOffset', endOffset } },
  );
}

/** Throws unless `value` is a stream name. */
export function assertOutputStream(value: unknown): asserts value is OutputStream {
  if (value !== 'stdout' && value !== 'stderr')
    fail('stream', `expected "stdout" or "stderr", got ${describe(value)}`);
}

/** Validates an output chunk: a string. */
export function assertOutputChunk(value: unknown): asserts value is string {
  if (typeof value !== 'string') fail('chunk', `expected a string, got ${describe(value)}`);
}

/** The error of a `readOutput` whose offset is past what was ever written. */
export function offsetPastEnd(
  stream: string,
  offset: number,
  endOffset: number,
): InvalidArgumentError {
  return new InvalidArgumentError(
    `Invalid offset: ${String(offset)} is past the end of ${stream} (${String(endOffset)} bytes written)`,
    { data: { field: 'offset' } },
  );
}

/** Throws unless `value` is a function (a `subscribe` listener). */
export function assertListener(value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') fail('listener', `expected a function, got ${describe(value)}`);
}

/** Validates `subscribe` options. */
export function normalizeSubscribeOptions(options: unknown): { id?: string } {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) fail('options', 'expected { id? }');
  const { id } = options as { id?: unknown };
  if (id === undefined) return {};
  assertJobId(id);
  return { id };
}

/** Validates `readOutput` options and fills in defaults. */
export function normalizeReadOutputOptions(options: ReadOutputOptions | undefined): {
  offset: number;
  maxBytes: number;
} {
  const offset = options?.offset ?? 0;
  const maxBytes = options?.maxBytes ?? defaultReadMaxBytes;
  assertInteger('offset', offset, { min: 0 });
  assertInteger('maxBytes', maxBytes, { min: 1 });
  return { offset, maxBytes };
}

/** Validates a cursor name and value. */
export function validateCursor(name: unknown, expected?: unknown, next?: unknown): void {
  assertNonEmptyString('name', name);
  if (expected !== undefined) assertInteger('expected', expected, { min: 0 });
  if (next !== undefined) assertInteger('next', next, { min: 0 });
}
