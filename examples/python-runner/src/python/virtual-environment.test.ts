import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWheel } from '../testing/build-wheel';
import type { PythonInfo } from './interpreter';
import { probePython } from './interpreter';
import { ensureVirtualEnvironment, validateDependency } from './virtual-environment';

const execFileAsync = promisify(execFile);

describe('ensureVirtualEnvironment', () => {
  let python: PythonInfo;
  let work: string;
  beforeAll(async () => {
    python = await probePython('python3');
    work = await mkdtemp(join(tmpdir(), 'sa-venv-'));
  });

  it(
    'installs a local wheel with no network, then reuses the environment',
    { timeout: 60_000 },
    async () => {
      const wheel = await buildWheel({
        directory: work,
        name: 'sa_probe_wheel',
        value: 'from the wheel',
      });
      const dataDirectory = join(work, 'data');
      const options = { dataDirectory, python, dependencies: [wheel], env: process.env };
      const [first, concurrent] = await Promise.all([
        ensureVirtualEnvironment(options),
        ensureVirtualEnvironment(options),
      ]);
      expect(concurrent).toEqual(first);
      expect(first.reused).toBe(false);
      const { stdout } = await execFileAsync(first.python, [
        '-c',
        'import sa_probe_wheel; print(sa_probe_wheel.VALUE)',
      ]);
      expect(stdout.trim()).toBe('from the wheel');
      const again = await ensureVirtualEnvironment(options);
      expect(again).toEqual({ ...first, reused: true });
    },
  );

  it('fails clearly when a dependency cannot be installed', { timeout: 60_000 }, async () => {
    await expect(
      ensureVirtualEnvironment({
        dataDirectory: join(work, 'data'),
        python,
        dependencies: [join(work, 'missing-1.0-py3-none-any.whl')],
        env: process.env,
      }),
    ).rejects.toThrow(/local path .* does not exist/);
  });

  it.each(['--index-url=http://evil', '', ' -r req.txt', 'a\nb'])(
    'refuses the dependency %j',
    (dependency) => {
      expect(() => validateDependency(dependency)).toThrow(/dependencies/);
    },
  );
});
