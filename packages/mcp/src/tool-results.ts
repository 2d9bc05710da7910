import { serializeError } from '@sa/core';
import type { JsonValue } from '@sa/jobs';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The structured error a failed tool call carries. */
export interface ToolError {
  code: string;
  message: string;
  data?: unknown;
}

/** A successful result: `structuredContent` (objects as they are, other values as `{ result }`) plus the same JSON as text. */
export function successResult(value: JsonValue): CallToolResult {
  const structuredContent = isJsonObject(value) ? value : { result: value };
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent };
}

/** A tool-level error: `isError: true`, the message as text, `{ error: { code, message, data? } }` as structured content. */
export function errorResult(error: unknown): CallToolResult {
  return toolErrorResult(serializeError(error));
}

/** A tool-level error result from an already serialised error. */
export function toolErrorResult(serialized: ToolError): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${serialized.code}: ${serialized.message}` }],
    structuredContent: { error: serialized },
  };
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
