// One replica process of the v2 replica test: a stateless v2 HTTP server over a shared Redis or
// PostgreSQL job store. Run: node --conditions=@sa/source --import tsx v2-replica-main.ts
// Environment: STORE (redis|postgres), STORE_URL, NAMESPACE (key prefix or schema), GATE_DIR.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJobManager, type JobStore } from '@sa/jobs';
import { createPostgresJobStore } from '@sa/jobs/postgres';
import { createRedisJobStore } from '@sa/jobs/redis';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { createSmartTools } from '../index';
import { startV2HttpServer } from './v2-http';

const environment = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const gateDirectory = environment('GATE_DIR');
const store: JobStore =
  environment('STORE') === 'redis'
    ? await createRedisJobStore({ url: environment('STORE_URL'), prefix: environment('NAMESPACE') })
    : await createPostgresJobStore({
        connectionString: environment('STORE_URL'),
        schema: environment('NAMESPACE'),
      });
// Short lease so a killed owner is noticed quickly (the defaults are 15 s and 5 s).
const jobs = createJobManager({ store, leaseMs: 1500, heartbeatMs: 300 });

/** Waits for the gate file `<key>` (the test writes it); on abort writes `<key>.aborted`. */
async function waitForGate(key: string, signal: AbortSignal): Promise<void> {
  while (!existsSync(join(gateDirectory, key))) {
    if (signal.aborted) {
      writeFileSync(join(gateDirectory, `${key}.aborted`), String(process.pid));
      throw signal.reason as Error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const handler = createMcpHandler((ctx) => {
  const server = new McpServer({ name: 'v2-replica', version: '1.0.0' });
  // A cancel through the other replica waits for this one to stop the work (no clock in the test).
  const smart = createSmartTools(server, {
    jobs,
    budgetMs: 50,
    era: ctx.era,
    cancelWaitMs: 30_000,
  });
  smart.tool(
    'slow',
    { inputSchema: { key: z.string() } },
    async ({ key }, { reportProgress, signal }) => {
      writeFileSync(join(gateDirectory, `${key}.started`), String(process.pid));
      reportProgress({ progress: 3, total: 10, message: 'crunching' });
      await waitForGate(key, signal);
      return { done: key, pid: process.pid };
    },
  );
  smart.jobTools();
  return server;
});
const http = await startV2HttpServer(handler);
process.stderr.write(`listening on ${http.url.href}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    await http.close();
    await handler.close();
    await jobs.close({ graceMs: 0 });
    await store.close();
    process.exit(0);
  })();
});
