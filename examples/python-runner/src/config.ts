import envPaths from 'env-paths';
import { InvalidArgumentError } from '@sa/core';
import { durationTooLongMessage, maxDurationSeconds } from './duration-limits';
import { isLoopbackHost } from './http-host-policy';

/** The job stores the server can use. */
export const pythonRunnerStoreKinds = ['file', 'memory', 'redis', 'postgres'] as const;

/** One of `pythonRunnerStoreKinds`. */
export type PythonRunnerStoreKind = (typeof pythonRunnerStoreKinds)[number];

const storeUrlProtocols: Partial<Record<PythonRunnerStoreKind, readonly string[]>> = {
  redis: ['redis:', 'rediss:'],
  postgres: ['postgres:', 'postgresql:'],
};

/** Every setting of the server, as the command line and environment give them. */
export interface PythonRunnerConfig {
  /** `stdio` (default) or `http` (Streamable HTTP). */
  transport: 'stdio' | 'http';
  /** HTTP bind address (default loopback `127.0.0.1`). */
  host: string;
  /** HTTP port (default 8000; 0 picks a free one). */
  port: number;
  /**
   * HTTP only: serve every POST with a fresh server and transport and keep no sessions, so any
   * replica behind a load balancer can answer any request (default false).
   */
  stateless: boolean;
  /** Job store, saved scripts and cached environments live here. */
  dataDirectory: string;
  /** Budget before a v2 call moves to the background, seconds (default 20). */
  inlineTimeoutSeconds: number;
  /** `file` (default, under the data directory), `memory`, `redis` or `postgres`. */
  store: PythonRunnerStoreKind;
  /**
   * For `file`: the store's directory (a path or `file:` URL) instead of `<data-dir>/jobs`.
   * For `redis` (`redis://` or `rediss://`) and `postgres` (`postgres://` or `postgresql://`): the server, required.
   */
  storeUrl?: string;
  /** For `redis`: the key prefix (default `sa:jobs:`); for `postgres`: the schema (default `sa_jobs`). */
  storePrefix?: string;
  /** How long a running job's owner lease lasts without a heartbeat, seconds (default 15). */
  leaseSeconds: number;
  /** How often a running job's owner renews its lease, seconds (default 5, below the lease). */
  heartbeatSeconds: number;
  /** The only directories scripts may run in or be read from (default the working directory). */
  roots: string[];
  /** The interpreter when uv is not used (default `python3`). */
  python: string;
  /** Jobs running at once; more wait as `pending` (default 4). */
  maxConcurrentJobs: number;
  /** Output kept per job and stream, bytes (default 1 MiB). */
  maxOutputBytes: number;
  /**
   * How much lower than the server's the scripts' CPU priority is, 0 to 19 (default 10), so the
   * server keeps answering and renewing leases while its scripts use every core. 0: the same.
   */
  scriptNice: number;
  /**
   * Old behaviour: scripts run inside the server and stop with it, their jobs recorded
   * `interrupted` with the reason (default false: they run under the supervisor and outlive it).
   */
  stopJobsOnExit: boolean;
  /** The supervisor exits after this long with no job and no server connected, seconds (default 60). */
  supervisorIdleSeconds: number;
  /** HTTP bearer token; when set, every HTTP request must carry it. */
  authToken?: string;
  /** Extra `Host` header values accepted over HTTP besides the bound host. */
  allowedHosts?: string[];
  /** Extra `Origin` values accepted over HTTP besides the loopback ones. */
  allowedOrigins?: string[];
  /**
   * HTTP: listen on a non-loopback `host` without `authToken` (default false: refused, as anyone
   * who reaches the port could run Python as the server's user). Logged as a warning.
   */
  allowRemoteWithoutToken: boolean;
  /** HTTP: live sessions kept at most; a new one evicts the oldest idle one (default 100). */
  maxSessions: number;
  /** HTTP: a session with no request for this long is closed, seconds (default 1800). */
  sessionIdleSeconds: number;
  /** HTTP: a request's headers and body must arrive within this, seconds (default 30). */
  requestTimeoutSeconds: number;
  /** HTTP: a connection with no request in progress and no traffic is closed after this, seconds (default 30). */
  idleTimeoutSeconds: number;
}

/** The per-user state directory (e.g. `~/.local/share/sa-python-runner` on Linux). */
export function defaultDataDirectory(): string {
  return envPaths('sa-python-runner', { suffix: '' }).data;
}

/** True when scripts run under the supervisor (a shared store, and not `--stop-jobs-on-exit`). */
export function usesSupervisor(config: PythonRunnerConfig): boolean {
  return config.store !== 'memory' && !config.stopJobsOnExit;
}

/** Fills defaults and checks the values; throws `INVALID_ARGUMENT` naming the bad setting. */
export function resolveConfig(partial: Partial<PythonRunnerConfig>): PythonRunnerConfig {
  const config: PythonRunnerConfig = {
    transport: partial.transport ?? 'stdio',
    host: partial.host ?? '127.0.0.1',
    port: partial.port ?? 8000,
    stateless: partial.stateless ?? false,
    dataDirectory: partial.dataDirectory ?? defaultDataDirectory(),
    inlineTimeoutSeconds: partial.inlineTimeoutSeconds ?? 20,
    store: partial.store ?? 'file',
    storeUrl: partial.storeUrl || undefined,
    storePrefix: partial.storePrefix || undefined,
    leaseSeconds: partial.leaseSeconds ?? 15,
    heartbeatSeconds: partial.heartbeatSeconds ?? 5,
    roots: partial.roots && partial.roots.length > 0 ? partial.roots : [process.cwd()],
    python: partial.python ?? 'python3',
    maxConcurrentJobs: partial.maxConcurrentJobs ?? 4,
    maxOutputBytes: partial.maxOutputBytes ?? 1024 * 1024,
    scriptNice: partial.scriptNice ?? 10,
    stopJobsOnExit: partial.stopJobsOnExit ?? false,
    supervisorIdleSeconds: partial.supervisorIdleSeconds ?? 60,
    authToken: partial.authToken || undefined,
    allowedHosts: partial.allowedHosts ?? [],
    allowedOrigins: partial.allowedOrigins ?? [],
    allowRemoteWithoutToken: partial.allowRemoteWithoutToken ?? false,
    maxSessions: partial.maxSessions ?? 100,
    sessionIdleSeconds: partial.sessionIdleSeconds ?? 1800,
    requestTimeoutSeconds: partial.requestTimeoutSeconds ?? 30,
    idleTimeoutSeconds: partial.idleTimeoutSeconds ?? 30,
  };
  if (!['stdio', 'http'].includes(config.transport)) {
    throw new InvalidArgumentError(
      `--transport must be stdio or http, not ${String(config.transport)}`,
    );
  }
  if (!pythonRunnerStoreKinds.includes(config.store)) {
    throw new InvalidArgumentError(
      `--store must be one of ${pythonRunnerStoreKinds.join(', ')}, not ${String(config.store)}`,
    );
  }
  if (config.stateless && config.transport !== 'http')
    throw new InvalidArgumentError(
      `--stateless (SA_HTTP_STATELESS) applies to --transport http only, not ${config.transport}`,
    );
  checkStoreUrl(config.store, config.storeUrl);
  if (config.storePrefix !== undefined && config.store !== 'redis' && config.store !== 'postgres')
    throw new InvalidArgumentError(`--store-prefix applies to the redis and postgres stores only`);
  if (config.store === 'postgres' && config.storePrefix !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(config.storePrefix))
      throw new InvalidArgumentError(
        `--store-prefix for postgres is a schema name (letters, digits, _; not starting with a digit), not ${JSON.stringify(config.storePrefix)}`,
      );
  }
  const positive = (value: number, name: string, allowZero = false): void => {
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new InvalidArgumentError(
        `${name} must be a ${allowZero ? 'number >= 0' : 'positive number'}, not ${value}`,
      );
    }
  };
  const duration = (value: number, name: string, allowZero = false): void => {
    positive(value, name, allowZero);
    if (value > maxDurationSeconds) throw new InvalidArgumentError(durationTooLongMessage(name));
  };
  positive(config.port, '--port', true);
  if (!Number.isInteger(config.port) || config.port > 65535)
    throw new InvalidArgumentError(`--port must be an integer from 0 to 65535`);
  duration(config.inlineTimeoutSeconds, '--inline-timeout', true);
  positive(config.maxConcurrentJobs, '--max-concurrent-jobs');
  if (!Number.isInteger(config.maxConcurrentJobs))
    throw new InvalidArgumentError('--max-concurrent-jobs must be an integer');
  positive(config.maxOutputBytes, '--max-output-bytes');
  if (!Number.isInteger(config.scriptNice) || config.scriptNice < 0 || config.scriptNice > 19)
    throw new InvalidArgumentError(
      `--script-nice must be an integer from 0 to 19, not ${String(config.scriptNice)}`,
    );
  duration(config.supervisorIdleSeconds, '--supervisor-idle-seconds', true);
  duration(config.leaseSeconds, '--lease-seconds');
  positive(config.maxSessions, '--max-sessions');
  if (!Number.isInteger(config.maxSessions))
    throw new InvalidArgumentError('--max-sessions must be an integer');
  duration(config.sessionIdleSeconds, '--session-idle-timeout');
  duration(config.requestTimeoutSeconds, '--request-timeout');
  duration(config.idleTimeoutSeconds, '--idle-timeout');
  if (
    config.transport === 'http' &&
    !isLoopbackHost(config.host) &&
    config.authToken === undefined &&
    !config.allowRemoteWithoutToken
  )
    throw new InvalidArgumentError(
      `--host ${config.host} is not a loopback address: set --auth-token (SA_AUTH_TOKEN), or anyone who can reach the port can run Python as this user. ` +
        'To accept that (e.g. behind a proxy that authenticates), pass --allow-remote-without-token.',
    );
  duration(config.heartbeatSeconds, '--heartbeat-seconds');
  if (config.heartbeatSeconds >= config.leaseSeconds)
    throw new InvalidArgumentError(
      `--heartbeat-seconds (${config.heartbeatSeconds}) must be less than --lease-seconds (${config.leaseSeconds}), or jobs would be reaped between heartbeats`,
    );
  return config;
}

/** Throws `INVALID_ARGUMENT` unless a server store has a URL of its own protocol. */
function checkStoreUrl(store: PythonRunnerStoreKind, storeUrl: string | undefined): void {
  const protocols = storeUrlProtocols[store];
  if (protocols === undefined) return;
  const example = `${protocols[0]}//${store === 'redis' ? '127.0.0.1:6379' : 'postgres@127.0.0.1:5432/app'}`;
  if (storeUrl === undefined)
    throw new InvalidArgumentError(
      `--store ${store} needs --store-url (or SA_STORE_URL), e.g. ${example}`,
    );
  let parsed: URL;
  try {
    parsed = new URL(storeUrl);
  } catch {
    throw new InvalidArgumentError(
      `--store-url for the ${store} store is not a URL: ${JSON.stringify(storeUrl)} (e.g. ${example})`,
    );
  }
  if (!protocols.includes(parsed.protocol))
    throw new InvalidArgumentError(
      `--store-url for the ${store} store must start with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}, not ${parsed.protocol}// (e.g. ${example})`,
    );
}
