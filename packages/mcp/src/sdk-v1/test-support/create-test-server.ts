import { createJobManager, createMemoryJobStore, type JobManager } from '@sa/jobs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** A server and a job manager over a memory store, closed together. */
export interface TestServer {
  server: McpServer;
  jobs: JobManager;
  close(): Promise<void>;
}

/** Creates an McpServer and a memory-store job manager for a test. */
export function createTestServer(): TestServer {
  const jobs = createJobManager({ store: createMemoryJobStore() });
  const server = new McpServer({ name: 'test-server', version: '1.0.0' });
  return {
    server,
    jobs,
    close: async () => {
      await server.close();
      await jobs.close({ graceMs: 0 });
      await jobs.store.close();
    },
  };
}
