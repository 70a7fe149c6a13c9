import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Per-process key: the digests compared below are useless outside this process. */
const key = randomBytes(32);

/** HMAC-SHA256 of a secret (or of a value a caller presents as one): 32 bytes whatever its length or alphabet. */
export const secretDigest = (s: string): Buffer => createHmac('sha256', key).update(s, 'utf8').digest();

/**
 * Whether a presented secret equals the configured one, in constant time. Compares digests,
 * not the strings: `timingSafeEqual` throws on inputs of different byte lengths (a non-ASCII
 * value of the right character count is one), and a length check first would tell the length.
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(secretDigest(given), secretDigest(expected));
}
