/**
 * The retrain webhook's signature, one definition for the signer (retrain-trigger's webhook
 * launcher) and for receivers (training jobs): `x-labelloop-timestamp` (unix seconds) and
 * `x-labelloop-signature` = `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Oldest signature timestamp a receiver accepts, in seconds (a replayed request is refused). */
export const WEBHOOK_MAX_SKEW_SECONDS = 300;

/** `sha256=<hex>` HMAC-SHA256 signature of `timestamp.body`. */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a webhook call's signature and freshness; returns the problem, or undefined when the
 * call is authentic and fresh. Compares in constant time.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | undefined,
  body: string,
  signature: string | undefined,
  nowMs = Date.now(),
): string | undefined {
  if (!timestamp || !signature) return 'missing x-labelloop-timestamp or x-labelloop-signature';
  if (!(Math.abs(nowMs / 1000 - Number(timestamp)) <= WEBHOOK_MAX_SKEW_SECONDS)) return 'timestamp outside the allowed window';
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
  return undefined;
}
