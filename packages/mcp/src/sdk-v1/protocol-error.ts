import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { jsonRpcErrorOf } from '../smart-call';

/** This package's error as the SDK v1 `McpError` a protocol handler throws (see `jsonRpcErrorOf`). */
export function toMcpError(error: unknown): McpError {
  if (error instanceof McpError) return error;
  const { code, message, data } = jsonRpcErrorOf(error);
  return new McpError(code, message, data);
}
