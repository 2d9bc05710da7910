import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScripts, readSavedScript, saveScript } from './saved-scripts';

describe('saved scripts', () => {
  it('saves with a PEP 723 header, refuses to overwrite unless asked, and lists', async () => {
    const scriptsDirectory = join(await mkdtemp(join(tmpdir(), 'sa-scripts-')), 'scripts');
    const saved = await saveScript({
      scriptsDirectory,
      scriptName: 'hello',
      source: '"""Greets."""\nprint("hi")',
      dependencies: ['rich'],
      requiresPython: '>=3.10',
    });
    expect(saved).toEqual({
      written: true,
      path: join(scriptsDirectory, 'hello.py'),
      message: expect.any(String) as unknown,
    });
    const again = await saveScript({ scriptsDirectory, scriptName: 'hello', source: 'print(2)' });
    expect(again.written).toBe(false);
    expect(again.message).toContain('overwrite=true');
    await saveScript({
      scriptsDirectory,
      scriptName: 'hello.py',
      source: 'print(3)',
      overwrite: true,
    });
    const { source } = await readSavedScript(scriptsDirectory, 'hello');
    expect(source).toContain('print(3)');
    const listed = await listScripts(scriptsDirectory);
    expect(listed).toEqual([
      {
        name: 'hello',
        path: join(scriptsDirectory, 'hello.py'),
        docstring: null,
        header: expect.stringContaining('# /// script') as unknown,
      },
    ]);
  });

  it.each(['../escape', 'a/b', '', '.hidden', 'x'.repeat(101)])(
    'refuses the name %j',
    async (scriptName) => {
      await expect(
        saveScript({ scriptsDirectory: tmpdir(), scriptName, source: '' }),
      ).rejects.toThrow(/script_name/);
    },
  );

  it('names a missing script', async () => {
    await expect(readSavedScript(tmpdir(), 'no_such_script_here')).rejects.toThrow(
      'No saved script named "no_such_script_here"',
    );
  });
});
