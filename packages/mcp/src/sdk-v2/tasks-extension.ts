/** The identifier of the MCP Tasks extension (protocol 2026-07-28, SEP-2663). */
export const tasksExtensionId = 'io.modelcontextprotocol/tasks';

/** The server capability that advertises the Tasks extension (exactly an empty object). */
export const tasksExtensionCapability = {
  extensions: { [tasksExtensionId]: {} },
} as const;
