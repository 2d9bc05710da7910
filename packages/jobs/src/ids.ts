import { randomFillSync } from 'node:crypto';

const idBytes = 16;
const pool = Buffer.alloc(idBytes * 512);
let poolOffset = pool.length;

/** 16 cryptographically random bytes, from a pool refilled by the system CSPRNG (cheaper than one call per id). */
function randomId(): string {
  if (poolOffset + idBytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + idBytes);
  poolOffset += idBytes;
  return id;
}

/**
 * A fresh job id: 16 cryptographically random bytes (128 bits) as 22 URL-safe base64 characters.
 *
 * @example
 * const id = createJobId(); // 'q3Vh0c1m2k8yZcW4b1Qy_A'
 */
export function createJobId(): string {
  return randomId();
}

/** A fresh fencing token for a job's owner (128 random bits, URL-safe). */
export function createLeaseToken(): string {
  return randomId();
}

/** What a caller-chosen job id must look like: URL-safe, 16 to 128 characters. */
export const jobIdPattern = /^[A-Za-z0-9_-]{16,128}$/;
