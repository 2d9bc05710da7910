import { describe, expect, it } from 'vitest';
import { allowedHostHeaders, isLoopbackHost } from './http-host-policy';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );
  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.org', '10.0.0.1'])(
    '%s is not loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('allowedHostHeaders', () => {
  it('admits the loopback names of a loopback listener', () => {
    expect(allowedHostHeaders({ bindHost: '127.0.0.1', port: 8000 })).toEqual(
      new Set(['127.0.0.1:8000', 'localhost:8000', '[::1]:8000']),
    );
  });

  it.each(['0.0.0.0', '::'])('never admits the wildcard %s itself', (bindHost) => {
    const allowed = allowedHostHeaders({ bindHost, port: 8000 });
    expect(allowed.has('0.0.0.0:8000')).toBe(false);
    expect(allowed.has('[::]:8000')).toBe(false);
    expect(allowed.has('127.0.0.1:8000')).toBe(true);
  });

  it('admits one address, and the extra hosts given', () => {
    expect(
      allowedHostHeaders({ bindHost: '192.0.2.7', port: 80, extraHosts: ['MCP.example.org:443'] }),
    ).toEqual(new Set(['192.0.2.7:80', 'mcp.example.org:443']));
  });
});
