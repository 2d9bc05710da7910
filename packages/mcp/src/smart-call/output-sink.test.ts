import { createJobManager, createMemoryJobStore } from '@sa/jobs';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputSink } from './output-sink';

const jobs = createJobManager({ store: createMemoryJobStore() });
afterAll(() => jobs.close({ graceMs: 0 }));

describe('OutputSink', () => {
  it('buffers within its bound until attached, then writes in order and goes straight to the job', async () => {
    const record = await jobs.start(() => new Promise(() => {}), { tool: 'test' });
    const sink = new OutputSink(jobs, 10);
    sink.append('stdout', 'aaaa');
    sink.append('stderr', 'bbbb');
    sink.append('stdout', 'cccc');
    sink.attach(record.id);
    sink.append('stdout', 'dd');
    await jobs.flushOutput(record.id);
    expect((await jobs.readOutput(record.id, 'stdout')).data).toBe('ccccdd');
    expect((await jobs.readOutput(record.id, 'stderr')).data).toBe(
      '[smart-async: 4 bytes of output from before the job started were dropped]\nbbbb',
    );
    await jobs.cancel(record.id);
  });

  it('rejects a bad stream or chunk with an error naming it', () => {
    const sink = new OutputSink(jobs, 10);
    expect(() => sink.append('stdin' as never, 'x')).toThrow(/stream must be "stdout" or "stderr"/);
    expect(() => sink.append('stdout', 42 as never)).toThrow(/chunk must be a string/);
  });
});
