import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { registerJobTools } from './register-job-tools';
import { registerSmartTool } from './register-smart-tool';
import type { SmartToolContext } from '../smart-call';
import { createDeferred, waitUntil, type Deferred } from '../test-support/deferred';
import { connectInMemory, type InMemoryPair } from './test-support/in-memory-pair';
import { createTestServer, type TestServer } from './test-support/create-test-server';

let setup: TestServer;
let pair: InMemoryPair;
/** Lets each test drive the `steps` tool: each entry resolves one step. */
let context: SmartToolContext | undefined;
let finish: Deferred<string>;
let started: Deferred<void>;

afterEach(async () => {
  finish.resolve('cleanup');
  await pair.close();
  await setup.close();
});

async function start(): Promise<InMemoryPair> {
  setup = createTestServer();
  finish = createDeferred<string>();
  started = createDeferred();
  registerSmartTool(
    setup.server,
    'steps',
    {},
    async (_args, toolContext) => {
      context = toolContext;
      started.resolve();
      return finish.promise;
    },
    { jobs: setup.jobs, budgetMs: 10_000 },
  );
  registerJobTools(setup.server, setup.jobs, { prefix: 'py_', maxWaitSeconds: 10 });
  pair = await connectInMemory(setup.server);
  return pair;
}

function structured(result: unknown): Record<string, unknown> {
  return (result as CallToolResult).structuredContent as Record<string, unknown>;
}

async function startJob(label?: string): Promise<string> {
  const arguments_ =
    label === undefined ? { async_mode: true } : { async_mode: true, job_label: label };
  const handle = structured(await pair.client.callTool({ name: 'steps', arguments: arguments_ }));
  await started.promise;
  const id = handle['job_id'] as string;
  // The pending → running write may land after the work began: wait for it, so a later
  // long-poll does not return on that change instead of the one the test makes.
  await waitUntil(async () => (await setup.jobs.get(id))?.status === 'running');
  return id;
}

async function status(arguments_: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = await pair.client.callTool({ name: 'py_job_status', arguments: arguments_ });
  if (result.isError === true) throw new Error(JSON.stringify(result.content));
  return structured(result)['job'] as Record<string, unknown>;
}

describe('registerJobTools', () => {
  it('returns only new output per the stored cursor, or from the caller offsets', async () => {
    await start();
    const id = await startJob();
    context!.appendOutput('stdout', 'one\n');
    context!.appendOutput('stderr', 'warn\n');
    await setup.jobs.flushOutput(id);
    const first = await status({ job_id: id });
    expect(first).toMatchObject({
      new_stdout: 'one\n',
      new_stderr: 'warn\n',
      stdout_offset: 4,
      stderr_offset: 5,
    });
    context!.appendOutput('stdout', 'two\n');
    await setup.jobs.flushOutput(id);
    expect(await status({ job_id: id })).toMatchObject({ new_stdout: 'two\n', new_stderr: '' });
    expect(await status({ job_id: id })).toMatchObject({ new_stdout: '', stdout_offset: 8 });
    expect(await status({ job_id: id, stdout_offset: 2, stderr_offset: 0 })).toMatchObject({
      new_stdout: 'e\ntwo\n',
      new_stderr: 'warn\n',
      stdout_offset: 8,
    });
    expect(await status({ job_id: id, incremental: false })).toMatchObject({
      new_stdout: 'one\ntwo\n',
    });
  });

  it('long-polls: a waiting status call returns as soon as the job ends', async () => {
    await start();
    const id = await startJob();
    const waiting = status({ job_id: id, wait_seconds: 10 });
    setTimeout(() => finish.resolve('finished'), 20);
    expect(await waiting).toMatchObject({ status: 'completed', result: 'finished' });
  });

  it('long-polls: returns on new output, and at once when output is unread', async () => {
    await start();
    const id = await startJob();
    const waiting = status({ job_id: id, wait_seconds: 10 });
    setTimeout(() => context!.appendOutput('stdout', 'news\n'), 20);
    expect(await waiting).toMatchObject({ status: 'running', new_stdout: 'news\n' });
    context!.appendOutput('stdout', 'more\n');
    await setup.jobs.flushOutput(id);
    expect(await status({ job_id: id, wait_seconds: 10 })).toMatchObject({ new_stdout: 'more\n' });
  });

  it('lists jobs newest first with a total over all matches and a cursor', async () => {
    await start();
    for (const label of ['a', 'b', 'c']) {
      await pair.client.callTool({
        name: 'steps',
        arguments: { async_mode: true, job_label: label },
      });
      await new Promise((resolve) => setTimeout(resolve, 3)); // distinct creation times
    }
    const page = structured(
      await pair.client.callTool({ name: 'py_list_jobs', arguments: { limit: 2 } }),
    );
    expect(page['total']).toBe(3);
    expect((page['jobs'] as { label: string }[]).map(({ label }) => label)).toEqual(['c', 'b']);
    const next = structured(
      await pair.client.callTool({
        name: 'py_list_jobs',
        arguments: { limit: 2, cursor: page['next_cursor'] },
      }),
    );
    expect((next['jobs'] as { label: string }[]).map(({ label }) => label)).toEqual(['a']);
    expect(next['next_cursor']).toBeNull();
    const filtered = structured(
      await pair.client.callTool({
        name: 'py_list_jobs',
        arguments: { status_filter: 'completed' },
      }),
    );
    expect(filtered['total']).toBe(0);
  });

  it('cancels promoted work: the work sees its signal abort and the job is cancelled', async () => {
    await start();
    const id = await startJob();
    const result = await pair.client.callTool({ name: 'py_cancel_job', arguments: { job_id: id } });
    expect(structured(result)).toMatchObject({ job_id: id, status: 'cancelled' });
    expect(context!.signal.aborted).toBe(true);
    expect((await setup.jobs.get(id))!.status).toBe('cancelled');
    const again = await pair.client.callTool({ name: 'py_cancel_job', arguments: { job_id: id } });
    expect(again.isError).toBe(true);
    expect(structured(again)['error']).toMatchObject({ code: 'CONFLICT' });
  });

  it('says unknown jobs were not found', async () => {
    await start();
    for (const name of ['py_job_status', 'py_cancel_job']) {
      const result = await pair.client.callTool({
        name,
        arguments: { job_id: 'no-such-job-000000000' },
      });
      expect(result.isError).toBe(true);
      expect(structured(result)['error']).toMatchObject({ code: 'NOT_FOUND' });
      expect((result.content as { text: string }[])[0]!.text).toContain('was not found');
    }
  });

  it('prunes finished jobs but never running ones', async () => {
    await start();
    const running = await startJob();
    const finished = await setup.jobs.start(() => Promise.resolve('x'), {
      tool: 'steps',
      label: 'other',
    });
    await setup.jobs.wait(finished.id, { timeoutMs: 3000 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await pair.client.callTool({
      name: 'py_prune_jobs',
      arguments: { keep_completed: false, max_age_hours: 0 },
    });
    expect(structured(result)).toEqual({ removed: 1, remaining: 1 });
    expect((await setup.jobs.get(running))!.status).toBe('running');
  });

  it('answers bad input to every job tool as an isError result "INVALID_ARGUMENT: ..." naming the field, not a protocol error', async () => {
    await start();
    const cases: [string, Record<string, unknown>, string][] = [
      ['py_job_status', {}, 'job_id'],
      ['py_job_status', { job_id: 'x', wait_seconds: 'soon' }, 'wait_seconds'],
      ['py_list_jobs', { limit: 5000 }, 'limit'],
      ['py_cancel_job', { job_id: 7 }, 'job_id'],
      ['py_prune_jobs', { keep_failed: 'no' }, 'keep_failed'],
    ];
    for (const [name, arguments_, field] of cases) {
      const result = await pair.client.callTool({ name, arguments: arguments_ });
      expect(result.isError, name).toBe(true);
      const text = (result.content as { text: string }[])[0]!.text;
      expect(text).toMatch(
        new RegExp(`^INVALID_ARGUMENT: Invalid arguments for tool ${name}: ${field}: `),
      );
      expect(text).not.toContain('MCP error');
      expect(structured(result)['error']).toMatchObject({
        code: 'INVALID_ARGUMENT',
        data: { field },
      });
    }
  });

  it('lists every tool with a portable input schema: no type unions, no null types', async () => {
    await start();
    const { tools } = await pair.client.listTools();
    expect(tools.map(({ name }) => name).sort()).toEqual([
      'py_cancel_job',
      'py_job_status',
      'py_list_jobs',
      'py_prune_jobs',
      'steps',
    ]);
    const unportable = (schema: unknown, path: string): string[] => {
      if (typeof schema !== 'object' || schema === null) return [];
      const record = schema as Record<string, unknown>;
      const here =
        Array.isArray(record['type']) || record['type'] === 'null' ? [`${path}.type`] : [];
      return [
        ...here,
        ...Object.entries(record).flatMap(([key, value]) => unportable(value, `${path}.${key}`)),
      ];
    };
    for (const tool of tools) expect(unportable(tool.inputSchema, tool.name)).toEqual([]);
  });
});
