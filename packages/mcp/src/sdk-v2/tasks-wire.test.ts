import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../test-support/deferred';
import { rawRequest, tasksExtension, type RawAnswer } from './test-support/v2-http';
import { startV2TestServer, type V2TestServer } from './test-support/v2-server';

// Raw JSON-RPC over fetch against a stateless v2 server: the wire, byte for byte.

function result(answer: RawAnswer): Record<string, unknown> {
  if (answer.kind !== 'result') throw new Error(`expected a result, got ${JSON.stringify(answer)}`);
  return answer.result;
}

function error(answer: RawAnswer): { code: number; message: string; data?: unknown } {
  if (answer.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(answer)}`);
  return answer.error;
}

describe('Tasks extension on the wire (2026-07-28)', () => {
  let server: V2TestServer;
  beforeEach(async () => {
    server = await startV2TestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const call = (name: string, args: Record<string, unknown>, extension = true) =>
    rawRequest(server.url, 'tools/call', { name, arguments: args }, { name, extension });
  const get = (taskId: string, extension = true) =>
    rawRequest(server.url, 'tasks/get', { taskId }, { name: taskId, extension });

  it('advertises exactly the extension in server/discover, and no 2025 tasks capability', async () => {
    const discovered = result(await rawRequest(server.url, 'server/discover', {}));
    const capabilities = discovered['capabilities'] as Record<string, unknown>;
    expect(capabilities['extensions']).toEqual({ [tasksExtension]: {} });
    expect(capabilities['tasks']).toBeUndefined();
  });

  it('answers inline within the budget', async () => {
    const answer = result(await call('echo', { text: 'hi' }));
    expect(answer['resultType']).toBe('complete');
    expect(answer['structuredContent']).toEqual({ text: 'hi' });
  });

  it('past the budget answers a CreateTaskResult that tasks/get can read before the reply, then inlines the result', async () => {
    const created = result(await call('slow', { key: 'a' }));
    expect(created).toMatchObject({ resultType: 'task', status: 'working', pollIntervalMs: 1000 });
    const taskId = created['taskId'] as string;
    expect(taskId).toMatch(/^[\w-]{22}$/);
    expect(typeof created['ttlMs']).toBe('number');
    expect(Date.parse(created['createdAt'] as string)).not.toBeNaN();
    // Progress reported before promotion shows in statusMessage.
    await waitUntil(async () => result(await get(taskId))['statusMessage'] === '3/10 crunching');
    server.gate('a').resolve();
    await waitUntil(async () => result(await get(taskId))['status'] === 'completed');
    const done = result(await get(taskId));
    expect(done['resultType']).toBe('complete');
    expect(done['result']).toEqual({
      resultType: 'complete',
      content: [{ type: 'text', text: '{"done":"a"}' }],
      structuredContent: { done: 'a' },
    });
  });

  it('async_mode: true makes a task at once', async () => {
    const created = result(await call('slow', { key: 'b', async_mode: true }));
    expect(created['resultType']).toBe('task');
    server.gate('b').resolve();
  });

  it('a tool error is a completed task with an isError result', async () => {
    const created = result(await call('fail', { key: 'c' }));
    server.gate('c').resolve();
    const taskId = created['taskId'] as string;
    await waitUntil(async () => result(await get(taskId))['status'] !== 'working');
    const done = result(await get(taskId));
    expect(done['status']).toBe('completed');
    expect(done['result']).toMatchObject({ isError: true, resultType: 'complete' });
    expect(JSON.stringify(done['result'])).toContain('the tool failed on purpose');
  });

  it('tasks/cancel acknowledges, stops the work, and is idempotent', async () => {
    const created = result(await call('slow', { key: 'd' }));
    const taskId = created['taskId'] as string;
    const ack = result(await rawRequest(server.url, 'tasks/cancel', { taskId }, { name: taskId }));
    expect(ack['resultType']).toBe('complete');
    await waitUntil(() => server.signals.get('d')?.aborted === true);
    await waitUntil(async () => result(await get(taskId))['status'] === 'cancelled');
    const again = result(
      await rawRequest(server.url, 'tasks/cancel', { taskId }, { name: taskId }),
    );
    expect(again['resultType']).toBe('complete');
  });

  it("bad input gets the core's `CODE: message` error result naming the field, from smart tools and job tools", async () => {
    for (const [name, args] of [
      ['echo', { text: 42 }],
      ['job_status', { job_id: 7 }],
    ] as const) {
      const answer = result(await call(name, args));
      expect(answer['isError']).toBe(true);
      const text = (answer['content'] as { text: string }[])[0]!.text;
      expect(text).toMatch(/^INVALID_ARGUMENT: /);
      expect(text).toContain(name === 'echo' ? 'text' : 'job_id');
    }
  });

  it('advertises the smart tool input schema the core enforces: own fields, the smart parameters, nothing else', async () => {
    const listed = result(await rawRequest(server.url, 'tools/list', {}));
    const echo = (listed['tools'] as { name: string; inputSchema: Record<string, unknown> }[]).find(
      (tool) => tool.name === 'echo',
    );
    expect(Object.keys(echo?.inputSchema['properties'] as object).sort()).toEqual([
      'async_mode',
      'job_label',
      'text',
    ]);
    expect(echo?.inputSchema['required']).toEqual(['text']);
    expect(echo?.inputSchema['additionalProperties']).toBe(false);
    const unknown = result(await call('echo', { text: 'x', colour: 'red' }));
    expect(unknown['isError']).toBe(true);
  });

  it('tasks/update is acknowledged', async () => {
    const created = result(await call('slow', { key: 'e' }));
    const taskId = created['taskId'] as string;
    const ack = result(
      await rawRequest(
        server.url,
        'tasks/update',
        { taskId, inputResponses: {} },
        { name: taskId },
      ),
    );
    expect(ack['resultType']).toBe('complete');
    server.gate('e').resolve();
  });

  it('unknown, malformed and another caller’s tasks all get the same -32602', async () => {
    const created = result(
      await rawRequest(
        server.url,
        'tools/call',
        { name: 'slow', arguments: { key: 'f' } },
        { name: 'slow' },
      ),
    );
    const taskId = created['taskId'] as string;
    const unknown = error(await get('AAAAAAAAAAAAAAAAAAAAAA'));
    const malformed = error(await get('x'.repeat(500)));
    expect(unknown.code).toBe(-32602);
    expect(malformed.code).toBe(-32602);
    expect(malformed.message.length).toBeLessThan(200);
    expect(unknown.message.replace('AAAAAAAAAAAAAAAAAAAAAA', 'ID')).toBe(
      malformed.message.replace(/"x+…"/, '"ID"'),
    );
    server.gate('f').resolve();
    expect(result(await get(taskId))['taskId']).toBe(taskId);
  });

  it('a tasks/* request without the extension gets -32021 with data.requiredCapabilities', async () => {
    for (const method of ['tasks/get', 'tasks/cancel', 'tasks/update']) {
      const answer = error(
        await rawRequest(
          server.url,
          method,
          { taskId: 'AAAAAAAAAAAAAAAAAAAAAA' },
          { extension: false, name: 'AAAAAAAAAAAAAAAAAAAAAA' },
        ),
      );
      expect(answer.code).toBe(-32021);
      expect(answer.data).toEqual({
        requiredCapabilities: { extensions: { [tasksExtension]: {} } },
      });
    }
  });

  it('a 2026 client without the extension gets a job handle past the budget, and never a task', async () => {
    const answer = result(await call('slow', { key: 'g' }, false));
    expect(answer['resultType']).toBe('complete');
    expect(answer['structuredContent']).toMatchObject({ status: 'running', smart_async: true });
    const handle = answer['structuredContent'] as { job_id: string };
    server.gate('g').resolve();
    const status = result(
      await call('job_status', { job_id: handle.job_id, wait_seconds: 20 }, false),
    );
    expect(JSON.stringify(status['structuredContent'])).toContain('"done":"g"');
  });

  it('a tool with an outputSchema returns validated structured results inline, and can become a task', async () => {
    const inline = result(await call('typed', {}));
    expect(inline['structuredContent']).toEqual({ n: 7 });
    const created = result(await call('typed', { wait: 'h' }));
    expect(created['resultType']).toBe('task');
    expect(created['isError']).toBeUndefined();
    server.gate('h').resolve();
    const taskId = created['taskId'] as string;
    await waitUntil(async () => result(await get(taskId))['status'] === 'completed');
    expect(result(await get(taskId))['result']).toMatchObject({ structuredContent: { n: 7 } });
  });

  it('binds tasks to the caller identity: another caller gets the same -32602 as for an unknown task', async () => {
    const as = (subject: string | undefined) =>
      subject === undefined ? {} : { headers: { authorization: `Bearer ${subject}` } };
    const created = result(
      await rawRequest(
        server.url,
        'tools/call',
        { name: 'slow', arguments: { key: 'i' } },
        {
          name: 'slow',
          ...as('alice'),
        },
      ),
    );
    const taskId = created['taskId'] as string;
    const read = (subject: string | undefined) =>
      rawRequest(server.url, 'tasks/get', { taskId }, { name: taskId, ...as(subject) });
    expect(result(await read('alice'))['taskId']).toBe(taskId);
    const foreign = error(await read('bob'));
    const anonymous = error(await read(undefined));
    const unknown = error(await get('BBBBBBBBBBBBBBBBBBBBBB'));
    expect(foreign.code).toBe(-32602);
    expect(anonymous.code).toBe(-32602);
    expect(foreign.message.replace(taskId, 'ID')).toBe(
      unknown.message.replace('BBBBBBBBBBBBBBBBBBBBBB', 'ID'),
    );
    const cancel = error(
      await rawRequest(server.url, 'tasks/cancel', { taskId }, { name: taskId, ...as('bob') }),
    );
    expect(cancel.code).toBe(-32602);
    expect(server.signals.get('i')?.aborted).toBe(false);
    server.gate('i').resolve();
  });
});
