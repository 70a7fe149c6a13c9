/** Label Studio's token and webhook secret come from mounted files like every other secret. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@labelloop/config';
import { dispatchConfigSchema } from './dispatch.config';

describe('dispatch config', () => {
  it('reads LABEL_STUDIO_TOKEN_FILE and LABEL_STUDIO_WEBHOOK_SECRET_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labelloop-dispatch-'));
    writeFileSync(join(dir, 'token'), 'ls-token-from-file\n');
    writeFileSync(join(dir, 'secret'), 'webhook-secret-from-a-file\n');
    const cfg = loadConfig(dispatchConfigSchema, {
      KAFKA_BROKERS: 'a:1',
      DATABASE_URL: 'postgres://u:p@h/d',
      LABEL_STUDIO_URL: 'http://127.0.0.1:18080',
      LABEL_STUDIO_TOKEN_FILE: join(dir, 'token'),
      DISPATCH_LABEL_CLASSES: 'spam,ham',
      LABEL_STUDIO_WEBHOOK_URL: 'http://127.0.0.1:8080/label-studio/webhook',
      LABEL_STUDIO_WEBHOOK_SECRET_FILE: join(dir, 'secret'),
    });
    expect(cfg.LABEL_STUDIO_TOKEN).toBe('ls-token-from-file');
    expect(cfg.LABEL_STUDIO_WEBHOOK_SECRET).toBe('webhook-secret-from-a-file');
  });
});
