import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isInsideRoots, resolveInsideRoots } from './path-safety';

describe('resolveInsideRoots', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'sa-root-')));
    outside = await realpath(await mkdtemp(join(tmpdir(), 'sa-outside-')));
    await mkdir(join(root, 'project'));
    await writeFile(join(root, 'project', 'main.py'), 'print(1)');
    await writeFile(join(outside, 'secret.py'), 'print(2)');
    await symlink(join(outside, 'secret.py'), join(root, 'project', 'link.py'));
    await symlink(outside, join(root, 'escape'));
  });

  it('resolves a relative path inside a root', async () => {
    const options = { roots: [root], parameter: 'script_path', kind: 'file' as const };
    await expect(resolveInsideRoots('project/main.py', options)).resolves.toBe(
      join(root, 'project', 'main.py'),
    );
  });

  it.each([
    ['a symlinked file leading out', 'project/link.py', 'file'],
    ['a symlinked directory leading out', 'escape', 'directory'],
    ['a parent path', '../', 'directory'],
  ] as const)('refuses %s, naming the allowed roots', async (_name, path, kind) => {
    const error = await resolveInsideRoots(path, {
      roots: [root],
      parameter: 'directory',
      kind,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'FORBIDDEN' });
    expect((error as Error).message).toContain(`outside the allowed roots: ${root}`);
  });

  it('says when a path does not exist or has the wrong kind', async () => {
    await expect(
      resolveInsideRoots('missing', { roots: [root], parameter: 'directory', kind: 'directory' }),
    ).rejects.toThrow(`directory "missing" does not exist`);
    await expect(
      resolveInsideRoots('project/main.py', {
        roots: [root],
        parameter: 'directory',
        kind: 'directory',
      }),
    ).rejects.toThrow('is not a directory');
  });

  it('does not take a sibling with a common prefix for the root', () => {
    expect(isInsideRoots('/srv/app-other/x', ['/srv/app'])).toBe(false);
    expect(isInsideRoots('/srv/app/x', ['/srv/app'])).toBe(true);
    expect(isInsideRoots('/srv/app', ['/srv/app'])).toBe(true);
  });
});
