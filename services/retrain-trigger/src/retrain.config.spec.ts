/** An unsigned retrain webhook is a warning in development and refused in production. */
import { ConfigError, loadConfig } from '@labelloop/config';
import { retrainConfigSchema, retrainWarnings } from './retrain.config';

describe('retrain webhook signing', () => {
  const base = { KAFKA_BROKERS: 'a:1', DATABASE_URL: 'postgres://u:p@h/d', RETRAIN_WEBHOOK_URL: 'https://ci.example.com/train' };

  it('refuses to start in production (LABELLOOP_ENV=production) without RETRAIN_WEBHOOK_SECRET', () => {
    expect(() => loadConfig(retrainConfigSchema, { ...base, LABELLOOP_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig(retrainConfigSchema, { ...base, LABELLOOP_ENV: 'production' })).toThrow(
      /RETRAIN_WEBHOOK_SECRET: is required when LABELLOOP_ENV=production/,
    );
    const signed = loadConfig(retrainConfigSchema, { ...base, LABELLOOP_ENV: 'production', RETRAIN_WEBHOOK_SECRET: 'a-long-enough-secret' });
    expect(signed.RETRAIN_WEBHOOK_SECRET).toBe('a-long-enough-secret');
  });

  it('warns at start in development, and only for the webhook launcher', () => {
    expect(retrainWarnings(loadConfig(retrainConfigSchema, base))).toEqual([
      'RETRAIN_WEBHOOK_SECRET is not set: launch calls to RETRAIN_WEBHOOK_URL go out unsigned (refused when LABELLOOP_ENV=production)',
    ]);
    expect(retrainWarnings(loadConfig(retrainConfigSchema, { ...base, RETRAIN_WEBHOOK_SECRET: 'a-long-enough-secret' }))).toEqual([]);
    expect(retrainWarnings(loadConfig(retrainConfigSchema, { ...base, RETRAIN_LAUNCHER: 'kubernetes', RETRAIN_K8S_IMAGE: 'trainer:1' }))).toEqual([]);
  });

  it('refuses an unknown LABELLOOP_ENV, naming it', () => {
    expect(() => loadConfig(retrainConfigSchema, { ...base, LABELLOOP_ENV: 'prod' })).toThrow(/LABELLOOP_ENV/);
  });
});
