// Small timing helpers for the @sa/core benchmarks.

export { printTable } from '../../../scripts/bench-table';
export type { Row } from '../../../scripts/bench-table';

/** Runs `body(iterations)` `rounds` times after a warm-up; returns the median ns per iteration. */
export async function nsPerIteration(
  body: (iterations: number) => Promise<void> | void,
  options: { iterations: number; rounds?: number },
): Promise<number> {
  const { iterations, rounds = 7 } = options;
  await body(Math.min(iterations, 10_000));
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    await body(iterations);
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  samples.sort((first, second) => first - second);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Heap used after a full garbage collection (needs `--expose-gc`). */
export async function settledHeap(): Promise<number> {
  const collect = globalThis.gc;
  if (collect === undefined) throw new Error('Run the benchmark with node --expose-gc');
  for (let pass = 0; pass < 3; pass++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** `12.3 ns`, `1.23 µs`. */
export function formatNs(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`;
}
