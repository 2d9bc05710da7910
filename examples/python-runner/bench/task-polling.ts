import { join } from 'node:path';
import type { PythonRunnerConfig } from '../src/config';
import { resolveConfig } from '../src/config';
import { startHttpServer } from '../src/http-server';
import { createStderrLogger } from '../src/logger';
import { createPythonRunnerServer } from '../src/server';
import { request2026 } from '../src/testing/dist-server';

const runs = 8;

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/**
 * A 2026-07-28 client with the Tasks extension over Streamable HTTP: a script that runs about
 * 1.2 s as a task (async_mode), `tasks/get` polled at the `pollIntervalMs` the task suggests
 * (the default, 1000 ms). Reports how long after the job finished (its stored `finishedAt`)
 * the client saw `completed`, and the whole call.
 */
export async function benchTaskPolling(root: string): Promise<void> {
  const config: PythonRunnerConfig = resolveConfig({
    transport: 'http',
    port: 0,
    roots: [root],
    dataDirectory: join(root, 'data-tasks'),
    inlineTimeoutSeconds: 0.2,
  });
  const logger = createStderrLogger({ quiet: true });
  const server = await createPythonRunnerServer({ config, logger });
  const endpoint = await startHttpServer({ server, config, logger });
  const url = new URL(endpoint.url);
  const lag: number[] = [];
  const total: number[] = [];
  let interval = Number.NaN;
  try {
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      const created = await request2026(
        url,
        'tools/call',
        {
          name: 'py_run_script_in_dir_v2',
          arguments: {
            directory: root,
            script_content: 'import time\ntime.sleep(1.2)\nprint("done")',
            async_mode: true,
          },
        },
        { name: 'py_run_script_in_dir_v2' },
      );
      if (created.kind !== 'result' || created.result['resultType'] !== 'task')
        throw new Error(`no task: ${JSON.stringify(created)}`);
      const taskId = created.result['taskId'] as string;
      interval = Number(created.result['pollIntervalMs'] ?? 1000);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, interval));
        const answer = await request2026(url, 'tasks/get', { taskId }, { name: taskId });
        if (answer.kind !== 'result') throw new Error(answer.error.message);
        if (answer.result['status'] === 'working') continue;
        const seenAt = Date.now();
        total.push(performance.now() - started);
        const record = await server.services.jobs.get(taskId);
        lag.push(seenAt - (record?.finishedAt ?? Number.NaN));
        break;
      }
    }
  } finally {
    await endpoint.close();
    await server.close();
  }
  console.log(
    `2026-07-28 task (a 1.2 s script, async_mode) polled with tasks/get every ${interval} ms (the default pollIntervalMs), ${runs} runs:`,
  );
  console.log(
    `  completion seen after the job finished: p50 ${percentile(lag, 0.5).toFixed(0)} ms, max ${Math.max(...lag).toFixed(0)} ms ` +
      `(expected within one poll interval); whole call p50 ${percentile(total, 0.5).toFixed(0)} ms`,
  );
}
