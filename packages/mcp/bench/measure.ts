// Timing and table helpers for the @sa/mcp benchmarks.

/** The value at quantile `q` (0..1) of sorted samples. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** Sorts a copy of the samples, ascending. */
export function sorted(samples: readonly number[]): number[] {
  return [...samples].sort((first, second) => first - second);
}

/** Milliseconds with 3 decimals. */
export function ms(value: number): string {
  return `${value.toFixed(3)} ms`;
}

/** One line of the results table. */
export interface Row {
  name: string;
  figure: string;
  target: string;
  baseline: string;
  ratio: string;
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
