import { defaultTimers } from '@sa/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreLane } from './store-lane';

/** A write the test settles by hand. */
function manualWrite<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe('StoreLane', () => {
  it('runs at most `limit` writes at once and starts the waiting ones in order', async () => {
    const lane = new StoreLane({ timers: defaultTimers, limit: 2, startsPerTurn: 100 });
    const writes = [0, 1, 2, 3].map(() => manualWrite<number>());
    const started: number[] = [];
    const results = writes.map((write, index) =>
      lane.run(() => {
        started.push(index);
        return write.promise;
      }),
    );
    expect(started).toEqual([0, 1]);
    expect(lane.running).toBe(2);
    expect(lane.waiting).toBe(2);
    writes[1]!.resolve(1);
    await expect(results[1]).resolves.toBe(1);
    expect(started).toEqual([0, 1, 2]);
    writes[0]!.reject(new Error('store down'));
    await expect(results[0]).rejects.toThrow('store down');
    expect(started).toEqual([0, 1, 2, 3]);
    writes[2]!.resolve(2);
    writes[3]!.resolve(3);
    await expect(Promise.all(results.slice(2))).resolves.toEqual([2, 3]);
    expect(lane.running).toBe(0);
    expect(lane.waiting).toBe(0);
  });

  it('turns a write that throws before it returns a promise into a rejection and frees its place', async () => {
    const lane = new StoreLane({ timers: defaultTimers, limit: 1 });
    await expect(
      lane.run(() => {
        throw new Error('bad argument');
      }),
    ).rejects.toThrow('bad argument');
    await expect(lane.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts lease renewals before record writes before progress writes', async () => {
    const lane = new StoreLane({ timers: defaultTimers, limit: 1 });
    const first = manualWrite<void>();
    const order: string[] = [];
    const running = lane.run(() => first.promise);
    const queued = [
      lane.run(() => Promise.resolve(void order.push('progress')), 'progress'),
      lane.run(() => Promise.resolve(void order.push('record')), 'record'),
      lane.run(() => Promise.resolve(void order.push('lease')), 'lease'),
    ];
    expect(lane.waiting).toBe(3);
    first.resolve();
    await Promise.all([running, ...queued]);
    expect(order).toEqual(['lease', 'record', 'progress']);
  });

  it('lets the event loop turn after `startsPerTurn` starts, then goes on', async () => {
    vi.useFakeTimers();
    const lane = new StoreLane({ timers: defaultTimers, limit: 100, startsPerTurn: 3 });
    const held = Array.from({ length: 5 }, () => manualWrite<void>());
    let started = 0;
    const all = held.map((write) =>
      lane.run(() => {
        started++;
        return write.promise;
      }),
    );
    expect(started).toBe(3);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toBe(5);
    for (const write of held) write.resolve();
    await Promise.all(all);
    expect(vi.getTimerCount()).toBe(0);
    lane.close();
  });

  it('takes from a source only when it has room, after the waiting writes of higher priority', async () => {
    const lane = new StoreLane({ timers: defaultTimers, limit: 1, startsPerTurn: 100 });
    const order: string[] = [];
    const backlog = ['a', 'b'];
    lane.addSource('progress', {
      get size() {
        return backlog.length;
      },
      take: () => {
        const name = backlog.shift()!;
        return () => Promise.resolve(void order.push(`progress ${name}`));
      },
    });
    const first = manualWrite<void>();
    const running = lane.run(() => first.promise);
    lane.wake();
    const record = lane.run(() => Promise.resolve(void order.push('record')));
    expect(lane.waiting).toBe(3);
    first.resolve();
    await Promise.all([running, record]);
    await vi.waitFor(() => expect(order).toEqual(['record', 'progress a', 'progress b']));
    expect(lane.waiting).toBe(0);
  });
});
