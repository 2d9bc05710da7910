// The results table every package benchmark prints: figure, target, baseline, ratio, result.

/** One line of a benchmark's results table. */
export interface Row {
  name: string;
  figure: string;
  target: string;
  baseline: string;
  ratio: string;
  /** PASS / MISS against the target; undefined where there is no target. */
  pass: boolean | undefined;
}

/** Prints rows as an aligned plain-text table. */
export function printTable(rows: Row[]): void {
  const header = ['benchmark', 'figure', 'target', 'baseline (same run)', 'ratio', 'result'];
  const lines = rows.map((row) => [
    row.name,
    row.figure,
    row.target,
    row.baseline,
    row.ratio,
    row.pass === undefined ? '-' : row.pass ? 'PASS' : 'MISS',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const format = (cells: string[]): string =>
    cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  for (const line of lines) console.log(format(line));
}
