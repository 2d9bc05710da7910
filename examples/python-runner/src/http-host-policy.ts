import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** The names a client on this machine may use for a loopback listener. */
export const loopbackHostNames = ['127.0.0.1', 'localhost', '[::1]', '::1'];

/** True for a loopback bind address: `localhost`, `127.0.0.0/8`, `::1` (or its IPv4-mapped form). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/** True for an address that listens on every interface (`0.0.0.0`, `::`). */
export function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || bare === '::' || bare === '0:0:0:0:0:0:0:0';
}

function withPort(name: string, port: number): string {
  const host = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
  return `${host}:${port}`.toLowerCase();
}

/**
 * The `Host` header values a client can legitimately send to a listener on `bindHost:port`:
 * for loopback, the loopback names; for one address, that address; for a wildcard, the
 * machine's own interface addresses and host name (never the wildcard itself, which no client
 * can connect to, so a `Host: 0.0.0.0` is always a forged header); plus `extraHosts`.
 *
 * @example
 * allowedHostHeaders({ bindHost: '127.0.0.1', port: 8000 }); // Set { '127.0.0.1:8000', 'localhost:8000', '[::1]:8000' }
 */
export function allowedHostHeaders(options: {
  bindHost: string;
  port: number;
  extraHosts?: readonly string[];
}): Set<string> {
  const { bindHost, port } = options;
  let names: string[];
  if (isLoopbackHost(bindHost)) names = loopbackHostNames;
  else if (isWildcardHost(bindHost)) {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .flatMap((info) => (info ? [info.address] : []));
    names = [...loopbackHostNames, ...addresses, hostname()];
  } else names = [bindHost];
  return new Set([
    ...names.map((name) => withPort(name, port)),
    ...(options.extraHosts ?? []).map((host) => host.toLowerCase()),
  ]);
}
