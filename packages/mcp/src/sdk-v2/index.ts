export { createSmartTools } from './create-smart-tools';
export type { SmartTools, SmartToolsOptions, SmartJobToolsOptions } from './create-smart-tools';
export type {
  SmartToolConfig,
  SmartToolContext,
  SmartToolHandler,
  SmartToolOptions,
  SmartToolResult,
} from '../smart-call';
export type { CreateTaskResult, LegacyCreateTaskResult } from './smart-tool';
export type { LegacyTask } from './legacy-task-methods';
export type { JobTools } from './job-tools';
export { tasksExtensionId, tasksExtensionCapability } from './tasks-extension';
export { requestKindOf, declaresTasksExtension } from './request-kind';
export { scopeOf } from '../smart-call';
export type { RequestKind } from './request-kind';
export { toTaskView, toDetailedTask, taskStatusOf, statusMessageOf } from './task-view';
export type { TaskView, DetailedTask, TaskError, TaskStatus, TaskViewOptions } from './task-view';
