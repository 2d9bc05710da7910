import { describe, expect, it } from 'vitest';
import {
  formatLocalDependency,
  parseDependency,
  pipArguments,
  uvArguments,
} from './dependency-reference';

describe('parseDependency', () => {
  it.each([
    ['rich', 'rich'],
    ['rich[jupyter]>=13,<14', 'rich[jupyter]>=13,<14'],
    ['requests ; python_version >= "3.8"', 'requests ; python_version >= "3.8"'],
    [
      'pkg @ https://example.org/pkg-1.0-py3-none-any.whl',
      'pkg @ https://example.org/pkg-1.0-py3-none-any.whl',
    ],
    ['https://example.org/pkg-1.0.tar.gz', 'https://example.org/pkg-1.0.tar.gz'],
  ])('reads %j as a requirement', (dependency, text) => {
    expect(parseDependency(dependency)).toEqual({ kind: 'requirement', text });
  });

  it.each([
    ['/outside/x.whl', '/outside/x.whl', false, null],
    ['./wheels/x.whl', './wheels/x.whl', false, null],
    ['x-1.0-py3-none-any.whl', 'x-1.0-py3-none-any.whl', false, null],
    ['.', '.', false, null],
    ['project/sub', 'project/sub', false, null],
    ['file:///outside/x.whl', '/outside/x.whl', false, null],
    ['file://localhost/outside/x.whl', '/outside/x.whl', false, null],
    ['evilpkg @ file:///outside/x.whl', '/outside/x.whl', false, 'evilpkg'],
    [
      'evilpkg[extra] @ file:///outside/x.whl ; python_version > "3"',
      '/outside/x.whl',
      false,
      'evilpkg[extra]',
    ],
    ['-e /outside/project', '/outside/project', true, null],
    ['-e ./project', './project', true, null],
    ['-e./project', './project', true, null],
    ['--editable=/outside/project', '/outside/project', true, null],
    ['--editable file:///outside/project', '/outside/project', true, null],
  ])('reads %j as the local path %j', (dependency, path, editable, name) => {
    expect(parseDependency(dependency)).toEqual({ kind: 'local', path, editable, name });
  });

  it.each([
    ['-r requirements.txt', /pip option/],
    ['--index-url=http://127.0.0.1/simple', /pip option/],
    ['-i http://127.0.0.1/simple', /pip option/],
    ['-c constraints.txt', /pip option/],
    ['--extra-index-url http://127.0.0.1', /pip option/],
    ['rich --index-url http://127.0.0.1', /pip option/],
    ['-e git+https://example.org/repo.git', /not local/],
    ['git+file:///outside/repo', /version-control/],
    ['file://remote-host/x.whl', /names no local path/],
    ['', /empty/],
    ['a\nb', /line break/],
    ['a\0b', /NUL/],
    ['$(true)', /not a requirement/],
    ['x'.repeat(5000), /longer than 2000/],
  ])('refuses entry %#', (dependency, message) => {
    expect(() => parseDependency(dependency)).toThrow(message);
  });

  it('keeps a refused huge entry out of its message', () => {
    const huge = `-r ${'x'.repeat(1500)}`;
    expect(() => parseDependency(huge)).toThrow(/\(1503 characters\)/);
    try {
      parseDependency(huge);
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(300);
    }
  });

  it('formats checked local references for pip and uv', () => {
    const direct = parseDependency('pkg @ file:///a/x.whl');
    const editable = parseDependency('-e ./p');
    if (direct.kind !== 'local' || editable.kind !== 'local') throw new Error('not local');
    expect(formatLocalDependency(direct, '/real/x.whl')).toBe('pkg @ file:///real/x.whl');
    expect(formatLocalDependency(editable, '/real/p')).toBe('-e /real/p');
    expect(pipArguments('-e /real/p')).toEqual(['-e', '/real/p']);
    expect(uvArguments('-e /real/p')).toEqual(['--with-editable', '/real/p']);
    expect(uvArguments('pkg @ file:///real/x.whl')).toEqual(['--with', 'pkg @ file:///real/x.whl']);
  });
});
