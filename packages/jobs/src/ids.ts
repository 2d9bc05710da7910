import { randomBytes } from 'node:crypto';

/**
 * A fresh job id: 16 cryptographically random bytes (128 bits) as 22 URL-safe base64 characters.
 *
 * @example
 * const id = createJobId(); // 'q3Vh0c1m2k8yZcW4b1Qy_A'
 */
export function createJobId(): string {
  return randomBytes(16).toString('base64url');
}

/** A fresh fencing token for a job's owner (128 random bits, URL-safe). */
export function createLeaseToken(): string {
  return randomBytes(16).toString('base64url');
}

/** What a caller-chosen job id must look like: URL-safe, 16 to 128 characters. */
export const jobIdPattern = /^[A-Za-z0-9_-]{16,128}$/;
