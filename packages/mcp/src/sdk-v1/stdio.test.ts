import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./test-support/stdio-server.ts', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
let directory: string;
let client: Client;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sa-mcp-stdio-'));
  client = new Client({ name: 'stdio-client', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--conditions=@sa/source', '--import', 'tsx', script],
      cwd: repositoryRoot,
      env: {
        ...(process.env as Record<string, string>),
        JOBS_DIRECTORY: directory,
        SMART_ASYNC_TIMEOUT_SECONDS: '0.2',
      },
      stderr: 'inherit',
    }),
  );
}, 30_000);

afterAll(async () => {
  await client.close();
  await rm(directory, { recursive: true, force: true });
});

function structured(result: unknown): Record<string, unknown> {
  return (result as CallToolResult).structuredContent as Record<string, unknown>;
}

describe('over stdio, with the file store', () => {
  it('answers inline within the budget from SMART_ASYNC_TIMEOUT_SECONDS', async () => {
    const result = await client.callTool({ name: 'sleep', arguments: { ms: 0 } });
    expect(result.structuredContent).toEqual({ slept: 0 });
    const list = structured(await client.callTool({ name: 'py_list_jobs', arguments: {} }));
    expect(list['total']).toBe(0);
  });

  it('promotes slow work and a waiting status call returns its result', async () => {
    const handle = structured(await client.callTool({ name: 'sleep', arguments: { ms: 600 } }));
    expect(handle).toMatchObject({ status: 'running', smart_async: true });
    // A wait returns on any change (output, progress) or when the job ends: wait until it ends.
    let job: Record<string, unknown> = {};
    for (let call = 0; call < 20 && job['status'] !== 'completed'; call++) {
      const status = await client.callTool({
        name: 'py_job_status',
        arguments: { job_id: handle['job_id'], wait_seconds: 10 },
      });
      job = structured(status)['job'] as Record<string, unknown>;
    }
    expect(job).toMatchObject({ status: 'completed', result: { slept: 600 } });
  });

  it('cancels inline work on notifications/cancelled, leaving no job', async () => {
    const before = structured(await client.callTool({ name: 'py_list_jobs', arguments: {} }))[
      'total'
    ];
    const controller = new AbortController();
    const call = client.callTool({ name: 'sleep', arguments: { ms: 60_000 } }, undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort('stop'), 50);
    await expect(call).rejects.toThrow();
    const after = structured(await client.callTool({ name: 'py_list_jobs', arguments: {} }))[
      'total'
    ];
    expect(after).toBe(before);
  });

  it('runs a native task and returns its result through tasks/result', async () => {
    const stream = client.experimental.tasks.callToolStream(
      { name: 'sleep', arguments: { ms: 10 } },
      CallToolResultSchema,
      { task: {} },
    );
    const created = await stream.next();
    const taskId = (created.value as { task: { taskId: string } }).task.taskId;
    await stream.return(undefined);
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.structuredContent).toEqual({ slept: 10 });
  });
});
