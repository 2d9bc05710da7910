// The SDK-free smart-call core: everything an adapter (sdk-v1, sdk-v2) builds on. It imports
// no MCP SDK (see no-sdk-imports.test.ts). Adapters import from this file only.
export type { Caller, CallerAuthInfo } from './caller';
export type { CallerScope, ScopeSource } from './scope';
export { resolveCallerScope, scopeOf } from './scope';
export type { ToolResult, ToolTextContent, ToolError } from './tool-result';
export { successResult, errorResult, toolErrorResult, isJsonObject } from './tool-result';
export { toJsonValue } from './to-json-value';
export { resolveBudgetMs, defaultBudgetMs } from './budget-from-environment';
export { OutputSink, defaultMaxBufferedOutputBytes } from './output-sink';
export { defaultTimers as globalTimers } from '@sa/core';
export type {
  SmartToolAnnotations,
  SmartToolConfig,
  SmartToolContext,
  SmartToolHandler,
  SmartToolOptions,
  SmartToolResult,
  SmartToolsOptions,
} from './smart-tool-types';
export { defineSmartTool } from './smart-tool-definition';
export { perShape, emptyShape } from './per-shape';
export type { DefineSmartToolContext, SmartToolDefinition } from './smart-tool-definition';
export { callSmartTool } from './call-smart-tool';
export type { SmartCall, SmartCallOutcome } from './call-smart-tool';
export type { RequestAbortKind } from './request-abort';
export {
  smartParameters,
  buildInputSchema,
  buildOutputSchema,
  describeSmartTool,
  formatIssues,
  describeIssues,
} from './smart-tool-schemas';
export { parseToolArguments, invalidArguments } from './tool-arguments';
export { increasingProgress } from './increasing-progress';
export { smartAsyncMetaKey, jobHandleResult, finishedJobResult } from './job-handle';
export type { JobHandle, HandleReason, HandleContext } from './job-handle';
export { toJobView, isoTime } from './job-view';
export type { JobView } from './job-view';
export {
  taskStatusOf,
  taskStatusMessage,
  taskFieldsOf,
  defaultTaskPollIntervalMs,
} from './task-status';
export type { TaskStatus, TaskFields } from './task-status';
export { getVisibleJob, jobNotFound, withJobMessage } from './job-lookup';
export { readStream, hasUnreadOutput } from './job-output';
export type { StreamRead, StreamReadMode } from './job-output';
export { startKeepAlive } from './keep-alive';
export { createProgressForwarder } from './progress-forwarder';
export type { ProgressForwarder, ProgressForwarderOptions } from './progress-forwarder';
export { cancelJob } from './job-admin';
export { defineJobTools } from './job-tool-definitions';
export type { JobToolDefinition, JobToolDefinitions } from './job-tool-definitions';
export type { JobToolRequest } from './job-tool-request';
export { resolveJobToolsOptions, defaultSettleMs } from './job-tools-options';
export type { JobToolsOptions, ResolvedJobToolsOptions } from './job-tools-options';
export type { JobStatusView } from './job-status';
export { jsonRpcErrorOf, jsonRpcErrorCodes } from './json-rpc-error';
export type { JsonRpcErrorObject } from './json-rpc-error';
