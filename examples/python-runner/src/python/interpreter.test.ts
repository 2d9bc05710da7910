import { describe, expect, it } from 'vitest';
import { probePython, selectPython, versionSatisfies } from './interpreter';

describe('versionSatisfies', () => {
  it.each([
    ['3.11.7', '3.11', true],
    ['3.11.7', '3.12', false],
    ['3.11.7', '3', true],
    ['3.11.7', '3.11.7', true],
    ['3.11.7', '>=3.10', true],
    ['3.11.7', '>=3.12', false],
    ['3.11.7', '>=3.9,<3.12', true],
    ['3.11.7', '>=3.9, <3.11', false],
    ['3.11.7', '~=3.10', true],
    ['3.11.7', '!=3.11', false],
    ['3.11.7', '==3.11.*', true],
  ])('%s against %s is %s', (version, requested, expected) => {
    expect(versionSatisfies(version, requested)).toBe(expected);
  });

  it.each(['latest', '3.x', '>>3', ''])('refuses %j as a version', (requested) => {
    expect(() => versionSatisfies('3.11.0', requested)).toThrow(/is not a version/);
  });
});

describe('probePython and selectPython', () => {
  it('reads the standard-library names from the interpreter itself', async () => {
    const info = await probePython('python3');
    expect(info.version).toMatch(/^3\.\d+\.\d+$/);
    expect(info.stdlibModuleNames.has('json')).toBe(true);
    expect(info.stdlibModuleNames.has('yaml')).toBe(false);
  });

  it('returns the configured interpreter when it satisfies the request', async () => {
    const info = await probePython('python3');
    const [major, minor] = info.version.split('.');
    await expect(
      selectPython({ configured: 'python3', requested: `${major}.${minor}` }),
    ).resolves.toBe(info);
  });

  it('is a clear error when no interpreter can satisfy the version, never a fallback', async () => {
    await expect(
      selectPython({ configured: 'python3', requested: '2.7', path: '/nonexistent' }),
    ).rejects.toThrow(
      /python_version "2\.7" cannot be satisfied: python3 is Python 3\.\d+\.\d+ and no working python2\.7 was found on PATH/,
    );
  });

  it('says when the configured interpreter cannot run', async () => {
    await expect(probePython('/nonexistent/python3')).rejects.toThrow(
      'The Python interpreter /nonexistent/python3 cannot be run',
    );
  });
});
