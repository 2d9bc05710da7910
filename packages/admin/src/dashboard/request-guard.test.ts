import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkRequest, hostName, isLoopbackAddress } from './request-guard';

function requestWith(method: string, headers: Record<string, string>): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}
const url = new URL('http://x/api/jobs');

describe('checkRequest', () => {
  it.each([
    ['127.0.0.1:4100', undefined],
    ['localhost:4100', undefined],
    ['[::1]:4100', undefined],
    ['evil.example:4100', 403],
    ['127.0.0.1.evil.example', 403],
  ])('Host %s', (host, status) => {
    expect(checkRequest(requestWith('GET', { host }), url, {})?.status).toBe(status);
  });

  it('needs the token by header, cookie or query, and nothing else', () => {
    const options = { token: 'sixteen-chars-token' };
    const host = '127.0.0.1:1';
    expect(checkRequest(requestWith('GET', { host }), url, options)?.status).toBe(401);
    expect(
      checkRequest(requestWith('GET', { host, authorization: 'Bearer nope' }), url, options)
        ?.status,
    ).toBe(401);
    expect(
      checkRequest(
        requestWith('GET', { host, authorization: 'Bearer sixteen-chars-token' }),
        url,
        options,
      ),
    ).toBeUndefined();
    expect(
      checkRequest(
        requestWith('GET', { host, cookie: 'a=b; sa_jobs_token=sixteen-chars-token' }),
        url,
        options,
      ),
    ).toBeUndefined();
    expect(
      checkRequest(
        requestWith('GET', { host }),
        new URL('http://x/?token=sixteen-chars-token'),
        options,
      ),
    ).toBeUndefined();
  });

  it('needs the page own Origin (or an allowed one) for actions', () => {
    const host = '127.0.0.1:4100';
    expect(checkRequest(requestWith('POST', { host }), url, {})?.status).toBe(403);
    expect(
      checkRequest(requestWith('POST', { host, origin: 'http://evil.example' }), url, {})?.status,
    ).toBe(403);
    expect(
      checkRequest(requestWith('POST', { host, origin: 'http://127.0.0.1:4100' }), url, {}),
    ).toBeUndefined();
    expect(
      checkRequest(requestWith('POST', { host, origin: 'https://ops.example' }), url, {
        allowedOrigins: ['https://ops.example'],
      }),
    ).toBeUndefined();
  });
});

describe('addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['192.168.1.2', false],
    ['::', false],
  ])('%s loopback: %s', (host, loopback) => expect(isLoopbackAddress(host)).toBe(loopback));

  it.each([
    ['Example.com:80', 'example.com'],
    ['[::1]:4100', '[::1]'],
    ['localhost', 'localhost'],
  ])('host name of %s', (host, name) => expect(hostName(host)).toBe(name));
});
