import { connect } from 'node:net';

/** True when something accepts TCP connections at `host:port` within `timeoutMs`. */
export function isReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const finish = (reachable: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reachable);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Says whether tests needing a service should run. In CI (`CI=true`) a missing service is a
 * failure, so this returns true (and the tests fail loudly); elsewhere it warns and returns false.
 */
export async function shouldRunServiceTests(
  service: string,
  host: string,
  port: number,
): Promise<boolean> {
  if (await isReachable(host, port)) return true;
  if (process.env.CI === 'true') return true;
  console.warn(
    `\n!!! ${service} is not reachable at ${host}:${String(port)}: SKIPPING its tests (they fail in CI).` +
      ' Start it with scripts/ensure-services.sh.\n',
  );
  return false;
}
