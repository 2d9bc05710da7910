import { describe, expect, it } from 'vitest';
import { createProgressLineReader, parseProgressLine } from './progress-line';

describe('parseProgressLine', () => {
  it.each([
    ['::progress 3', { progress: 3 }],
    ['::progress 3/10', { progress: 3, total: 10 }],
    ['::progress 3 / 10 loading files', { progress: 3, total: 10, message: 'loading files' }],
    ['::progress 0.5 halfway', { progress: 0.5, message: 'halfway' }],
    ['  ::progress 7/7   done  ', { progress: 7, total: 7, message: 'done' }],
  ])('parses %j', (line, expected) => {
    expect(parseProgressLine(line)).toEqual(expected);
  });

  it.each(['progress 3', '::progress', '::progress x/10', '::progressive 3', 'print ::progress 3'])(
    'ignores %j',
    (line) => {
      expect(parseProgressLine(line)).toBeUndefined();
    },
  );
});

describe('createProgressLineReader', () => {
  it('finds progress lines split across chunks and CRLF endings', () => {
    const seen: unknown[] = [];
    const read = createProgressLineReader((update) => seen.push(update));
    read('hello\n::prog');
    read('ress 1/4 a\r\n::progress 2/4\nnot progress\n');
    read('::progress 3/4');
    expect(seen).toEqual([
      { progress: 1, total: 4, message: 'a' },
      { progress: 2, total: 4 },
    ]);
    read('\n');
    expect(seen).toHaveLength(3);
  });

  it('skips a line too long to be progress without keeping it in memory', () => {
    const seen: unknown[] = [];
    const read = createProgressLineReader((update) => seen.push(update));
    read('::progress 1 ' + 'x'.repeat(10_000));
    read('y'.repeat(10_000) + '\n::progress 2\n');
    expect(seen).toEqual([{ progress: 2 }]);
  });
});
