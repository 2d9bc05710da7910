import {
  CLIENT_CAPABILITIES_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { tasksExtensionId } from './tasks-extension';

/**
 * What a request can receive: `tasks` (2026-07-28 or later, declares the Tasks extension),
 * `modern` (2026-07-28 or later without it), `legacy` (the 2025 era, which has no envelope).
 */
export type RequestKind = 'tasks' | 'modern' | 'legacy';

/**
 * The kind of a request, read from its own `_meta` envelope (the SDK lifts the
 * `io.modelcontextprotocol/*` keys into `ctx.mcpReq.envelope`); nothing is remembered
 * between requests.
 */
export function requestKindOf(context: Pick<ServerContext, 'mcpReq'>): RequestKind {
  const envelope = context.mcpReq.envelope as Record<string, unknown> | undefined;
  if (envelope?.[PROTOCOL_VERSION_META_KEY] === undefined) return 'legacy';
  return declaresTasksExtension(envelope[CLIENT_CAPABILITIES_META_KEY]) ? 'tasks' : 'modern';
}

/** True when client capabilities declare `extensions["io.modelcontextprotocol/tasks"]`. */
export function declaresTasksExtension(capabilities: unknown): boolean {
  if (typeof capabilities !== 'object' || capabilities === null) return false;
  const extensions = (capabilities as { extensions?: unknown }).extensions;
  if (typeof extensions !== 'object' || extensions === null) return false;
  const declared = (extensions as Record<string, unknown>)[tasksExtensionId];
  return typeof declared === 'object' && declared !== null;
}
