import { createHmac } from 'node:crypto';
import { parseLaunch, verifySignature } from './webhook';

// The signature as LabelLoop's retrain-trigger computes it (services/retrain-trigger/src/launchers/webhook.launcher.ts).
const sign = (secret: string, ts: string, body: string) => `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;

describe('retrain webhook', () => {
  const body = JSON.stringify({ runId: 'run-1', modelId: 'm', datasetId: 'd', datasetVersionId: 'v', exportUri: 'file:///tmp/x' });
  const now = 1_700_000_000_000;
  const ts = String(now / 1000);

  it('accepts a fresh call signed with the shared secret', () => {
    expect(verifySignature('s3cret', ts, body, sign('s3cret', ts, body), now)).toBeUndefined();
  });

  it('refuses a wrong secret, a changed body, a missing header and a replay', () => {
    expect(verifySignature('s3cret', ts, body, sign('other', ts, body), now)).toBe('bad signature');
    expect(verifySignature('s3cret', ts, body.replace('run-1', 'run-2'), sign('s3cret', ts, body), now)).toBe('bad signature');
    expect(verifySignature('s3cret', ts, body, undefined, now)).toMatch(/missing/);
    expect(verifySignature('s3cret', ts, body, sign('s3cret', ts, body), now + 301_000)).toMatch(/window/);
  });

  it('parses a launch and names what is missing', () => {
    expect(parseLaunch(body)).toMatchObject({ runId: 'run-1', exportUri: 'file:///tmp/x' });
    expect(parseLaunch('{"runId":"r"}')).toBe('modelId is required');
    expect(parseLaunch(body.replace('file:///tmp/x', 's3://b/x'))).toMatch(/not a file/);
    expect(parseLaunch('nope')).toBe('body is not JSON');
  });
});
