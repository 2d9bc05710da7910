// Setup file of the @sa/core test project: any unhandled rejection during a test file fails it.
import { afterAll, expect } from 'vitest';

// Kept before any test can install fake timers.
const realSetImmediate = setImmediate;
const unhandled: unknown[] = [];
const record = (reason: unknown): void => {
  unhandled.push(reason);
};
process.on('unhandledRejection', record);

afterAll(async () => {
  // Rejections are reported once the microtask queue drains: give them a full turn.
  await new Promise<void>((resolve) => {
    realSetImmediate(resolve);
  });
  process.off('unhandledRejection', record);
  expect(unhandled, 'unhandled rejections during this file').toEqual([]);
});
