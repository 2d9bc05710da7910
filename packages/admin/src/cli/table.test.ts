import { describe, expect, it } from 'vitest';
import { renderTable } from './table';
import { colorsWanted } from './terminal';

const columns = [
  { header: 'ID', minWidth: 22 },
  { header: 'STATUS', minWidth: 11 },
  { header: 'LABEL', minWidth: 10, dropOrder: 2 },
  { header: 'AGE', minWidth: 5, dropOrder: 1 },
];
const rows = [
  ['AAAAAAAAAAAAAAAAAAAAAA', 'running', 'a label that is rather long for a column', '3s'],
];

describe('renderTable', () => {
  it.each([120, 60, 50, 40, 36])('fits %i columns', (width) => {
    const lines = renderTable(columns, rows, width).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
    expect(lines[1]).toContain('AAAAAAAAAAAAAAAAAAAAAA'); // the id is never cut
  });

  it('shrinks the label before dropping columns, then drops the highest drop order first', () => {
    expect(renderTable(columns, rows, 120)).toContain('a label that is rather long for a column');
    const narrow = renderTable(columns, rows, 60);
    expect(narrow).toContain('…');
    expect(narrow).toContain('AGE');
    const narrower = renderTable(columns, rows, 40);
    expect(narrower).not.toContain('LABEL');
    expect(narrower).toContain('AGE');
    expect(renderTable(columns, rows, 36)).not.toContain('AGE');
  });
});

describe('colorsWanted', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  it.each([
    [tty, {}, true],
    [tty, { NO_COLOR: '1' }, false],
    [tty, { NO_COLOR: '' }, true],
    [tty, { TERM: 'dumb' }, false],
    [pipe, {}, false],
    [pipe, { FORCE_COLOR: '1', CI: 'true' }, false],
  ] as const)('%#: %o', (stream, env, wanted) => {
    expect(colorsWanted(stream, env as NodeJS.ProcessEnv)).toBe(wanted);
  });
});
