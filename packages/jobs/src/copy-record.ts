import type { JobRecord } from './job-record';

/** A copy of a record that shares nothing mutable with the original. */
export function copyRecord(record: JobRecord): JobRecord {
  const copy: JobRecord = {
    ...record,
    progress: record.progress === null ? null : { ...record.progress },
    error: record.error === null ? null : { ...record.error },
    owner: record.owner === null ? null : { ...record.owner },
  };
  if (record.error?.data !== undefined && copy.error !== null)
    copy.error.data = structuredClone(record.error.data);
  if (record.input !== undefined) copy.input = structuredClone(record.input);
  if (record.result !== undefined) copy.result = structuredClone(record.result);
  return copy;
}
