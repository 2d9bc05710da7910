import { InvalidArgumentError } from '@sa/core';
import type { BackgroundTask } from '@sa/core';
import type { JobMeta } from '../job-manager-types';
import type { CreateJobOptions, NewJob } from '../job-store';
import { validateNewJob } from '../validate-arguments';

/** The `NewJob` for `meta`, with the manager's status, owner and lease fields added. */
export function newJobFromMeta(
  meta: JobMeta,
  fields: Omit<NewJob, 'label' | 'tool' | 'input' | 'scope'>,
): NewJob {
  return {
    label: meta.label ?? meta.tool,
    tool: meta.tool,
    ...(meta.input === undefined ? {} : { input: meta.input }),
    scope: meta.scope ?? null,
    ...fields,
  };
}

/** The create options for `meta` (its idempotency key). */
export function createOptionsFromMeta(meta: JobMeta): CreateJobOptions | undefined {
  return meta.idempotencyKey === undefined ? undefined : { idempotencyKey: meta.idempotencyKey };
}

/** Throws `InvalidArgumentError` naming the field unless `meta` describes a valid job. */
export function validateMeta(meta: JobMeta): void {
  if (typeof meta !== 'object' || meta === null)
    throw new InvalidArgumentError('Invalid meta: expected { tool, label?, input?, scope? }', {
      data: { field: 'meta' },
    });
  validateNewJob(
    newJobFromMeta(meta, { status: 'pending', owner: null, leaseToken: null }),
    createOptionsFromMeta(meta),
  );
}

/** Throws `InvalidArgumentError` unless `task` looks like a `BackgroundTask` of `@sa/core`. */
export function validateTask(task: BackgroundTask<unknown>): void {
  if (
    typeof task !== 'object' ||
    task === null ||
    typeof task.onSettled !== 'function' ||
    typeof task.cancel !== 'function'
  )
    throw new InvalidArgumentError('Invalid task: expected a BackgroundTask from @sa/core', {
      data: { field: 'task' },
    });
}
