import { readFile } from 'node:fs/promises';
import { defaultTimers, type Timers } from '@sa/core';

/** What the sampler saw. */
export interface ResourceSample {
  /** Highest total resident memory of the tree seen in one sample, bytes. */
  peakRssBytes: number;
  /** Samples taken. */
  samples: number;
}

/** Options for `createResourceSampler`. */
export interface ResourceSamplerOptions {
  /** The root process; its descendants are summed. */
  pid: number;
  /** Leave the root itself out (it is a measuring wrapper). */
  excludeRoot?: boolean;
  /** Time between samples (default 50 ms). */
  intervalMs?: number;
  timers?: Timers;
}

/** A running sampler; `stop` ends it and returns the figures. */
export interface ResourceSampler {
  stop(): Promise<ResourceSample>;
}

/**
 * Samples the resident memory of a process tree from `/proc` with async reads, so the event
 * loop never blocks; on systems without `/proc` it reports zero.
 *
 * @example
 * const sampler = createResourceSampler({ pid: child.pid, intervalMs: 50 });
 * const { peakRssBytes } = await sampler.stop();
 */
export function createResourceSampler(options: ResourceSamplerOptions): ResourceSampler {
  const timers = options.timers ?? defaultTimers;
  const intervalMs = Math.max(5, options.intervalMs ?? 50);
  let peakRssBytes = 0;
  let samples = 0;
  let stopped = false;
  let handle: unknown;
  let current: Promise<void> = Promise.resolve();

  const sample = async (): Promise<void> => {
    const pids = await treePids(options.pid);
    const members = options.excludeRoot ? pids.filter((pid) => pid !== options.pid) : pids;
    const sizes = await Promise.all(members.map(residentBytes));
    const total = sizes.reduce((sum, size) => sum + size, 0);
    peakRssBytes = Math.max(peakRssBytes, total);
    samples += 1;
  };
  const schedule = (): void => {
    if (stopped) return;
    handle = timers.setTimeout(() => {
      current = sample().then(schedule, schedule);
    }, intervalMs);
  };
  current = sample().then(schedule, schedule);

  return {
    async stop() {
      stopped = true;
      timers.clearTimeout(handle);
      await current;
      return { peakRssBytes, samples };
    },
  };
}

/** The pid and all its descendants, from `/proc/<pid>/task/<tid>/children`. */
export async function treePids(pid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    found.push(next);
    queue.push(...(await childrenOf(next)));
  }
  return found;
}

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function residentBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
