/** The retrain webhook's signature check answers with a reason for any header value, and never throws. */
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature';

describe('verifyWebhookSignature', () => {
  const secret = 'shared-secret';
  const now = 1_800_000_000_000;
  const ts = String(now / 1000);
  const body = '{"runId":"r1"}';
  const good = signWebhookBody(secret, ts, body);

  it("accepts the signer's signature and refuses others, a non-ASCII one of the same length included", () => {
    expect(verifyWebhookSignature(secret, ts, body, good, now)).toBeUndefined();
    const nonAscii = `sha256=${'é'.repeat(good.length - 'sha256='.length)}`; // as many characters, more bytes
    expect(nonAscii.length).toBe(good.length);
    expect(verifyWebhookSignature(secret, ts, body, nonAscii, now)).toBe('bad signature');
    const tampered = good.slice(0, -1) + (good.endsWith('0') ? '1' : '0');
    expect(verifyWebhookSignature(secret, ts, body, tampered, now)).toBe('bad signature');
    expect(verifyWebhookSignature(secret, ts, body, good, now + 301_000)).toBe('timestamp outside the allowed window');
  });
});
