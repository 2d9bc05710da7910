import ms from 'ms';
import { InvalidArgumentError } from '@sa/core';
import type { JobStatus } from '@sa/jobs';
import { jobStatuses } from '@sa/jobs';
import { echo } from './admin-error';

/** Which jobs to show: the store filters status, scope and label; tool and age are checked here. */
export interface JobFilter {
  /** Any of these statuses. */
  statuses?: readonly JobStatus[];
  /** Only this tool. */
  tool?: string;
  /** Only this label (exact). */
  label?: string;
  /** Only this scope (a session or auth subject); `null`: only shared jobs. */
  scope?: string | null;
  /** Only jobs created at least this long ago (ms). */
  olderThanMs?: number;
  /** Only jobs created at most this long ago (ms). */
  newerThanMs?: number;
}

/** Parses a comma-separated status list; throws `INVALID_ARGUMENT` naming a bad one. */
export function parseStatuses(text: string, name = '--status'): JobStatus[] {
  const statuses = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (statuses.length === 0) throw new InvalidArgumentError(`${name} needs at least one status`);
  for (const status of statuses) {
    if (!(jobStatuses as readonly string[]).includes(status))
      throw new InvalidArgumentError(
        `${name}: ${echo(status)} is not a status (one of ${jobStatuses.join(', ')})`,
      );
  }
  return statuses as JobStatus[];
}

/** Parses a duration such as `90s`, `15m`, `2h`, `7d` or plain milliseconds. */
export function parseDuration(text: string, name: string): number {
  const trimmed = text.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : ms(trimmed as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new InvalidArgumentError(
      `${name} must be a duration such as 30s, 15m, 2h or 7d, not ${echo(text)}`,
    );
  return value;
}

/** True when a job created at `createdAt` passes the filter's tool and age checks at `now`. */
export function matchesLocally(
  job: { tool: string; createdAt: number },
  filter: JobFilter,
  now: number,
): boolean {
  if (filter.tool !== undefined && job.tool !== filter.tool) return false;
  if (filter.olderThanMs !== undefined && job.createdAt > now - filter.olderThanMs) return false;
  if (filter.newerThanMs !== undefined && job.createdAt < now - filter.newerThanMs) return false;
  return true;
}

/** True when the filter needs checks the store cannot make (tool, age). */
export function hasLocalChecks(filter: JobFilter): boolean {
  return (
    filter.tool !== undefined ||
    filter.olderThanMs !== undefined ||
    filter.newerThanMs !== undefined
  );
}
