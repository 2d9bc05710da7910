// @sa/mcp/sdk-v1: smart tools, job tools and 2025-11-25 tasks for @modelcontextprotocol/sdk 1.x
// servers (McpServer). Loads SDK v1 only.
export { createSmartTools } from './smart-tools';
export type { SmartTools } from './smart-tools';
export { registerSmartTool } from './register-smart-tool';
export { registerJobTools } from './register-job-tools';
export type { JobTools } from './job-tools';
export { tasksCapability } from './task-handlers';
export { toTask, modelImmediateResponseKey } from './task-mapping';
export { createJobTaskStore } from './job-task-store';
export type { JobTaskStoreOptions } from './job-task-store';
export {
  smartAsyncMetaKey,
  resolveBudgetMs,
  defaultBudgetMs,
  defaultSettleMs,
  scopeOf,
  taskStatusOf,
} from '../smart-call';
export type {
  SmartToolConfig,
  SmartToolContext,
  SmartToolHandler,
  SmartToolOptions,
  SmartToolsOptions,
  SmartToolResult,
  SmartToolAnnotations,
  JobHandle,
  HandleReason,
  JobView,
  JobToolsOptions,
  ScopeSource,
  Caller,
  CallerAuthInfo,
} from '../smart-call';
