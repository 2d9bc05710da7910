import type { JobProgress, JobStatus } from '@sa/jobs';
import type { Colors } from 'picocolors/types';

/** A duration in a short human form: `850ms`, `12s`, `5m 3s`, `2h 10m`, `3d 4h`. */
export function formatDuration(milliseconds: number): string {
  const value = Math.max(0, milliseconds);
  if (value < 1000) return `${Math.round(value)}ms`;
  const seconds = Math.floor(value / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** A time as ISO 8601 (UTC), or `-`. */
export function formatTime(epochMs: number | null | undefined): string {
  return epochMs === null || epochMs === undefined ? '-' : new Date(epochMs).toISOString();
}

/** A byte count: `512 B`, `1.5 KiB`, `3.2 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Progress as `42%` (with a total) or the bare count, or `-`. */
export function formatProgress(progress: JobProgress | null): string {
  if (!progress) return '-';
  if (progress.total !== undefined && progress.total > 0)
    return `${Math.floor((100 * progress.progress) / progress.total)}%`;
  return String(progress.progress);
}

/** A status in its colour (when colours are on). */
export function colorStatus(status: JobStatus, colors: Colors): string {
  switch (status) {
    case 'running':
      return colors.cyan(status);
    case 'pending':
      return colors.blue(status);
    case 'completed':
      return colors.green(status);
    case 'failed':
      return colors.red(status);
    case 'cancelled':
      return colors.yellow(status);
    case 'interrupted':
      return colors.magenta(status);
  }
}
