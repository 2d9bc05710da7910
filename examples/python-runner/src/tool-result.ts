import type { CallToolResult } from '@modelcontextprotocol/server';
import { serializeError } from '@sa/core';

/** A tool result carrying `value` as JSON text and as structured content (lists as `{ result }`). */
export function jsonResult(value: unknown): CallToolResult {
  const structured =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { result: value };
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: structured,
  };
}

/** A tool result with `isError: true` whose text names the problem. */
export function errorResult(error: unknown): CallToolResult {
  const serialized = serializeError(error);
  return {
    isError: true,
    content: [{ type: 'text', text: `${serialized.code}: ${serialized.message}` }],
    structuredContent: { error: serialized },
  };
}

/** Runs a tool body; anything it throws becomes an `isError` result, never an unhandled rejection. */
export async function toolCall(body: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return jsonResult(await body());
  } catch (error) {
    return errorResult(error);
  }
}
