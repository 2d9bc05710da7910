import { serializeError } from '@sa/core';
import type { JobRecord, JsonValue } from '@sa/jobs';
import type { CallToolResult } from '@modelcontextprotocol/server';

/** A successful result: `structuredContent` (objects as they are, other values as `{ result }`) plus the same JSON as text. */
export function successResult(value: JsonValue): CallToolResult {
  const structuredContent =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? value
      : { result: value };
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent };
}

/** A tool-level error: `isError: true`, `CODE: message` as text, `{ error }` as structured content. */
export function errorResult(error: unknown): CallToolResult {
  return toolErrorResult(serializeError(error));
}

function toolErrorResult(serialized: {
  code: string;
  message: string;
  data?: unknown;
}): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${serialized.code}: ${serialized.message}` }],
    structuredContent: { error: serialized },
  };
}

/** What the original call would have returned, for a finished job. */
export function finishedToolResult(record: JobRecord): CallToolResult {
  if (record.status === 'completed') return successResult(record.result ?? null);
  if (record.error !== null) return toolErrorResult(record.error);
  const code =
    record.status === 'cancelled'
      ? 'CANCELLED'
      : record.status === 'interrupted'
        ? 'INTERRUPTED'
        : 'HANDLER_ERROR';
  return toolErrorResult({ code, message: `The job ended as ${record.status}` });
}
