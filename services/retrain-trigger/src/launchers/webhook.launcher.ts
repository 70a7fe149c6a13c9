import { signWebhookBody } from '@labelloop/contracts';
import { LaunchRequest, LaunchResult, Launcher, retriableStatus } from './launcher';

/**
 * POSTs the launch request as JSON. Headers: `X-LabelLoop-Timestamp`, `X-LabelLoop-Signature`
 * (HMAC-SHA256 over `timestamp.body`, so a receiver can reject replays), and
 * `Idempotency-Key` = run id, so a retried call starts one job. 2xx is success; 408, 429 and
 * 5xx are retried; other 4xx are final.
 */
export class WebhookLauncher implements Launcher {
  readonly kind = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async launch(req: LaunchRequest): Promise<LaunchResult> {
    const body = JSON.stringify(req);
    const ts = Math.floor(Date.now() / 1000).toString();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': req.runId, 'x-labelloop-timestamp': ts };
    if (this.secret) headers['x-labelloop-signature'] = signWebhookBody(this.secret, ts, body);
    try {
      const res = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      if (res.ok) {
        const text = await res.text();
        let externalId: string | undefined;
        try {
          externalId = (JSON.parse(text) as { id?: string }).id;
        } catch {
          externalId = undefined;
        }
        return { ok: true, externalId };
      }
      return { ok: false, retriable: retriableStatus(res.status), error: `webhook answered HTTP ${res.status}` };
    } catch (e) {
      return { ok: false, retriable: true, error: `webhook call failed: ${(e as Error).message}` };
    }
  }
}
