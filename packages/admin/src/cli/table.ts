import Table from 'cli-table3';

/** A column of `renderTable`: its header, how much it may shrink, and when it is dropped. */
export interface Column {
  header: string;
  /** Narrowest useful width (content is cut with `…` below its natural width). */
  minWidth: number;
  /** Columns with a higher number are dropped first when the terminal is too narrow. */
  dropOrder?: number;
}

/** Cell padding of the borderless style: one space either side. */
const padding = 2;

/**
 * A borderless table (cli-table3) that fits `columns` characters: columns shrink to their
 * natural width, then the widest shrink towards `minWidth`, then columns are dropped by
 * `dropOrder`. `paint` colours the header.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  width: number,
  paint: (text: string) => string = (text) => text,
): string {
  const natural = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => visibleLength(row[index] ?? ''))),
  );
  let shown = columns.map((_, index) => index);
  let widths = fit(
    shown.map((index) => natural[index]!),
    shown.map((index) => columns[index]!.minWidth),
    width,
  );
  while (widths === undefined && shown.length > 1) {
    const drop = shown.reduce((worst, index) =>
      (columns[index]!.dropOrder ?? 0) > (columns[worst]!.dropOrder ?? 0) ? index : worst,
    );
    if ((columns[drop]!.dropOrder ?? 0) === 0) break;
    shown = shown.filter((index) => index !== drop);
    widths = fit(
      shown.map((index) => natural[index]!),
      shown.map((index) => columns[index]!.minWidth),
      width,
    );
  }
  const colWidths = widths ?? shown.map((index) => columns[index]!.minWidth + padding);
  const table = new Table({
    head: shown.map((index) => paint(columns[index]!.header)),
    colWidths,
    wordWrap: false,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': padding },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
  });
  for (const row of rows) table.push(shown.map((index) => row[index] ?? ''));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** Column widths (with padding) that fit `width`, or undefined when even the minimums do not. */
function fit(natural: number[], minimum: number[], width: number): number[] | undefined {
  const widths = natural.map((value) => value + padding);
  let total = widths.reduce((sum, value) => sum + value, 0);
  while (total > width) {
    let widest = -1;
    for (let index = 0; index < widths.length; index++) {
      if (widths[index]! - padding <= minimum[index]!) continue;
      if (widest === -1 || widths[index]! > widths[widest]!) widest = index;
    }
    if (widest === -1) return undefined;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/** Length of a string as shown (ANSI colour codes removed). */
function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
