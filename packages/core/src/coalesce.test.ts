import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCoalescer } from './coalesce';

const timers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

describe('createCoalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers the first value at once, then at most one per interval, latest wins', async () => {
    const delivered: number[] = [];
    const coalescer = createCoalescer((value: number) => delivered.push(value), {
      intervalMs: 100,
      timers,
    });
    for (let value = 1; value <= 50; value++) coalescer.push(value);
    expect(delivered).toEqual([1]);
    await vi.advanceTimersByTimeAsync(99);
    expect(delivered).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered).toEqual([1, 50]);
    coalescer.push(51);
    coalescer.push(52);
    await vi.advanceTimersByTimeAsync(100);
    expect(delivered).toEqual([1, 50, 52]);
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(0);
    coalescer.push(53);
    expect(delivered).toEqual([1, 50, 52, 53]);
    coalescer.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flush delivers the kept value at once and stops the timer', () => {
    const delivered: string[] = [];
    const coalescer = createCoalescer((value: string) => delivered.push(value), {
      intervalMs: 1000,
      timers,
    });
    coalescer.push('a');
    coalescer.push('b');
    coalescer.push('c');
    coalescer.flush();
    expect(delivered).toEqual(['a', 'c']);
    expect(vi.getTimerCount()).toBe(0);
    coalescer.flush();
    expect(delivered).toEqual(['a', 'c']);
  });

  it('dispose drops the kept value and stops the timer', async () => {
    const delivered: string[] = [];
    const coalescer = createCoalescer((value: string) => delivered.push(value), {
      intervalMs: 10,
      timers,
    });
    coalescer.push('a');
    coalescer.push('b');
    coalescer.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(delivered).toEqual(['a']);
  });
});
