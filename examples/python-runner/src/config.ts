import envPaths from 'env-paths';
import { InvalidArgumentError } from '@sa/core';

/** Every setting of the server, as the command line and environment give them. */
export interface PythonRunnerConfig {
  /** `stdio` (default) or `http` (Streamable HTTP). */
  transport: 'stdio' | 'http';
  /** HTTP bind address (default loopback `127.0.0.1`). */
  host: string;
  /** HTTP port (default 8000; 0 picks a free one). */
  port: number;
  /** Job store, saved scripts and cached environments live here. */
  dataDirectory: string;
  /** Budget before a v2 call moves to the background, seconds (default 20). */
  inlineTimeoutSeconds: number;
  /** `file` (default, under the data directory) or `memory`. */
  store: 'file' | 'memory';
  /** For `file`: the store's directory (a path or `file:` URL) instead of `<data-dir>/jobs`. */
  storeUrl?: string;
  /** The only directories scripts may run in or be read from (default the working directory). */
  roots: string[];
  /** The interpreter when uv is not used (default `python3`). */
  python: string;
  /** Jobs running at once; more wait as `pending` (default 4). */
  maxConcurrentJobs: number;
  /** Output kept per job and stream, bytes (default 1 MiB). */
  maxOutputBytes: number;
  /** HTTP bearer token; when set, every HTTP request must carry it. */
  authToken?: string;
  /** Extra `Host` header values accepted over HTTP besides the bound host. */
  allowedHosts?: string[];
  /** Extra `Origin` values accepted over HTTP besides the loopback ones. */
  allowedOrigins?: string[];
}

/** The per-user state directory (e.g. `~/.local/share/sa-python-runner` on Linux). */
export function defaultDataDirectory(): string {
  return envPaths('sa-python-runner', { suffix: '' }).data;
}

/** Fills defaults and checks the values; throws `INVALID_ARGUMENT` naming the bad setting. */
export function resolveConfig(partial: Partial<PythonRunnerConfig>): PythonRunnerConfig {
  const config: PythonRunnerConfig = {
    transport: partial.transport ?? 'stdio',
    host: partial.host ?? '127.0.0.1',
    port: partial.port ?? 8000,
    dataDirectory: partial.dataDirectory ?? defaultDataDirectory(),
    inlineTimeoutSeconds: partial.inlineTimeoutSeconds ?? 20,
    store: partial.store ?? 'file',
    storeUrl: partial.storeUrl,
    roots: partial.roots && partial.roots.length > 0 ? partial.roots : [process.cwd()],
    python: partial.python ?? 'python3',
    maxConcurrentJobs: partial.maxConcurrentJobs ?? 4,
    maxOutputBytes: partial.maxOutputBytes ?? 1024 * 1024,
    authToken: partial.authToken || undefined,
    allowedHosts: partial.allowedHosts ?? [],
    allowedOrigins: partial.allowedOrigins ?? [],
  };
  if (!['stdio', 'http'].includes(config.transport)) {
    throw new InvalidArgumentError(
      `--transport must be stdio or http, not ${String(config.transport)}`,
    );
  }
  if (!['file', 'memory'].includes(config.store)) {
    throw new InvalidArgumentError(
      `--store must be file or memory, not ${String(config.store)} (Redis and PostgreSQL stores come with @sa/jobs/redis and @sa/jobs/postgres)`,
    );
  }
  const positive = (value: number, name: string, allowZero = false): void => {
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new InvalidArgumentError(
        `${name} must be a ${allowZero ? 'number >= 0' : 'positive number'}, not ${value}`,
      );
    }
  };
  positive(config.port, '--port', true);
  if (!Number.isInteger(config.port) || config.port > 65535)
    throw new InvalidArgumentError(`--port must be an integer from 0 to 65535`);
  positive(config.inlineTimeoutSeconds, '--inline-timeout', true);
  positive(config.maxConcurrentJobs, '--max-concurrent-jobs');
  if (!Number.isInteger(config.maxConcurrentJobs))
    throw new InvalidArgumentError('--max-concurrent-jobs must be an integer');
  positive(config.maxOutputBytes, '--max-output-bytes');
  return config;
}
