import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What `checkRequest` needs to know: the token, and which hosts and origins are this dashboard. */
export interface RequestGuardOptions {
  token?: string;
  /** Host names (without port) accepted in the `Host` header besides the loopback ones. */
  allowedHosts?: readonly string[];
  /** Origins (`scheme://host[:port]`) accepted for actions besides the page's own. */
  allowedOrigins?: readonly string[];
}

/** Why a request was refused: HTTP status and a one-line reason. */
export interface Refusal {
  status: 401 | 403;
  reason: string;
}

const loopbackHosts = ['localhost', '127.0.0.1', '[::1]'];

/** The cookie the page's token is kept in after the first `?token=` visit. */
export const tokenCookie = 'sa_jobs_token';

/** The host name of a `Host` header, without its port (IPv6 keeps its brackets). */
export function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return colon === -1 ? trimmed : trimmed.slice(0, colon);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares two secrets in constant time (over their hashes, so lengths leak nothing). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Authorization: Bearer`, the cookie, or `?token=`. */
export function requestToken(request: IncomingMessage, url: URL): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === tokenCookie) return decodeURIComponent(value.join('='));
  }
  return url.searchParams.get('token') ?? undefined;
}

/**
 * Checks a request before anything else runs: the `Host` header names this dashboard (no DNS
 * rebinding), the token matches (when one is set), and for an action (any method but GET and
 * HEAD) the `Origin` is the page's own or an allowed one (no cross-site cancel).
 */
export function checkRequest(
  request: IncomingMessage,
  url: URL,
  options: RequestGuardOptions,
): Refusal | undefined {
  const host = request.headers.host;
  if (host === undefined || host === '')
    return { status: 403, reason: 'a Host header is required' };
  const name = hostName(host);
  const hosts = [
    ...loopbackHosts,
    ...(options.allowedHosts ?? []).map((value) => value.toLowerCase()),
  ];
  if (!hosts.includes(name)) return { status: 403, reason: 'this Host is not allowed' };
  if (options.token !== undefined) {
    const given = requestToken(request, url);
    if (given === undefined || !sameSecret(given, options.token))
      return { status: 401, reason: 'a valid token is required' };
  }
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    const origin = request.headers.origin;
    if (origin === undefined)
      return { status: 403, reason: 'an Origin header is required for actions' };
    const own = [`http://${host.toLowerCase()}`, `https://${host.toLowerCase()}`];
    if (![...own, ...(options.allowedOrigins ?? [])].includes(origin.toLowerCase()))
      return { status: 403, reason: 'cross-origin actions are refused' };
  }
  return undefined;
}

/** True for a loopback bind address (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackAddress(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
