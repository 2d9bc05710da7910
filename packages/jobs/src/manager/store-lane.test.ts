import { describe, expect, it } from 'vitest';
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
    const lane = new StoreLane(2);
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
    const lane = new StoreLane(1);
    await expect(
      lane.run(() => {
        throw new Error('bad argument');
      }),
    ).rejects.toThrow('bad argument');
    await expect(lane.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
