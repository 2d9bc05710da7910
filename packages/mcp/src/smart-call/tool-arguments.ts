import { InvalidArgumentError } from '@sa/core';
import type { z } from 'zod';
import { describeIssues } from './smart-tool-schemas';

/**
 * Checks a tool's arguments against its input schema: the parsed arguments, or
 * `INVALID_ARGUMENT` naming each field and its problem (`data.field` is the first one), so
 * every tool answers bad input in one style instead of the SDK's protocol error.
 */
export async function parseToolArguments<Schema extends z.ZodObject>(
  toolName: string,
  schema: Schema,
  args: unknown,
): Promise<z.output<Schema>> {
  const parsed = await schema.safeParseAsync(args ?? {});
  if (parsed.success) return parsed.data;
  throw invalidArguments(toolName, parsed.error);
}

/** The `INVALID_ARGUMENT` error of a tool's arguments that did not match its schema. */
export function invalidArguments(toolName: string, error: z.ZodError): InvalidArgumentError {
  const issues = error.issues.map(({ path, message }) => ({ path, message }));
  const first = error.issues[0]?.path.map(String).join('.');
  return new InvalidArgumentError(describeIssues(toolName, error), {
    data: { ...(first === undefined || first === '' ? {} : { field: first }), issues },
  });
}
