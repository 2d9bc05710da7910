import { InvalidArgumentError } from '@sa/core';
import type { z } from 'zod';
import { boundedName, describeIssues } from './smart-tool-schemas';

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
  const issues = error.issues.slice(0, 10).map(({ path, message }) => ({
    path: path.map((segment) =>
      typeof segment === 'number' ? segment : boundedName(String(segment)),
    ),
    message: message.length > 200 ? `${message.slice(0, 200)}…` : message,
  }));
  const issue = error.issues[0];
  const first =
    issue === undefined
      ? undefined
      : issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined
        ? boundedName(issue.keys[0])
        : issue.path.map((segment) => boundedName(String(segment))).join('.');
  return new InvalidArgumentError(describeIssues(toolName, error), {
    data: { ...(first === undefined || first === '' ? {} : { field: first }), issues },
  });
}
