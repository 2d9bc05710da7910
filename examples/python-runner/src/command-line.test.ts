import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandLine } from './command-line';

describe('parseCommandLine', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('has the documented defaults', () => {
    const config = parseCommandLine([]);
    expect(config).toMatchObject({
      transport: 'stdio',
      host: '127.0.0.1',
      port: 8000,
      inlineTimeoutSeconds: 20,
      store: 'file',
      leaseSeconds: 15,
      heartbeatSeconds: 5,
      roots: [process.cwd()],
      python: 'python3',
      maxConcurrentJobs: 4,
      maxOutputBytes: 1024 * 1024,
      scriptNice: 10,
      authToken: undefined,
      stateless: false,
      allowRemoteWithoutToken: false,
      maxSessions: 100,
      sessionIdleSeconds: 1800,
      requestTimeoutSeconds: 30,
      idleTimeoutSeconds: 30,
    });
    expect(config.dataDirectory).toContain('sa-python-runner');
  });

  it('reads every option, with repeatable roots', () => {
    const config = parseCommandLine([
      '--transport',
      'http',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--data-dir',
      '/tmp/sa-data',
      '--inline-timeout',
      '0.5',
      '--store',
      'memory',
      '--root',
      '/tmp',
      '--root',
      '/srv',
      '--python',
      '/usr/bin/python3',
      '--max-concurrent-jobs',
      '2',
      '--max-output-bytes',
      '4096',
      '--script-nice',
      '0',
      '--auth-token',
      'secret',
    ]);
    expect(config).toMatchObject({
      transport: 'http',
      host: '0.0.0.0',
      port: 0,
      dataDirectory: '/tmp/sa-data',
      inlineTimeoutSeconds: 0.5,
      store: 'memory',
      roots: ['/tmp', '/srv'],
      python: '/usr/bin/python3',
      maxConcurrentJobs: 2,
      maxOutputBytes: 4096,
      scriptNice: 0,
      authToken: 'secret',
    });
  });

  it('reads the environment variables', () => {
    vi.stubEnv('SA_DATA_DIR', '/tmp/from-env');
    vi.stubEnv('SMART_ASYNC_TIMEOUT_SECONDS', '7');
    vi.stubEnv('SA_STORE_URL', '/tmp/jobs-here');
    vi.stubEnv('SA_AUTH_TOKEN', 'token-from-env');
    vi.stubEnv('SA_SCRIPT_NICE', '19');
    expect(parseCommandLine([])).toMatchObject({
      dataDirectory: '/tmp/from-env',
      inlineTimeoutSeconds: 7,
      storeUrl: '/tmp/jobs-here',
      authToken: 'token-from-env',
      scriptNice: 19,
    });
  });

  it.each([
    ['redis', 'redis://127.0.0.1:6379', 'app:jobs:'],
    ['postgres', 'postgres://postgres@127.0.0.1:5432/test', 'app_jobs'],
  ])('reads the %s store with its URL, prefix, lease and heartbeat', (store, url, prefix) => {
    vi.stubEnv('SA_STORE_URL', url);
    vi.stubEnv('SA_HEARTBEAT_SECONDS', '0.5');
    expect(
      parseCommandLine(['--store', store, '--store-prefix', prefix, '--lease-seconds', '3']),
    ).toMatchObject({
      store,
      storeUrl: url,
      storePrefix: prefix,
      leaseSeconds: 3,
      heartbeatSeconds: 0.5,
    });
  });

  it.each([
    ['the flag', ['--stateless'], {}],
    ['SA_HTTP_STATELESS=1', [], { SA_HTTP_STATELESS: '1' }],
    ['SA_HTTP_STATELESS=true', [], { SA_HTTP_STATELESS: 'true' }],
  ])('turns stateless HTTP on with %s', (_name, argv, environment) => {
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
    expect(parseCommandLine(['--transport', 'http', ...argv]).stateless).toBe(true);
  });

  it.each([['0'], ['false'], ['']])(
    'leaves stateless HTTP off with SA_HTTP_STATELESS=%j',
    (value) => {
      vi.stubEnv('SA_HTTP_STATELESS', value);
      expect(parseCommandLine(['--transport', 'http']).stateless).toBe(false);
    },
  );

  it('listens beyond loopback without a token only when told to, or with a token', () => {
    expect(
      parseCommandLine([
        '--transport',
        'http',
        '--host',
        '0.0.0.0',
        '--allow-remote-without-token',
      ]),
    ).toMatchObject({ host: '0.0.0.0', allowRemoteWithoutToken: true });
    expect(
      parseCommandLine(['--transport', 'http', '--host', '0.0.0.0', '--auth-token', 's3cret']),
    ).toMatchObject({ host: '0.0.0.0', authToken: 's3cret' });
    expect(parseCommandLine(['--transport', 'http', '--host', '127.0.0.2'])).toMatchObject({
      host: '127.0.0.2',
    });
  });

  it('refuses a SA_HTTP_STATELESS that is not a yes or no', () => {
    vi.stubEnv('SA_HTTP_STATELESS', 'maybe');
    expect(() => parseCommandLine(['--transport', 'http'])).toThrow(
      /SA_HTTP_STATELESS must be 1 or 0 \(true\/false, yes\/no\), not "maybe"/,
    );
  });

  it.each([
    [
      ['--stateless'],
      /--stateless \(SA_HTTP_STATELESS\) applies to --transport http only, not stdio/,
    ],
    [['--port', 'abc'], /--port must be a number/],
    [['--store', 'sqlite'], /Allowed choices are file, memory, redis, postgres/],
    [['--store', 'redis'], /--store redis needs --store-url \(or SA_STORE_URL\)/],
    [
      ['--store', 'postgres', '--store-url', 'not a url'],
      /--store-url for the postgres store is not a URL/,
    ],
    [
      ['--store', 'redis', '--store-url', 'postgres://h/db'],
      /must start with redis:\/\/ or rediss:\/\//,
    ],
    [
      ['--store', 'postgres', '--store-url', 'redis://h'],
      /must start with postgres:\/\/ or postgresql:\/\//,
    ],
    [
      ['--store', 'postgres', '--store-url', 'postgres://h/db', '--store-prefix', 'bad-name'],
      /schema name/,
    ],
    [['--store-prefix', 'x:'], /--store-prefix applies to the redis and postgres stores only/],
    [
      ['--lease-seconds', '2', '--heartbeat-seconds', '2'],
      /--heartbeat-seconds \(2\) must be less than --lease-seconds \(2\)/,
    ],
    [['--lease-seconds', '0'], /--lease-seconds must be a positive number/],
    [['--max-concurrent-jobs', '0'], /--max-concurrent-jobs must be a positive number/],
    [['--inline-timeout', '-1'], /--inline-timeout must be a number >= 0/],
    [['--script-nice', '20'], /--script-nice must be an integer from 0 to 19, not 20/],
    [['--script-nice', '-1'], /--script-nice must be an integer from 0 to 19, not -1/],
    [['--script-nice', '2.5'], /--script-nice must be an integer from 0 to 19, not 2.5/],
    [
      ['--transport', 'http', '--host', '0.0.0.0'],
      /--host 0\.0\.0\.0 is not a loopback address: set --auth-token/,
    ],
    [['--transport', 'http', '--host', '::'], /pass --allow-remote-without-token/],
    [['--transport', 'http', '--host', '10.1.2.3'], /not a loopback address/],
    [['--inline-timeout', '1e9'], /--inline-timeout must be at most 2147483 seconds/],
    [['--lease-seconds', '1e308'], /--lease-seconds must be at most 2147483 seconds/],
    [['--max-sessions', '0'], /--max-sessions must be a positive number/],
    [['--max-sessions', '2.5'], /--max-sessions must be an integer/],
    [['--request-timeout', '-1'], /--request-timeout must be a positive number/],
    [['--idle-timeout', '1e10'], /--idle-timeout must be at most 2147483 seconds/],
  ])('refuses %j', (argv, message) => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseCommandLine(argv)).toThrow(message);
    } finally {
      write.mockRestore();
    }
  });
});
