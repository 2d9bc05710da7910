import { InvalidArgumentError } from '@sa/core';
import { z } from 'zod';
import { perShape } from './per-shape';

/** The parameters every smart tool adds to its handler's own. */
export const smartParameters = {
  async_mode: z
    .boolean()
    .default(false)
    .describe('Start in the background at once and return a job handle.'),
  job_label: z
    .string()
    .max(200)
    .optional()
    .describe('A short label for the job, shown by the job tools.'),
};

/** The fields of a job handle, as the output schema admits them. */
const handleShape = {
  job_id: z.string().optional(),
  status: z.enum(['pending', 'running']).optional(),
  label: z.string().optional(),
  message: z.string().optional(),
  smart_async: z.literal(true).optional(),
};

const errorShape = {
  error: z
    .object({ code: z.string(), message: z.string(), data: z.unknown().optional() })
    .optional(),
};

/**
 * The smart tool's input schema: the handler's shape plus `async_mode` and `job_label`. Built
 * once per shape object (see `perShape`).
 */
export const buildInputSchema: (shape: z.ZodRawShape) => z.ZodObject = perShape((shape) => {
  for (const name of Object.keys(smartParameters)) {
    if (name in shape) {
      throw new InvalidArgumentError(
        `The input schema must not define "${name}": smart tools add it themselves`,
        { data: { field: `inputSchema.${name}` } },
      );
    }
  }
  return z.strictObject({ ...shape, ...smartParameters });
});

/**
 * The advertised output schema: it admits the handler's result (its fields become optional, as
 * the result may be a job handle instead) or a job handle or a structured error. Results are
 * checked against the handler's exact schema on the server. Built once per shape object.
 */
export const buildOutputSchema: (shape: z.ZodRawShape) => z.ZodObject = perShape((shape) => {
  const optional: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(shape)) optional[name] = z.optional(schema);
  return z.object({ ...optional, ...handleShape, ...errorShape });
});

/** The handler's exact output schema, results are checked against. Built once per shape object. */
export const buildExactOutputSchema: (shape: z.ZodRawShape) => z.ZodObject = perShape((shape) =>
  z.object(shape),
);

/** The description with one or two sentences that tell a model what to do with a job handle. */
export function describeSmartTool(
  description: string | undefined,
  budgetMs: number,
  statusToolName: string,
): string {
  const seconds = Math.round(budgetMs / 100) / 10;
  const note =
    `If this takes longer than ${seconds} s it returns a job handle ({ job_id, status }) instead of the result; ` +
    `then call ${statusToolName} with that job_id and wait_seconds to get progress and the result.`;
  return description === undefined || description === '' ? note : `${description}\n\n${note}`;
}

/** A zod error as one line naming each field and its problem (unknown parameters by name). */
export function formatIssues(error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return unknownParameters(issue.keys);
    const path = issue.path.map((segment) => boundedName(String(segment))).join('.');
    const message = bounded(issue.message, 200);
    return path === '' ? message : `${path}: ${message}`;
  });
  return problems.join('; ');
}

/** The problem of parameters a tool does not take, naming up to three (bounded). */
function unknownParameters(keys: readonly string[]): string {
  const shown = keys
    .slice(0, 3)
    .map((key) => JSON.stringify(boundedName(key)))
    .join(', ');
  const more = keys.length > 3 ? ` and ${keys.length - 3} more` : '';
  return `Unknown parameter${keys.length === 1 ? '' : 's'} ${shown}${more}: this tool does not take ${keys.length === 1 ? 'it' : 'them'}`;
}

/** A parameter name as echoed back: at most 40 characters. */
export function boundedName(name: string): string {
  return bounded(name, 40);
}

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The message of an invalid-arguments error of a tool. */
export function describeIssues(toolName: string, error: z.ZodError): string {
  return `Invalid arguments for tool ${toolName}: ${formatIssues(error)}`;
}
