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
      roots: [process.cwd()],
      python: 'python3',
      maxConcurrentJobs: 4,
      maxOutputBytes: 1024 * 1024,
      authToken: undefined,
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
      authToken: 'secret',
    });
  });

  it('reads the environment variables', () => {
    vi.stubEnv('SA_DATA_DIR', '/tmp/from-env');
    vi.stubEnv('SMART_ASYNC_TIMEOUT_SECONDS', '7');
    vi.stubEnv('SA_STORE_URL', '/tmp/jobs-here');
    vi.stubEnv('SA_AUTH_TOKEN', 'token-from-env');
    expect(parseCommandLine([])).toMatchObject({
      dataDirectory: '/tmp/from-env',
      inlineTimeoutSeconds: 7,
      storeUrl: '/tmp/jobs-here',
      authToken: 'token-from-env',
    });
  });

  it.each([
    [['--port', 'abc'], /--port must be a number/],
    [['--store', 'redis'], /Allowed choices are file, memory/],
    [['--max-concurrent-jobs', '0'], /--max-concurrent-jobs must be a positive number/],
    [['--inline-timeout', '-1'], /--inline-timeout must be a number >= 0/],
  ])('refuses %j', (argv, message) => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseCommandLine(argv)).toThrow(message);
    } finally {
      write.mockRestore();
    }
  });
});
