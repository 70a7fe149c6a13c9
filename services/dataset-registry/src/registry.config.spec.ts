import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@labelloop/config';
import { pseudonymSecret, registryConfigSchema } from './registry.config';

describe('annotator pseudonym key', () => {
  const base = { KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://u:p@h:5432/d' };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(registryConfigSchema, env);
      return [];
    } catch (e) {
      return (e as ConfigError).problems;
    }
  };

  it('falls back to the development key outside production', () => {
    expect(problems(base)).toEqual([]);
    expect(pseudonymSecret(base)).toEqual({ secret: expect.any(String), isDefault: true });
  });

  it('refuses to start in production (LABELLOOP_ENV=production) without a real key', () => {
    const prod = { ...base, LABELLOOP_ENV: 'production' };
    expect(problems(prod)).toEqual([expect.stringMatching(/^REGISTRY_PSEUDONYM_SECRET: is required when LABELLOOP_ENV=production/)]);
    // The public development key, or a key too short to resist guessing, is no key.
    expect(problems({ ...prod, REGISTRY_PSEUDONYM_SECRET: 'labelloop-dev-pseudonym-secret' })).toEqual([expect.stringMatching(/^REGISTRY_PSEUDONYM_SECRET: /)]);
    expect(problems({ ...prod, REGISTRY_PSEUDONYM_SECRET: 'short' })).toEqual([expect.stringMatching(/^REGISTRY_PSEUDONYM_SECRET: /)]);
    expect(() => pseudonymSecret(prod)).toThrow(/REGISTRY_PSEUDONYM_SECRET/);
  });

  it('starts in production with a key, given directly or as a file', () => {
    const prod = { ...base, LABELLOOP_ENV: 'production' };
    const key = 'k3y-0f-at-least-32-characters-here!';
    expect(problems({ ...prod, REGISTRY_PSEUDONYM_SECRET: key })).toEqual([]);
    const file = join(mkdtempSync(join(tmpdir(), 'pseudonym-')), 'key');
    writeFileSync(file, `${key}\n`);
    expect(problems({ ...prod, REGISTRY_PSEUDONYM_SECRET_FILE: file })).toEqual([]);
    expect(pseudonymSecret({ ...prod, REGISTRY_PSEUDONYM_SECRET_FILE: file })).toEqual({ secret: key, isDefault: false });
  });
});
