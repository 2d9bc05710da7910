import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileLocks } from './file-lock';
import type { IndexLine } from './index-entry';
import { createIndexLog } from './index-log';
import { createTemporaryDirectory } from './test-helpers';

let directory: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ directory, remove } = await createTemporaryDirectory());
});
afterEach(() => remove());

function line(writer: string, id: string, version: number): IndexLine {
  return {
    type: 'changed',
    writer,
    cancelRequested: false,
    id,
    status: 'running',
    version,
    scope: null,
    label: id,
    createdAt: version,
    finishedAt: null,
    expiresAt: null,
  };
}

describe('createIndexLog', () => {
  it('sees every line when two writers interleave, and reports only the other writer’s lines', async () => {
    const locks = createFileLocks({ directory });
    const seenByFirst: IndexLine[] = [];
    const first = createIndexLog({
      directory,
      writer: 'first',
      locks,
      onLine: (read) => seenByFirst.push(read),
    });
    const second = createIndexLog({ directory, writer: 'second', locks });
    await first.refresh();
    await second.refresh();
    await first.append([line('first', 'job-a', 1)]);
    await first.refresh();
    await second.append([line('second', 'job-b', 1)]);
    // Our own line comes after another writer's line this reader has not read yet.
    await first.append([line('first', 'job-c', 1)]);
    await first.append([line('first', 'job-a', 2)]);
    await first.refresh();
    await second.refresh();
    for (const log of [first, second]) {
      expect([...log.entries.values()].map(({ id, version }) => [id, version]).sort()).toEqual([
        ['job-a', 2],
        ['job-b', 1],
        ['job-c', 1],
      ]);
    }
    expect(seenByFirst.filter((read) => read.writer === 'second').map((read) => read.id)).toEqual([
      'job-b',
    ]);
    await first.close();
    await second.close();
    await locks.close();
  });
});
