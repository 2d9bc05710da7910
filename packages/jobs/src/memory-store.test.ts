import { describe, expect, it } from 'vitest';
import { createMemoryJobStore } from './memory-store';
import { describeJobStoreContract } from './testing';

describeJobStoreContract('memory', ({ clock, maxOutputBytes }) =>
  createMemoryJobStore({ clock, maxOutputBytes }),
);

describe('createMemoryJobStore', () => {
  it('rejects a tiny output bound naming maxOutputBytes', () => {
    expect(() => createMemoryJobStore({ maxOutputBytes: 1 })).toThrow(/maxOutputBytes/);
  });
});
