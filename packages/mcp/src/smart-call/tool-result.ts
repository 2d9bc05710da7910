import { serializeError } from '@sa/core';
import type { JsonValue } from '@sa/jobs';

/** A text block of a tool result. */
export interface ToolTextContent {
  type: 'text';
  text: string;
}

/**
 * A tool result as both MCP SDK lines send it (structurally a `CallToolResult`): the text for
 * the model, the same JSON as `structuredContent`, `isError` for tool-level errors.
 */
export interface ToolResult {
  [key: string]: unknown;
  content: ToolTextContent[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** The structured error a failed tool call carries. */
export interface ToolError {
  code: string;
  message: string;
  data?: unknown;
}

/** A successful result: `structuredContent` (objects as they are, other values as `{ result }`) plus the same JSON as text. */
export function successResult(value: JsonValue): ToolResult {
  const structuredContent = isJsonObject(value) ? value : { result: value };
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent };
}

/** A tool-level error: `isError: true`, `CODE: message` as text, `{ error: { code, message, data? } }` as structured content. */
export function errorResult(error: unknown): ToolResult {
  return toolErrorResult(serializeError(error));
}

/** A tool-level error result from an already serialised error. */
export function toolErrorResult(serialized: ToolError): ToolResult {
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
