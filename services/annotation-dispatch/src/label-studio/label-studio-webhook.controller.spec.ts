/**
 * The webhook's shared secret is compared in constant time on digests: a wrong secret of any
 * length or alphabet is a 401, never a 500 from the comparison itself.
 */
import { HttpException } from '@nestjs/common';
import { dispatchConfigSchema } from '../dispatch.config';
import type { LabelStudioConnector } from './label-studio.connector';
import { LabelStudioWebhookController } from './label-studio-webhook.controller';

describe('Label Studio webhook secret', () => {
  const secret = 'labelloop-webhook-secret-0123456789';
  const config = dispatchConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: 'postgres://u:p@h/d', LABEL_STUDIO_WEBHOOK_SECRET: secret });
  // Only `enabled` is read before the secret is checked; a refused call reaches nothing else, and
  // an accepted one naming no project of this service changes nothing.
  const connector = { enabled: true, projectOf: async () => undefined };
  const controller = new LabelStudioWebhookController(connector as unknown as LabelStudioConnector, config);

  const status = async (given: string | undefined) => {
    try {
      await controller.receive(given, {});
      return 200;
    } catch (e) {
      return e instanceof HttpException ? e.getStatus() : `${(e as Error).name}: ${(e as Error).message}`;
    }
  };

  it('answers 401 to a wrong secret, ASCII or not, of the right length or any other', async () => {
    const nonAscii = 'é'.repeat(secret.length); // as many characters, twice the UTF-8 bytes
    expect(nonAscii.length).toBe(secret.length);
    expect(await status(nonAscii)).toBe(401);
    expect(await status(`${secret.slice(0, -1)}ü`)).toBe(401);
    expect(await status('x'.repeat(secret.length))).toBe(401);
    expect(await status('short')).toBe(401);
    expect(await status(undefined)).toBe(401);
  });

  it('accepts the configured secret', async () => {
    expect(await status(secret)).toBe(200);
  });
});
