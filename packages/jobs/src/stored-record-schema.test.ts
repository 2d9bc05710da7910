import { describe, expect, it } from 'vitest';
import { jobRecordSchema, type JobRecord } from './job-record';
import { parsedJobRecordSchema } from './stored-record-schema';

const record: JobRecord = {
  id: 'job-1',
  label: 'run',
  tool: 'py_run_script_in_dir_v2',
  input: { directory: '/tmp', args: ['a', 1, true, null], env: { A: '1' } },
  status: 'failed',
  progress: { progress: 3, total: 10, message: 'step 3' },
  result: [{ nested: { deep: [1, 2, { x: 'y' }] } }],
  error: { code: 'E', message: 'boom', data: { exit_code: 1 } },
  createdAt: 1,
  startedAt: 2,
  updatedAt: 3,
  finishedAt: 3,
  expiresAt: null,
  owner: { instanceId: 'i', pid: 7, host: 'h' },
  leaseToken: null,
  leaseExpiresAt: null,
  cancelRequestedAt: null,
  cancelReason: null,
  scope: 'session-a',
  idempotencyKey: null,
  version: 4,
};

const fromJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('parsedJobRecordSchema', () => {
  it.each([
    ['a full record', record],
    ['a record without input or result', { ...record, input: undefined, result: undefined }],
    ['a record without error data', { ...record, error: { code: 'E', message: 'boom' } }],
    ['a record with no error', { ...record, status: 'completed', error: null }],
  ])('reads %s back as jobRecordSchema does', (_name, value) => {
    const text = fromJson(value);
    const full = jobRecordSchema.safeParse(text);
    const parsed = parsedJobRecordSchema.safeParse(fromJson(value));
    expect(full.success).toBe(true);
    expect(parsed).toEqual(full);
  });

  it.each([
    ['an unknown status', { status: 'weird' }],
    ['a missing version', { version: undefined }],
    ['a string time', { createdAt: '1' }],
    ['an error without a message', { error: { code: 'E', data: 1 } }],
    ['a progress without a number', { progress: { progress: 'x' } }],
    ['an owner with a fractional pid', { owner: { instanceId: 'i', pid: 1.5, host: 'h' } }],
  ])('still refuses %s', (_name, change) => {
    const value = fromJson({ ...record, ...change });
    expect(jobRecordSchema.safeParse(value).success).toBe(false);
    expect(parsedJobRecordSchema.safeParse(value).success).toBe(false);
  });
});
