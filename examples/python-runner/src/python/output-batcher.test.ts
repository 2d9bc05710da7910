import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOutputBatcher } from './output-batcher';

describe('createOutputBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('passes chunks on as one per stream after the interval, in order', async () => {
    const received: [string, string][] = [];
    const batcher = createOutputBatcher((stream, chunk) => received.push([stream, chunk]), {
      intervalMs: 50,
    });
    batcher.sink('stdout', 'a\n');
    batcher.sink('stderr', 'x\n');
    batcher.sink('stdout', 'b\n');
    await vi.advanceTimersByTimeAsync(49);
    expect(received).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(received).toEqual([
      ['stdout', 'a\nb\n'],
      ['stderr', 'x\n'],
    ]);
  });

  it('passes a large batch on at once and flushes the rest on demand', () => {
    const received: string[] = [];
    const batcher = createOutputBatcher((_stream, chunk) => received.push(chunk), { maxChars: 4 });
    batcher.sink('stdout', 'ab');
    batcher.sink('stdout', 'cd');
    expect(received).toEqual(['abcd']);
    batcher.sink('stdout', 'e');
    batcher.flush();
    expect(received).toEqual(['abcd', 'e']);
  });
});
