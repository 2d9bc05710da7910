import { createJobManager, createMemoryJobStore, type JobManager } from '@sa/jobs';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { createSmartTools, type SmartToolsOptions } from '../index';
import { createDeferred, type Deferred } from '../../test-support/deferred';
import { startV2HttpServer, type V2HttpServer } from './v2-http';

/** A stateless v2 HTTP server (`createMcpHandler`, a fresh McpServer per request) over one job manager. */
export interface V2TestServer extends V2HttpServer {
  jobs: JobManager;
  /** Gates of the `slow` tool by `key`: resolve one to let that call finish. */
  gate(key: string): Deferred<void>;
  /** Signals the `slow` tool's work saw, by `key`. */
  signals: Map<string, AbortSignal>;
}

/**
 * Tools: `echo` (at once), `slow` (reports `3/10 crunching`, then waits for its gate or its
 * signal), `typed` (declares an outputSchema; slow like `slow` when `wait` is set), `fail`
 * (throws). The budget is short so `slow` is promoted without the test sleeping.
 */
export async function startV2TestServer(
  options: Partial<SmartToolsOptions> = {},
  jobs: JobManager = createJobManager({ store: createMemoryJobStore() }),
): Promise<V2TestServer> {
  const gates = new Map<string, Deferred<void>>();
  const signals = new Map<string, AbortSignal>();
  const gate = (key: string): Deferred<void> => {
    let found = gates.get(key);
    if (found === undefined) {
      found = createDeferred();
      gates.set(key, found);
    }
    return found;
  };
  const waitForGate = async (key: string, signal: AbortSignal): Promise<void> => {
    signals.set(key, signal);
    await new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      gate(key).promise.then(resolve, reject);
    });
  };
  const handler = createMcpHandler((ctx) => {
    const server = new McpServer({ name: 'v2-test', version: '1.0.0' });
    const smart = createSmartTools(server, { jobs, budgetMs: 30, era: ctx.era, ...options });
    smart.tool(
      'echo',
      { description: 'Echoes.', inputSchema: { text: z.string() } },
      ({ text }) => ({ text }),
    );
    smart.tool(
      'slow',
      { inputSchema: { key: z.string() } },
      async ({ key }, { reportProgress, signal }) => {
        reportProgress({ progress: 3, total: 10, message: 'crunching' });
        await waitForGate(key, signal);
        return { done: key };
      },
    );
    smart.tool(
      'typed',
      { inputSchema: { wait: z.string().optional() }, outputSchema: { n: z.number() } },
      async ({ wait }, { signal }) => {
        if (wait !== undefined) await waitForGate(wait, signal);
        return { n: 7 };
      },
    );
    smart.tool(
      'fail',
      { inputSchema: { key: z.string().optional() } },
      async ({ key }, { signal }) => {
        if (key !== undefined) await waitForGate(key, signal);
        throw new Error('the tool failed on purpose');
      },
    );
    smart.jobTools();
    return server;
  });
  const http = await startV2HttpServer(handler);
  return {
    ...http,
    jobs,
    gate,
    signals,
    close: async () => {
      await http.close();
      await handler.close();
      await jobs.close({ graceMs: 0 });
      await jobs.store.close();
    },
  };
}
