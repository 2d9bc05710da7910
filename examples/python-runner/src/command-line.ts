import { delimiter } from 'node:path';
import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { InvalidArgumentError } from '@sa/core';
import type { PythonRunnerConfig } from './config';
import { defaultDataDirectory, pythonRunnerStoreKinds, resolveConfig } from './config';
import { packageVersion } from './package-version';

/** A commander parser of numeric option values. */
function number(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed)) {
      throw new CommanderArgumentError(`${name} must be a number, not ${JSON.stringify(value)}`);
    }
    return parsed;
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(delimiter).filter(Boolean)];
}

/** Reads a yes/no environment variable (`1`, `true`, `yes` or `0`, `false`, `no`, empty). */
function environmentFlag(name: string): boolean {
  const value = process.env[name]?.trim().toLowerCase() ?? '';
  if (['1', 'true', 'yes'].includes(value)) return true;
  if (['', '0', 'false', 'no'].includes(value)) return false;
  throw new InvalidArgumentError(
    `${name} must be 1 or 0 (true/false, yes/no), not ${JSON.stringify(process.env[name])}`,
  );
}

/** Parses the command line (and environment variables) into a configuration. */
export function parseCommandLine(argv: readonly string[]): PythonRunnerConfig {
  const program = new Command()
    .name('sa-python-runner')
    .description(
      'An MCP server that runs Python scripts; long runs move to persisted background jobs.',
    )
    .version(packageVersion())
    .addOption(
      new Option('--transport <transport>', 'stdio or http')
        .choices(['stdio', 'http'])
        .default('stdio')
        .env('SA_TRANSPORT'),
    )
    .addOption(
      new Option(
        '--stateless',
        'HTTP: a fresh server per request and no sessions, so any replica answers any request (env: SA_HTTP_STATELESS=1)',
      ),
    )
    .addOption(new Option('--host <host>', 'HTTP bind address').default('127.0.0.1').env('SA_HOST'))
    .addOption(
      new Option('--port <port>', 'HTTP port (0: any free port)')
        .argParser(number('--port'))
        .default(8000)
        .env('SA_PORT'),
    )
    .addOption(
      new Option('--data-dir <dir>', 'job store, saved scripts and cached environments')
        .default(defaultDataDirectory())
        .env('SA_DATA_DIR'),
    )
    .addOption(
      new Option('--inline-timeout <seconds>', 'budget before a v2 call moves to the background')
        .argParser(number('--inline-timeout'))
        .default(20)
        .env('SMART_ASYNC_TIMEOUT_SECONDS'),
    )
    .addOption(
      new Option('--store <store>', 'job store')
        .choices(pythonRunnerStoreKinds)
        .default('file')
        .env('SA_STORE'),
    )
    .addOption(
      new Option(
        '--store-url <url>',
        'file store directory (path or file: URL) instead of <data-dir>/jobs; redis:// or postgres:// URL of the server store',
      ).env('SA_STORE_URL'),
    )
    .addOption(
      new Option(
        '--store-prefix <prefix>',
        'redis key prefix (default sa:jobs:) or postgres schema (default sa_jobs)',
      ).env('SA_STORE_PREFIX'),
    )
    .addOption(
      new Option(
        '--lease-seconds <seconds>',
        "a running job's owner lease; a dead replica's jobs are interrupted after it",
      )
        .argParser(number('--lease-seconds'))
        .default(15)
        .env('SA_LEASE_SECONDS'),
    )
    .addOption(
      new Option(
        '--heartbeat-seconds <seconds>',
        'how often a running job renews its lease and sees cancel requests',
      )
        .argParser(number('--heartbeat-seconds'))
        .default(5)
        .env('SA_HEARTBEAT_SECONDS'),
    )
    .addOption(
      new Option(
        '--root <dir>',
        'a directory scripts may run in or be read from (repeatable; default the working directory)',
      )
        .argParser(collect)
        .env('SA_ROOTS'),
    )
    .addOption(
      new Option('--python <path>', 'Python interpreter when uv is not used')
        .default('python3')
        .env('SA_PYTHON'),
    )
    .addOption(
      new Option('--max-concurrent-jobs <count>', 'jobs running at once; more wait as pending')
        .argParser(number('--max-concurrent-jobs'))
        .default(4)
        .env('SA_MAX_CONCURRENT_JOBS'),
    )
    .addOption(
      new Option(
        '--max-output-bytes <bytes>',
        'output kept per job and stream; the rest is dropped with a notice',
      )
        .argParser(number('--max-output-bytes'))
        .default(1024 * 1024)
        .env('SA_MAX_OUTPUT_BYTES'),
    )
    .addOption(
      new Option(
        '--script-nice <n>',
        "how much lower than the server's the scripts' CPU priority is (0 to 19; 0: the same)",
      )
        .argParser(number('--script-nice'))
        .default(10)
        .env('SA_SCRIPT_NICE'),
    )
    .addOption(
      new Option(
        '--stop-jobs-on-exit',
        'old behaviour: scripts run in the server and stop with it, their jobs recorded interrupted (env: SA_STOP_JOBS_ON_EXIT=1)',
      ),
    )
    .addOption(
      new Option(
        '--supervisor-idle-seconds <seconds>',
        'the supervisor exits after this long with no job and no server connected',
      )
        .argParser(number('--supervisor-idle-seconds'))
        .default(60)
        .env('SA_SUPERVISOR_IDLE_SECONDS'),
    )
    .addOption(
      new Option('--auth-token <token>', 'bearer token required over HTTP').env('SA_AUTH_TOKEN'),
    )
    .addOption(
      new Option('--allowed-host <host>', 'extra Host header accepted over HTTP (repeatable)')
        .argParser(collect)
        .env('SA_ALLOWED_HOSTS'),
    )
    .addOption(
      new Option('--allowed-origin <origin>', 'extra Origin accepted over HTTP (repeatable)')
        .argParser(collect)
        .env('SA_ALLOWED_ORIGINS'),
    )
    .addOption(
      new Option(
        '--allow-remote-without-token',
        'HTTP: allow a non-loopback --host without --auth-token (anyone who reaches the port can run Python; logged as a warning)',
      ),
    )
    .addOption(
      new Option(
        '--max-sessions <count>',
        'HTTP: live sessions kept; a new one evicts the oldest idle one',
      )
        .argParser(number('--max-sessions'))
        .default(100)
        .env('SA_MAX_SESSIONS'),
    )
    .addOption(
      new Option(
        '--session-idle-timeout <seconds>',
        'HTTP: close a session with no request for this long',
      )
        .argParser(number('--session-idle-timeout'))
        .default(1800)
        .env('SA_SESSION_IDLE_TIMEOUT'),
    )
    .addOption(
      new Option(
        '--request-timeout <seconds>',
        "HTTP: a request's headers and body must arrive within this",
      )
        .argParser(number('--request-timeout'))
        .default(30)
        .env('SA_REQUEST_TIMEOUT'),
    )
    .addOption(
      new Option(
        '--idle-timeout <seconds>',
        'HTTP: close a connection with no request in progress and no traffic after this',
      )
        .argParser(number('--idle-timeout'))
        .default(30)
        .env('SA_IDLE_TIMEOUT'),
    )
    .addHelpText(
      'after',
      [
        '',
        'Scripts run under a supervisor process (one per job store, started by the first server',
        'that runs a script, detached from it), so they outlive the server: closing the host,',
        'SIGTERM or kill -9 of the server leaves them running, and later servers follow them.',
        'See it with `ps -ef | grep supervisor-entry`; its log is',
        '<data-dir>/supervisor/<store>-<hash>/supervisor.log. Stop it with `kill <pid>` (its',
        'running jobs become interrupted); it exits by itself after --supervisor-idle-seconds',
        'with no job and no server. --stop-jobs-on-exit (or --store memory) runs scripts in the',
        'server instead: they stop with it and their jobs are recorded interrupted.',
      ].join('\n'),
    )
    .configureOutput({
      writeOut: (text) => process.stderr.write(text),
      writeErr: (text) => process.stderr.write(text),
    })
    .exitOverride();
  program.parse([...argv], { from: 'user' });
  const options = program.opts<{
    transport: 'stdio' | 'http';
    stateless?: boolean;
    host: string;
    port: number;
    dataDir: string;
    inlineTimeout: number;
    store: PythonRunnerConfig['store'];
    storeUrl?: string;
    storePrefix?: string;
    leaseSeconds: number;
    heartbeatSeconds: number;
    root?: string[];
    python: string;
    maxConcurrentJobs: number;
    maxOutputBytes: number;
    scriptNice: number;
    stopJobsOnExit?: boolean;
    supervisorIdleSeconds: number;
    authToken?: string;
    allowedHost?: string[];
    allowedOrigin?: string[];
    allowRemoteWithoutToken?: boolean;
    maxSessions: number;
    sessionIdleTimeout: number;
    requestTimeout: number;
    idleTimeout: number;
  }>();
  return resolveConfig({
    transport: options.transport,
    stateless: options.stateless === true || environmentFlag('SA_HTTP_STATELESS'),
    host: options.host,
    port: options.port,
    dataDirectory: options.dataDir,
    inlineTimeoutSeconds: options.inlineTimeout,
    store: options.store,
    storeUrl: options.storeUrl,
    storePrefix: options.storePrefix,
    leaseSeconds: options.leaseSeconds,
    heartbeatSeconds: options.heartbeatSeconds,
    roots: options.root,
    python: options.python,
    maxConcurrentJobs: options.maxConcurrentJobs,
    maxOutputBytes: options.maxOutputBytes,
    scriptNice: options.scriptNice,
    stopJobsOnExit: options.stopJobsOnExit === true || environmentFlag('SA_STOP_JOBS_ON_EXIT'),
    supervisorIdleSeconds: options.supervisorIdleSeconds,
    authToken: options.authToken,
    allowedHosts: options.allowedHost,
    allowedOrigins: options.allowedOrigin,
    allowRemoteWithoutToken:
      options.allowRemoteWithoutToken === true || environmentFlag('SA_ALLOW_REMOTE_WITHOUT_TOKEN'),
    maxSessions: options.maxSessions,
    sessionIdleSeconds: options.sessionIdleTimeout,
    requestTimeoutSeconds: options.requestTimeout,
    idleTimeoutSeconds: options.idleTimeout,
  });
}
