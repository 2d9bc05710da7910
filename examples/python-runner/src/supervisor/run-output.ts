import type { JobManager } from '@sa/jobs';
import { createOutputBatcher } from '../python/output-batcher';
import type { OutputBatcher } from '../python/output-batcher';
import type { StreamName } from '../python/run-process';

/**
 * A run's output in the supervisor: batched (200 ms), kept in memory while the run is inline,
 * written to the job's output log from the moment the run becomes a job (what was kept first,
 * in order). Memory is bounded by the runner's per-stream output limit.
 */
export class RunOutput {
  readonly #jobs: JobManager;
  readonly #batcher: OutputBatcher;
  #jobId: string | undefined;
  #kept: { stream: StreamName; text: string }[] = [];
  /** Chunks the script wrote, per stream (for the legacy job listing). */
  readonly chunks: Record<StreamName, number> = { stdout: 0, stderr: 0 };

  constructor(jobs: JobManager, onBatch?: () => void) {
    this.#jobs = jobs;
    this.#batcher = createOutputBatcher((stream, text) => {
      if (this.#jobId === undefined) this.#kept.push({ stream, text });
      else this.#jobs.appendOutput(this.#jobId, stream, text);
      onBatch?.();
    });
  }

  /** Receives the script's output as it arrives. */
  readonly sink = (stream: StreamName, chunk: string): void => {
    this.chunks[stream] += 1;
    this.#batcher.sink(stream, chunk);
  };

  /** Passes on what the batcher holds (to the job, or to the memory kept while inline). */
  flush(): void {
    this.#batcher.flush();
  }

  /** From now on output goes to this job; what was kept is written first. */
  attach(jobId: string): void {
    if (this.#jobId !== undefined) return;
    this.#batcher.flush();
    this.#jobId = jobId;
    for (const { stream, text } of this.#kept) this.#jobs.appendOutput(jobId, stream, text);
    this.#kept = [];
  }

  /** The job the output goes to, once there is one. */
  get jobId(): string | undefined {
    return this.#jobId;
  }
}
