import { describe, expect, it } from 'vitest';
import { DueQueue } from './due-queue';

describe('DueQueue', () => {
  it('gives items back first in, first out, with the head due time', () => {
    const queue = new DueQueue<string>();
    expect(queue.peekDue()).toBe(Number.POSITIVE_INFINITY);
    expect(queue.shift()).toBeUndefined();
    queue.push('a', 10);
    queue.push('b', 20);
    expect(queue.size).toBe(2);
    expect(queue.peekDue()).toBe(10);
    expect(queue.shift()).toBe('a');
    expect(queue.peekDue()).toBe(20);
    expect(queue.shift()).toBe('b');
    expect(queue.size).toBe(0);
    expect(queue.peekDue()).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps order across the compaction of a long consumed prefix', () => {
    const queue = new DueQueue<number>();
    const seen: number[] = [];
    for (let item = 0; item < 5000; item++) {
      queue.push(item, item);
      if (item % 3 === 0) seen.push(queue.shift()!);
    }
    while (queue.size > 0) {
      expect(queue.peekDue()).toBe(seen.length);
      seen.push(queue.shift()!);
    }
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, item) => item));
  });

  it('forgets everything on clear', () => {
    const queue = new DueQueue<string>();
    queue.push('a', 1);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
