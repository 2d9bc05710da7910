import type { JobRecord } from '@sa/jobs';

/** The exit code of a legacy job: the script's when it ran to its end, -9 when killed, -1 when lost. */
export function exitCodeOf(record: JobRecord): number | null {
  if (record.status === 'pending' || record.status === 'running') return null;
  const result = record.result as { exit_code?: unknown } | undefined;
  if (record.status === 'completed' && typeof result?.exit_code === 'number')
    return result.exit_code;
  if (record.status === 'cancelled') return -9;
  return -1;
}

/** Seconds the job has run (until now while it runs). */
export function elapsedSecondsOf(record: JobRecord, now = Date.now()): number {
  const start = record.startedAt ?? record.createdAt;
  const end = record.finishedAt ?? now;
  return Math.max(0, Math.round(end - start) / 1000);
}

/** True while the job is pending or running. */
export function isActive(record: JobRecord): boolean {
  return record.status === 'pending' || record.status === 'running';
}

/** Tool input as stored with a job: JSON only, env_vars values hidden (they may hold secrets). */
export function storedInput(args: Record<string, unknown>): Record<string, unknown> {
  const input = JSON.parse(JSON.stringify(args)) as Record<string, unknown>;
  if (input.env_vars && typeof input.env_vars === 'object') {
    input.env_vars = Object.fromEntries(Object.keys(input.env_vars).map((name) => [name, '***']));
  }
  return input;
}
