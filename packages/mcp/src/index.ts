export { registerSmartTool } from './register-smart-tool';
export type {
  SmartToolConfig,
  SmartToolContext,
  SmartToolHandler,
  SmartToolOptions,
  SmartToolResult,
} from './smart-tool-types';
export { smartAsyncMetaKey } from './job-handle';
export type { JobHandle, HandleReason } from './job-handle';
export type { JobView } from './job-view';
export { resolveBudgetMs, defaultBudgetMs } from './budget-from-environment';
export { registerJobTools } from './register-job-tools';
export type { JobTools } from './register-job-tools';
export type { JobToolsOptions } from './job-tools-types';
export { tasksCapability } from './task-handlers';
export { toTask, taskStatusOf, modelImmediateResponseKey } from './task-mapping';
export { createJobTaskStore } from './job-task-store';
export type { JobTaskStoreOptions } from './job-task-store';
export { scopeOf } from './scope';
export type { ScopeSource } from './scope';
