import { StoreUnavailableError } from '@sa/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobStore } from '../job-store';
import { createMemoryJobStore } from '../memory-store';
import { defaultTimers as globalTimers } from '@sa/core';
import { TimerSet } from './manager-timers';
import { createOutputWriter } from './output-writer';

/** The memory store behind a switch: while `down`, output calls fail; `loseReply` stores one append, then fails it. */
function flakyStore(inner: JobStore) {
  const state = { down: false, loseReply: false, calls: 0 };
  const unavailable = (): StoreUnavailableError =>
    new StoreUnavailableError('test store unreachable: cut');
  const store: JobStore = {
    ...inner,
    async appendOutput(id, stream, chunk, options) {
      state.calls++;
      if (state.down) throw unavailable();
      await inner.appendOutput(id, stream, chunk, options);
      if (state.loseReply) {
        state.loseReply = false;
        throw unavailable();
      }
    },
    async readOutput(id, stream, options) {
      state.calls++;
      if (state.down) throw unavailable();
      return inner.readOutput(id, stream, options);
    },
  };
  return { store, state };
}

const running = {
  label: 'l',
  tool: 't',
  status: 'running' as const,
  scope: null,
  owner: { instanceId: 'i', pid: 1, host: 'h' },
  leaseToken: 'token',
  leaseMs: 10_000,
};

describe('output writer', () => {
  let inner: JobStore;
  let timers: TimerSet;
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message) };

  beforeEach(() => {
    vi.useFakeTimers();
    inner = createMemoryJobStore();
    timers = new TimerSet(globalTimers);
    warnings.length = 0;
  });
  afterEach(async () => {
    timers.clearAll();
    await inner.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('keeps retrying through an outage far longer than its backoff, and loses nothing', async () => {
    const { store, state } = flakyStore(inner);
    const job = await inner.create(running);
    const writer = createOutputWriter({ store, timers, logger });
    writer.append(job.id, 'stdout', 'before\n');
    await writer.flush(job.id);
    state.down = true;
    state.calls = 0;
    writer.append(job.id, 'stdout', 'during ');
    writer.append(job.id, 'stderr', 'oops\n');
    await vi.advanceTimersByTimeAsync(60_000);
    writer.append(job.id, 'stdout', 'the outage\n');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.calls).toBeGreaterThan(100);
    state.down = false;
    await vi.advanceTimersByTimeAsync(1_000);
    await writer.flush(job.id);
    expect((await inner.readOutput(job.id, 'stdout')).data).toBe('before\nduring the outage\n');
    expect((await inner.readOutput(job.id, 'stderr')).data).toBe('oops\n');
    expect(warnings.some((warning) => warning.includes('dropped'))).toBe(false);
  });

  it('writes an append whose reply was lost exactly once', async () => {
    const { store, state } = flakyStore(inner);
    const job = await inner.create(running);
    const writer = createOutputWriter({ store, timers, logger });
    writer.append(job.id, 'stdout', 'one\n');
    await writer.flush(job.id);
    state.loseReply = true;
    writer.append(job.id, 'stdout', 'two\n');
    await vi.advanceTimersByTimeAsync(1_000);
    await writer.flush(job.id);
    writer.append(job.id, 'stdout', 'three\n');
    await writer.flush(job.id);
    expect((await inner.readOutput(job.id, 'stdout')).data).toBe('one\ntwo\nthree\n');
  });

  it('appends after output another writer added to the stream', async () => {
    const job = await inner.create(running);
    const writer = createOutputWriter({ store: inner, timers, logger });
    writer.append(job.id, 'stdout', 'a');
    await writer.flush(job.id);
    await inner.appendOutput(job.id, 'stdout', 'b');
    writer.append(job.id, 'stdout', 'c');
    await writer.flush(job.id);
    expect((await inner.readOutput(job.id, 'stdout')).data).toBe('abc');
  });

  it('bounds what it queues during an outage: the oldest bytes are dropped and counted', async () => {
    const { store, state } = flakyStore(inner);
    const job = await inner.create(running);
    const writer = createOutputWriter({ store, timers, logger, maxQueuedBytes: 10 });
    state.down = true;
    writer.append(job.id, 'stdout', 'first!'); // in flight, kept whole
    await vi.advanceTimersByTimeAsync(0);
    for (const chunk of ['0123456789', 'abcdefghij', 'é-tail'])
      writer.append(job.id, 'stdout', chunk);
    await vi.advanceTimersByTimeAsync(30_000);
    state.down = false;
    await vi.advanceTimersByTimeAsync(1_000);
    await writer.flush(job.id);
    // 27 bytes queued behind the one in flight, 10 kept ("fghij" + "é-tail" is 12: cut to 10).
    expect((await inner.readOutput(job.id, 'stdout')).data).toBe('first!hijé-tail');
    expect(warnings.join('\n')).toContain('dropped the oldest 17 queued bytes of stdout');
  });

  it('gives up, with a warning, when told to stop (the manager closed without the store)', async () => {
    const { store, state } = flakyStore(inner);
    const job = await inner.create(running);
    let stop = false;
    const writer = createOutputWriter({ store, timers, logger, shouldStop: () => stop });
    state.down = true;
    writer.append(job.id, 'stdout', 'lost');
    await vi.advanceTimersByTimeAsync(5_000);
    stop = true;
    await vi.advanceTimersByTimeAsync(2_000);
    await writer.flush(job.id);
    expect(warnings.join('\n')).toContain('dropped 4 bytes of stdout');
  });
});
