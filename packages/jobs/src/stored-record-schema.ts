import { z } from 'zod';
import { jobErrorSchema, jobRecordSchema, type JobRecord, type JsonValue } from './job-record';

// Zod checks a JsonValue field by walking it through a recursive union, which costs more than
// the JSON.parse that produced it: two thirds of reading a record with a small input and result.
// A value that JSON.parse returned is JSON by construction, so only its presence is left to check.
const parsedJsonSchema = z.custom<JsonValue>((value) => value !== undefined);

/**
 * Zod schema of a job record read back from storage as the output of `JSON.parse` (file, Redis
 * and PostgreSQL stores). It checks every field as `jobRecordSchema` does, except that `input`,
 * `result` and `error.data` are taken as the JSON values they already are. Never use it on a
 * value that did not come straight from `JSON.parse`: use `jobRecordSchema`.
 */
export const parsedJobRecordSchema: z.ZodType<JobRecord> = jobRecordSchema.extend({
  input: parsedJsonSchema.optional(),
  result: parsedJsonSchema.optional(),
  error: jobErrorSchema.extend({ data: parsedJsonSchema.optional() }).nullable(),
});
