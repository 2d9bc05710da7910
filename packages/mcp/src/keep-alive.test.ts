import { afterEach, describe, expect, it, vi } from 'vitest';
import { startKeepAlive } from './keep-alive';
import type { RequestExtra } from './progress-notifier';

afterEach(() => {
  vi.useRealTimers();
});

function fakeExtra(progressToken?: string): { extra: RequestExtra; sent: unknown[] } {
  const sent: unknown[] = [];
  const extra = {
    _meta: progressToken === undefined ? undefined : { progressToken },
    sendNotification: (notification: unknown) => {
      sent.push(notification);
      return Promise.resolve();
    },
  } as unknown as RequestExtra;
  return { extra, sent };
}

const timers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
};

describe('startKeepAlive', () => {
  it('sends increasing progress every interval while waiting, and nothing after stop', async () => {
    vi.useFakeTimers();
    const { extra, sent } = fakeExtra('token');
    const stop = startKeepAlive(extra, { intervalMs: 5000, timers, message: () => 'waiting' });
    await vi.advanceTimersByTimeAsync(4999);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10_001);
    expect(
      sent.map(
        (notification) => (notification as { params: { progress: number } }).params.progress,
      ),
    ).toEqual([1, 2, 3]);
    stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent).toHaveLength(3);
  });

  it('does nothing without a progress token', async () => {
    vi.useFakeTimers();
    const { extra, sent } = fakeExtra();
    const stop = startKeepAlive(extra, { intervalMs: 1000, timers, message: () => '' });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    stop();
    expect(sent).toHaveLength(0);
  });
});
