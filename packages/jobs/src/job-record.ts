import { z } from 'zod';

/** Every status a job can have. `completed`, `failed`, `cancelled`, `interrupted` are terminal. */
export const jobStatuses = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const;

/** Where a job is in its life. */
export type JobStatus = (typeof jobStatuses)[number];

/** The terminal statuses: a job in one of them never changes status again. */
export const terminalJobStatuses: readonly JobStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'interrupted',
];

/** True when `status` is terminal. */
export function isTerminalStatus(status: JobStatus): boolean {
  return terminalJobStatuses.includes(status);
}

/** A JSON value. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Zod schema of a JSON value. */
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema),
    z.record(z.string(), jsonValueSchema),
  ]),
);

/** Zod schema of a job's progress. */
export const jobProgressSchema = z.object({
  progress: z.number(),
  total: z.number().optional(),
  message: z.string().optional(),
});

/** Zod schema of a job's error. */
export const jobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  data: jsonValueSchema.optional(),
});

/** Zod schema of a job's owner: the process that runs it. */
export const jobOwnerSchema = z.object({
  instanceId: z.string(),
  pid: z.number().int(),
  host: z.string(),
});

/**
 * Zod schema of a stored job. Times are epoch milliseconds (from the store's clock where the
 * store has one); `version` starts at 1 and grows by one with every change.
 */
export const jobRecordSchema = z.object({
  id: z.string().min(1),
  label: z.string(),
  tool: z.string(),
  input: jsonValueSchema.optional(),
  status: z.enum(jobStatuses),
  progress: jobProgressSchema.nullable(),
  result: jsonValueSchema.optional(),
  error: jobErrorSchema.nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  updatedAt: z.number(),
  finishedAt: z.number().nullable(),
  expiresAt: z.number().nullable(),
  owner: jobOwnerSchema.nullable(),
  /** Fencing token of the current owner; never shown to clients. */
  leaseToken: z.string().nullable(),
  leaseExpiresAt: z.number().nullable(),
  cancelRequestedAt: z.number().nullable(),
  cancelReason: z.string().nullable(),
  scope: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  version: z.number().int().positive(),
});

/** A stored job. */
export type JobRecord = z.infer<typeof jobRecordSchema>;
/** A job's progress. */
export type JobProgress = z.infer<typeof jobProgressSchema>;
/** A job's error. */
export type JobError = z.infer<typeof jobErrorSchema>;
/** A job's owner. */
export type JobOwner = z.infer<typeof jobOwnerSchema>;
