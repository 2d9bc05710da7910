import type { ProgressUpdate } from '@sa/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startKeepAlive } from './keep-alive';

afterEach(() => {
  vi.useRealTimers();
});

const timers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
};

describe('startKeepAlive', () => {
  it('sends increasing progress every interval while waiting, and nothing after stop', async () => {
    vi.useFakeTimers();
    const sent: ProgressUpdate[] = [];
    const stop = startKeepAlive((update) => sent.push(update), {
      intervalMs: 5000,
      timers,
      message: () => 'waiting',
    });
    await vi.advanceTimersByTimeAsync(4999);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10_001);
    expect(sent.map((update) => update.progress)).toEqual([1, 2, 3]);
    expect(sent[0]?.message).toBe('waiting');
    stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent).toHaveLength(3);
  });

  it('does nothing without a sender (the client gave no progress token)', async () => {
    vi.useFakeTimers();
    const stop = startKeepAlive(undefined, { intervalMs: 1000, timers, message: () => '' });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
