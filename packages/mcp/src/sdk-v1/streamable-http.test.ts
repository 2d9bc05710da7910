import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createJobManager, createMemoryJobStore, type JobManager } from '@sa/jobs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerJobTools } from './register-job-tools';
import { registerSmartTool } from './register-smart-tool';
import { createDeferred, type Deferred } from '../test-support/deferred';
import { startHttpServer, type HttpTestServer } from './test-support/http-server';
import { waitForJobEnd } from './test-support/wait-for-job-end';

let jobs: JobManager;
let http: HttpTestServer;
let release: Deferred<void>;
let holding: Deferred<void>;
const clients: Client[] = [];

beforeEach(async () => {
  jobs = createJobManager({ store: createMemoryJobStore() });
  release = createDeferred();
  holding = createDeferred();
  http = await startHttpServer(() => {
    const server = new McpServer({ name: 'http-test', version: '1.0.0' });
    registerSmartTool(
      server,
      'echo',
      { inputSchema: { text: z.string() } },
      async ({ text }, { reportProgress }) => {
        reportProgress({ progress: 1, message: 'echoing' });
        if (text === 'slow') await release.promise;
        return { text };
      },
      { jobs, budgetMs: 50, progressIntervalMs: 0 },
    );
    registerSmartTool(
      server,
      'hold',
      {},
      async () => {
        holding.resolve();
        await release.promise;
        return { held: true };
      },
      { jobs, budgetMs: 10_000 },
    );
    registerJobTools(server, jobs, { prefix: 'py_', tasks: true });
    return server;
  });
});

afterEach(async () => {
  release.resolve();
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await http.close();
  await jobs.close({ graceMs: 0 });
});

async function connect(): Promise<Client> {
  return (await connectWithTransport()).client;
}

async function connectWithTransport(): Promise<{
  client: Client;
  transport: StreamableHTTPClientTransport;
}> {
  const client = new Client({ name: 'http-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(http.url);
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

function structured(result: unknown): Record<string, unknown> {
  return (result as CallToolResult).structuredContent as Record<string, unknown>;
}

describe('over Streamable HTTP with sessions', () => {
  it('answers inline with progress, and promotes slow work to a handle', async () => {
    const client = await connect();
    const progress: number[] = [];
    const inline = await client.callTool({ name: 'echo', arguments: { text: 'hi' } }, undefined, {
      onprogress: (update) => progress.push(update.progress),
    });
    expect(inline.structuredContent).toEqual({ text: 'hi' });
    expect(progress).toEqual([1]);
    const handle = structured(await client.callTool({ name: 'echo', arguments: { text: 'slow' } }));
    expect(handle).toMatchObject({ status: 'running', smart_async: true });
    release.resolve();
    const job = await waitForJobEnd(client, 'py_job_status', handle['job_id'] as string);
    expect(job).toMatchObject({ status: 'completed', result: { text: 'slow' } });
  });

  it('scopes jobs to their session: another client cannot read, wait on, cancel or list them', async () => {
    const owner = await connect();
    const stranger = await connect();
    const handle = structured(
      await owner.callTool({ name: 'echo', arguments: { text: 'slow', async_mode: true } }),
    );
    const jobId = handle['job_id'] as string;
    for (const [name, arguments_] of [
      ['py_job_status', { job_id: jobId }],
      ['py_job_status', { job_id: jobId, wait_seconds: 1 }],
      ['py_cancel_job', { job_id: jobId }],
    ] as const) {
      const result = await stranger.callTool({ name, arguments: arguments_ });
      expect(result.isError).toBe(true);
      expect(structured(result)['error']).toMatchObject({ code: 'NOT_FOUND' });
    }
    await expect(stranger.experimental.tasks.getTask(jobId)).rejects.toThrow(/not found/);
    await expect(stranger.experimental.tasks.cancelTask(jobId)).rejects.toThrow(/not found/);
    const strangerList = structured(
      await stranger.callTool({ name: 'py_list_jobs', arguments: {} }),
    );
    expect(strangerList['total']).toBe(0);
    expect((await stranger.experimental.tasks.listTasks()).tasks).toEqual([]);

    const ownerList = structured(await owner.callTool({ name: 'py_list_jobs', arguments: {} }));
    expect(ownerList['total']).toBe(1);
    expect((await jobs.get(jobId))!.status).toBe('running');
    const cancelled = await owner.callTool({ name: 'py_cancel_job', arguments: { job_id: jobId } });
    expect(structured(cancelled)).toMatchObject({ status: 'cancelled' });
  });

  it('promotes inline work to a job when the session closes, and keeps its result', async () => {
    const { client, transport } = await connectWithTransport();
    const call = client.callTool({ name: 'hold', arguments: {} });
    const settled = call.then(
      () => 'answered',
      () => 'failed',
    );
    await holding.promise;
    await transport.terminateSession();
    await client.close();
    expect(await settled).toBe('failed');
    let listed = await jobs.list();
    for (let attempt = 0; attempt < 100 && listed.total === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      listed = await jobs.list();
    }
    expect(listed.total).toBe(1);
    const job = listed.jobs[0]!;
    expect(job).toMatchObject({ status: 'running', tool: 'hold' });
    expect(job.scope).toMatch(/^session:/);
    release.resolve();
    expect(await jobs.wait(job.id, { timeoutMs: 3000 })).toMatchObject({
      status: 'completed',
      result: { held: true },
    });
  });
});
