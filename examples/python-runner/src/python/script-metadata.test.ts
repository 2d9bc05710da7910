import { describe, expect, it } from 'vitest';
import {
  formatScriptMetadata,
  readDocstring,
  readScriptMetadata,
  withScriptMetadata,
} from './script-metadata';

describe('PEP 723 metadata', () => {
  it('writes a block that reads back the same', () => {
    const header = formatScriptMetadata(['rich>=13', 'PyYAML'], '>=3.10');
    const source = withScriptMetadata('"""Says hi."""\nprint("hi")\n', header);
    expect(source.startsWith('# /// script\n# requires-python = ">=3.10"\n')).toBe(true);
    expect(readScriptMetadata(source)).toEqual({
      header,
      dependencies: ['rich>=13', 'PyYAML'],
      requiresPython: '>=3.10',
    });
    expect(readDocstring(source)).toBe('Says hi.');
  });

  it('replaces an existing block and keeps a shebang first', () => {
    const first = withScriptMetadata(
      '#!/usr/bin/env python3\nprint(1)\n',
      formatScriptMetadata(['a'], null),
    );
    expect(first.split('\n')[0]).toBe('#!/usr/bin/env python3');
    const second = withScriptMetadata(first, formatScriptMetadata(['b'], null));
    expect(readScriptMetadata(second).dependencies).toEqual(['b']);
    expect(second.match(/# \/\/\/ script/g)).toHaveLength(1);
  });

  it.each([
    ["'''Single quotes.'''", 'Single quotes.'],
    ['# comment\n\n"one line"', 'one line'],
    ['print(1)', null],
  ])('reads the docstring of %j', (source, expected) => {
    expect(readDocstring(source)).toBe(expected);
  });

  it('cuts a docstring at 300 characters', () => {
    expect(readDocstring(`"""${'a'.repeat(400)}"""`)).toHaveLength(300);
  });
});
