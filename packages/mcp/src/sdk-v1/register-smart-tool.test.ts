import { SaError } from '@sa/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerJobTools } from './register-job-tools';
import { registerSmartTool } from './register-smart-tool';
import { createDeferred, waitUntil } from '../test-support/deferred';
import { connectInMemory, type InMemoryPair } from './test-support/in-memory-pair';
import { createTestServer, type TestServer } from './test-support/create-test-server';

let setup: TestServer;
let pair: InMemoryPair | undefined;

afterEach(async () => {
  await pair?.close();
  pair = undefined;
  await setup.close();
});

async function start(register: (setup: TestServer) => void): Promise<InMemoryPair> {
  setup = createTestServer();
  register(setup);
  registerJobTools(setup.server, setup.jobs, { prefix: 'py_' });
  pair = await connectInMemory(setup.server);
  return pair;
}

function structured(result: unknown): Record<string, unknown> {
  return (result as CallToolResult).structuredContent as Record<string, unknown>;
}

describe('registerSmartTool', () => {
  it('answers inline with structured content and the same JSON as text, writing no job', async () => {
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'add',
        { inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() } },
        ({ a, b }) => ({ sum: a + b }),
        { jobs, budgetMs: 1000 },
      ),
    );
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ sum: 5 });
    expect(result.content).toEqual([{ type: 'text', text: '{"sum":5}' }]);
    expect((await setup.jobs.list()).total).toBe(0);
  });

  it('advertises async_mode and job_label and tells the model what to call next', async () => {
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'slow',
        { description: 'Slow work.', inputSchema: { n: z.number() } },
        () => 1,
        {
          jobs,
          budgetMs: 50,
        },
      ),
    );
    const { tools } = await client.listTools();
    const tool = tools.find(({ name }) => name === 'slow')!;
    expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual([
      'n',
      'async_mode',
      'job_label',
    ]);
    expect(tool.description).toMatch(/^Slow work\./);
    expect(tool.description).toContain('py_job_status');
    expect(tool.description).toContain('wait_seconds');
  });

  it('promotes work that exceeds its budget to a durable job and returns a handle', async () => {
    const release = createDeferred();
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'slow',
        { inputSchema: { n: z.number() } },
        async ({ n }, { appendOutput, reportProgress }) => {
          appendOutput('stdout', 'before promotion\n');
          await release.promise;
          reportProgress({ progress: 1, total: 1 });
          appendOutput('stdout', 'after promotion\n');
          return { doubled: n * 2 };
        },
        { jobs, budgetMs: 50, label: 'doubling' },
      ),
    );
    const result = await client.callTool({ name: 'slow', arguments: { n: 21 } });
    const handle = structured(result);
    expect(handle).toMatchObject({ status: 'running', label: 'doubling', smart_async: true });
    expect(handle['message']).toContain('py_job_status');
    expect(handle['message']).toContain('wait_seconds');
    expect(result._meta).toMatchObject({ 'io.github.smart-async/job': { reason: 'budget' } });
    const jobId = handle['job_id'] as string;
    const stored = await setup.jobs.get(jobId);
    expect(stored).toMatchObject({
      status: 'running',
      tool: 'slow',
      label: 'doubling',
      input: { n: 21 },
    });

    release.resolve();
    // A waiting status call returns on any change (progress, output) or when the job ends.
    let job: Record<string, unknown> = {};
    let stdout = '';
    for (let call = 0; call < 20 && job['status'] !== 'completed'; call++) {
      const status = await client.callTool({
        name: 'py_job_status',
        arguments: { job_id: jobId, wait_seconds: 10 },
      });
      job = structured(status)['job'] as Record<string, unknown>;
      stdout += job['new_stdout'] as string;
    }
    expect(job).toMatchObject({ job_id: jobId, status: 'completed', result: { doubled: 42 } });
    await setup.jobs.flushOutput(jobId);
    stdout += (
      structured(await client.callTool({ name: 'py_job_status', arguments: { job_id: jobId } }))[
        'job'
      ] as { new_stdout: string }
    ).new_stdout;
    expect(stdout).toBe('before promotion\nafter promotion\n');
    expect(job).not.toHaveProperty('leaseToken');
    expect(job).not.toHaveProperty('owner');
  });

  it('starts at once in async_mode and returns a pending or running handle', async () => {
    const release = createDeferred();
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'work',
        {},
        async () => {
          await release.promise;
          return 'done';
        },
        { jobs, budgetMs: 10_000 },
      ),
    );
    const result = await client.callTool({
      name: 'work',
      arguments: { async_mode: true, job_label: 'mine' },
    });
    const handle = structured(result);
    expect(['pending', 'running']).toContain(handle['status']);
    expect(handle['label']).toBe('mine');
    release.resolve();
    const record = await setup.jobs.wait(handle['job_id'] as string, { timeoutMs: 3000 });
    expect(record).toMatchObject({ status: 'completed', result: 'done' });
  });

  it('runs a handler that returns a plain value as a job too', async () => {
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'now',
        { outputSchema: { value: z.number() } },
        () => ({ value: 1 }),
        {
          jobs,
        },
      ),
    );
    const handle = structured(
      await client.callTool({ name: 'now', arguments: { async_mode: true } }),
    );
    const record = await setup.jobs.wait(handle['job_id'] as string, { timeoutMs: 3000 });
    expect(record).toMatchObject({ status: 'completed', result: { value: 1 } });
  });

  it('sends inline progress as notifications/progress with increasing progress', async () => {
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'count',
        {},
        async (_args, { reportProgress }) => {
          for (let step = 1; step <= 3; step++) {
            reportProgress({ progress: step, total: 3, message: `step ${step}` });
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          return 'counted';
        },
        { jobs, budgetMs: 5000, progressIntervalMs: 0 },
      ),
    );
    const seen: number[] = [];
    const result = await client.callTool({ name: 'count', arguments: {} }, undefined, {
      onprogress: ({ progress }) => seen.push(progress),
    });
    expect(result.structuredContent).toEqual({ result: 'counted' });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('cancels inline work on notifications/cancelled and leaves no job', async () => {
    const started = createDeferred();
    const aborted = createDeferred<unknown>();
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'hang',
        {},
        async (_args, { signal }) => {
          signal.addEventListener('abort', () => aborted.resolve(signal.reason), { once: true });
          started.resolve();
          return new Promise(() => {});
        },
        { jobs, budgetMs: 10_000 },
      ),
    );
    const controller = new AbortController();
    const call = client.callTool({ name: 'hang', arguments: {} }, undefined, {
      signal: controller.signal,
    });
    const rejected = expect(call).rejects.toThrow();
    await started.promise;
    controller.abort('stop');
    await rejected;
    expect(SaError.isInstance(await aborted.promise)).toBe(true);
    expect((await setup.jobs.list()).total).toBe(0);
  });

  it('promotes inline work to a job when the transport closes, and keeps its result', async () => {
    const started = createDeferred();
    const release = createDeferred();
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'long',
        {},
        async (_args, { appendOutput }) => {
          appendOutput('stderr', 'working\n');
          started.resolve();
          await release.promise;
          return { value: 7 };
        },
        { jobs, budgetMs: 10_000 },
      ),
    );
    const call = client.callTool({ name: 'long', arguments: {} });
    const rejected = expect(call).rejects.toThrow(/Connection closed/);
    await started.promise;
    await pair!.clientTransport.close();
    await rejected;
    await waitUntil(async () => (await setup.jobs.list()).total === 1);
    const [job] = (await setup.jobs.list()).jobs;
    expect(job!.status).toBe('running');
    release.resolve();
    const done = await setup.jobs.wait(job!.id, { timeoutMs: 3000 });
    expect(done).toMatchObject({ status: 'completed', result: { value: 7 } });
    await setup.jobs.flushOutput(job!.id);
    expect((await setup.jobs.readOutput(job!.id, 'stderr')).data).toBe('working\n');
  });

  it('returns isError naming the field for invalid arguments', async () => {
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(server, 'add', { inputSchema: { a: z.number() } }, ({ a }) => a, { jobs }),
    );
    const result = await client.callTool({ name: 'add', arguments: { a: 'two' } });
    expect(result.isError).toBe(true);
    const error = structured(result)['error'] as Record<string, unknown>;
    expect(error['code']).toBe('INVALID_ARGUMENT');
    expect(error['message']).toMatch(/Invalid arguments for tool add: a: .*expected number/);
    const missing = await client.callTool({ name: 'add', arguments: {} });
    expect((structured(missing)['error'] as { message: string }).message).toMatch(/\ba: /);
  });

  it('returns isError with the message of a throwing handler, keeping a SaError code', async () => {
    const { client } = await start(({ server, jobs }) => {
      registerSmartTool(
        server,
        'boom',
        {},
        () => {
          throw new Error('it broke');
        },
        { jobs },
      );
      registerSmartTool(
        server,
        'coded',
        {},
        async () => {
          await Promise.resolve();
          throw new SaError('CONFLICT', 'already there', { data: { id: 1 } });
        },
        { jobs },
      );
    });
    const boom = await client.callTool({ name: 'boom', arguments: {} });
    expect(boom.isError).toBe(true);
    expect(boom.content).toEqual([{ type: 'text', text: 'HANDLER_ERROR: it broke' }]);
    const coded = await client.callTool({ name: 'coded', arguments: {} });
    expect(structured(coded)['error']).toEqual({
      code: 'CONFLICT',
      message: 'already there',
      data: { id: 1 },
    });
  });

  it('rejects a result that is not JSON, inline and as a job', async () => {
    const release = createDeferred();
    const { client } = await start(({ server, jobs }) => {
      registerSmartTool(server, 'big', {}, () => ({ count: 10n }), { jobs });
      registerSmartTool(
        server,
        'late',
        {},
        async () => {
          await release.promise;
          return { when: new Map() };
        },
        { jobs, budgetMs: 20 },
      );
    });
    const inline = await client.callTool({ name: 'big', arguments: {} });
    expect(inline.isError).toBe(true);
    expect(structured(inline)['error']).toMatchObject({ code: 'NOT_SERIALIZABLE' });
    expect((structured(inline)['error'] as { message: string }).message).toContain('$.count');

    const handle = structured(await client.callTool({ name: 'late', arguments: {} }));
    release.resolve();
    const record = await setup.jobs.wait(handle['job_id'] as string, { timeoutMs: 3000 });
    expect(record.status).toBe('failed');
    expect(record.error).toMatchObject({ code: 'NOT_SERIALIZABLE' });
  });

  it('checks results against the output schema', async () => {
    const { client } = await start(({ server, jobs }) =>
      registerSmartTool(
        server,
        'typed',
        { outputSchema: { sum: z.number() } },
        () => ({ sum: 'x' }) as never,
        { jobs },
      ),
    );
    await client.listTools();
    const result = await client.callTool({ name: 'typed', arguments: {} });
    expect(result.isError).toBe(true);
    expect((structured(result)['error'] as { message: string }).message).toMatch(
      /output schema: sum:/,
    );
  });
});
