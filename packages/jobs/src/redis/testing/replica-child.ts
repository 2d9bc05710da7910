// A replica for the cross-replica tests: a job manager on a Redis or PostgreSQL store that
// starts never-ending jobs (two by default; progress and output every intervalMs) and prints their ids, then
// runs until killed. Their work stops only when cancelled.
// Usage: node --conditions=@sa/source --import tsx replica-child.ts <redis|postgres> <url> <prefix or schema> [jobs=2] [intervalMs=50]
import { createJobManager } from '../../job-manager';
import type { JobStore } from '../../job-store';
import { createPostgresJobStore } from '../../postgres/postgres-job-store';
import { createRedisJobStore } from '../redis-job-store';

const [kind, url, namespace, count = '2', interval = '50'] = process.argv.slice(2);
const jobCount = Number(count);
const intervalMs = Number(interval);
if (url === undefined || namespace === undefined)
  throw new Error('usage: <kind> <url> <prefix|schema>');
const store: JobStore =
  kind === 'redis'
    ? await createRedisJobStore({ url, prefix: namespace })
    : await createPostgresJobStore({ connectionString: url, schema: namespace });
const manager = createJobManager({
  store,
  leaseMs: 1500,
  heartbeatMs: 200,
  concurrency: jobCount,
  logger: { warn: (message) => process.stderr.write(`${message}\n`) },
});
async function startEndlessJob(): Promise<string> {
  const job = await manager.start(
    ({ signal, reportProgress }) =>
      new Promise<never>((_, reject) => {
        let step = 0;
        const timer = setInterval(() => {
          step++;
          reportProgress({ progress: step, message: `step ${String(step)}` });
          manager.appendOutput(job.id, 'stdout', `line ${String(step)}\n`);
        }, intervalMs);
        signal.addEventListener(
          'abort',
          () => {
            clearInterval(timer);
            process.stdout.write(`${JSON.stringify({ aborted: job.id })}\n`);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      }),
    { tool: 'replica', label: 'replica' },
  );
  return job.id;
}

const started: string[] = [];
for (let index = 0; index < jobCount; index++) started.push(await startEndlessJob());
process.stdout.write(`${JSON.stringify({ started, pid: process.pid })}\n`);
