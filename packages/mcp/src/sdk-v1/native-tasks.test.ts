import {
  CallToolResultSchema,
  RELATED_TASK_META_KEY,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerJobTools } from './register-job-tools';
import { registerSmartTool } from './register-smart-tool';
import { modelImmediateResponseKey } from './task-mapping';
import { createDeferred, type Deferred } from '../test-support/deferred';
import { connectInMemory, type InMemoryPair } from './test-support/in-memory-pair';
import { createTestServer, type TestServer } from './test-support/create-test-server';

let setup: TestServer;
let pair: InMemoryPair;
let release: Deferred<void>;
let started: Deferred<AbortSignal>;

afterEach(async () => {
  release.resolve();
  await pair.close();
  await setup.close();
});

async function start(): Promise<InMemoryPair> {
  setup = createTestServer();
  release = createDeferred();
  started = createDeferred<AbortSignal>();
  registerSmartTool(
    setup.server,
    'square',
    { inputSchema: { n: z.number() }, outputSchema: { square: z.number() } },
    async ({ n }, { signal, reportProgress }) => {
      started.resolve(signal);
      reportProgress({ progress: 1, total: 2, message: 'started' });
      await release.promise;
      reportProgress({ progress: 2, total: 2, message: 'squared' });
      return { square: n * n };
    },
    { jobs: setup.jobs, budgetMs: 50, progressIntervalMs: 0 },
  );
  registerJobTools(setup.server, setup.jobs, { prefix: 'py_', tasks: true });
  pair = await connectInMemory(setup.server);
  return pair;
}

describe('native MCP tasks', () => {
  it('advertises the tasks capability and optional task support on smart tools', async () => {
    const { client } = await start();
    expect(client.getServerCapabilities()?.tasks).toEqual({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
    const { tools } = await client.listTools();
    expect(tools.find(({ name }) => name === 'square')!.execution).toEqual({
      taskSupport: 'optional',
    });
    expect(tools.find(({ name }) => name === 'py_job_status')!.execution).toEqual({
      taskSupport: 'forbidden',
    });
  });

  it('runs a task-augmented call as a job: callToolStream yields the task, then the result', async () => {
    const { client } = await start();
    await client.listTools();
    const stream = client.experimental.tasks.callToolStream({
      name: 'square',
      arguments: { n: 7 },
    });
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: 'taskCreated', task: { status: 'working' } });
    const taskId = (first.value as { task: { taskId: string } }).task.taskId;
    await started.promise;
    expect((await setup.jobs.get(taskId))!.status).toBe('running');
    const jobView = structuredJob(
      await client.callTool({ name: 'py_job_status', arguments: { job_id: taskId } }),
    );
    expect(jobView['status']).toBe('running');
    release.resolve();
    await setup.jobs.wait(taskId, { timeoutMs: 3000 });
    const messages = [];
    for await (const message of stream) messages.push(message);
    expect(messages.map(({ type }) => type)).toEqual(['taskStatus', 'result']);
    const result = (messages[1] as { result: CallToolResult }).result;
    expect(result.structuredContent).toEqual({ square: 49 });
    expect(result._meta).toMatchObject({ [RELATED_TASK_META_KEY]: { taskId } });
  });

  it('answers CreateTaskResult at once with a model-immediate response', async () => {
    const { client } = await start();
    const created = await client.request(
      { method: 'tools/call', params: { name: 'square', arguments: { n: 2 }, task: {} } },
      z.object({
        task: z.object({ taskId: z.string(), status: z.string() }),
        _meta: z.record(z.string(), z.unknown()),
      }),
    );
    expect(created.task.status).toBe('working');
    expect(created._meta[modelImmediateResponseKey]).toContain(created.task.taskId);
  });

  it('tasks/result returns as soon as the job ends', async () => {
    const { client } = await start();
    const stream = client.experimental.tasks.callToolStream(
      { name: 'square', arguments: { n: 3 } },
      CallToolResultSchema,
      { task: {} },
    );
    const created = await stream.next();
    const taskId = (created.value as { task: { taskId: string } }).task.taskId;
    await stream.return(undefined);
    const result = client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    setTimeout(() => release.resolve(), 20);
    expect((await result).structuredContent).toEqual({ square: 9 });
  });

  it('tasks/cancel stops the work and the task stays cancelled', async () => {
    const { client } = await start();
    const stream = client.experimental.tasks.callToolStream(
      { name: 'square', arguments: { n: 3 } },
      CallToolResultSchema,
      { task: {} },
    );
    const taskId = ((await stream.next()).value as { task: { taskId: string } }).task.taskId;
    await stream.return(undefined);
    const signal = await started.promise;
    const cancelled = await client.experimental.tasks.cancelTask(taskId);
    expect(cancelled.status).toBe('cancelled');
    expect(signal.aborted).toBe(true);
    expect((await client.experimental.tasks.getTask(taskId)).status).toBe('cancelled');
    expect((await setup.jobs.get(taskId))!.status).toBe('cancelled');
    await expect(client.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/terminal/);
  });

  it('lists the same jobs as tasks and says unknown tasks are not found', async () => {
    const { client } = await start();
    await client.callTool({ name: 'square', arguments: { n: 1, async_mode: true } });
    const { tasks } = await client.experimental.tasks.listTasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.status).toBe('working');
    await expect(client.experimental.tasks.getTask('unknown-task-0000000000')).rejects.toThrow(
      /not found/,
    );
  });

  it('a call without task uses smart async, not task polling', async () => {
    const { client } = await start();
    const result = await client.callTool({ name: 'square', arguments: { n: 4 } });
    expect(result.structuredContent).toMatchObject({ smart_async: true, status: 'running' });
  });

  it('sends the task progress on the original progress token until the task ends', async () => {
    const { client } = await start();
    const seen: { progress: number; message?: string }[] = [];
    const stream = client.experimental.tasks.callToolStream(
      { name: 'square', arguments: { n: 5 } },
      CallToolResultSchema,
      { task: {}, onprogress: ({ progress, message }) => seen.push({ progress, message }) },
    );
    const taskId = ((await stream.next()).value as { task: { taskId: string } }).task.taskId;
    await stream.return(undefined);
    release.resolve();
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.structuredContent).toEqual({ square: 25 });
    expect(seen).toEqual([
      { progress: 1, message: 'started' },
      { progress: 2, message: 'squared' },
    ]);
  });
});

function structuredJob(result: unknown): Record<string, unknown> {
  return ((result as CallToolResult).structuredContent as { job: Record<string, unknown> }).job;
}
