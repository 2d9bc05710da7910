// Timing helpers for the @sa/mcp benchmarks.

export { printTable } from '../../../scripts/bench-table';
export type { Row } from '../../../scripts/bench-table';

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
