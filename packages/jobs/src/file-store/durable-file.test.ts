import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileDurably, writeFileAtomically } from './durable-file';
import { createTemporaryDirectory } from './test-helpers';

let directory: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ directory, remove } = await createTemporaryDirectory());
});
afterEach(() => remove());

describe('writeFileAtomically', () => {
  it.each([
    ['a small content (synchronous write)', 'x'.repeat(100)],
    ['a content over the synchronous limit', 'y'.repeat(300 * 1024)],
  ])('replaces the file with %s and leaves no temp file', async (_, content) => {
    const path = join(directory, 'record.json');
    await writeFile(path, 'old');
    await writeFileAtomically(path, content);
    expect(await readFile(path, 'utf8')).toBe(content);
    expect(await readdir(directory)).toEqual(['record.json']);
  });

  it('rejects and leaves nothing behind when the folder is missing', async () => {
    const target = join(directory, 'missing-folder', 'record.json');
    await expect(writeFileAtomically(target, 'content')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(directory)).toEqual([]);
  });
});

describe('createFileDurably', () => {
  it('creates the file under its name with the content', async () => {
    const path = join(directory, 'record.json');
    await createFileDurably(path, '{"id":"a"}');
    expect(await readFile(path, 'utf8')).toBe('{"id":"a"}');
    expect(await readdir(directory)).toEqual(['record.json']);
  });

  it('refuses a file that exists with EEXIST and leaves it untouched', async () => {
    const path = join(directory, 'record.json');
    await writeFile(path, 'kept');
    await expect(createFileDurably(path, 'other')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('kept');
  });
});
