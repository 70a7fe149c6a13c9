import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseConfigSchema } from './base-config';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  const good = { KAFKA_BROKERS: 'a:1, b:2', DATABASE_URL: 'postgres://u:p@h:5432/d' };

  it('parses and applies defaults', () => {
    const cfg = loadConfig(baseConfigSchema, good);
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.HTTP_PORT).toBe(8080);
    expect(cfg.BIND_HOST).toBe('127.0.0.1');
  });

  it('fails fast naming every bad variable', () => {
    try {
      loadConfig(baseConfigSchema, { DATABASE_URL: 'mysql://x', HTTP_PORT: 'abc' });
      throw new Error('expected ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/KAFKA_BROKERS: is required/);
      expect(msg).toMatch(/DATABASE_URL: must start with postgres/);
      expect(msg).toMatch(/HTTP_PORT/);
    }
  });
});

describe('secrets from files (NAME_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labelloop-config-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads DATABASE_URL from DATABASE_URL_FILE (a mounted secret, trailing newline trimmed)', () => {
    const cfg = loadConfig(baseConfigSchema, { KAFKA_BROKERS: 'a:1', DATABASE_URL_FILE: file('db', 'postgres://u:s3cret@h:5432/d\n') });
    expect(cfg.DATABASE_URL).toBe('postgres://u:s3cret@h:5432/d');
  });

  it('names the variable when the file cannot be read', () => {
    expect(() => loadConfig(baseConfigSchema, { KAFKA_BROKERS: 'a:1', DATABASE_URL_FILE: join(dir, 'missing') })).toThrow(/DATABASE_URL_FILE: ENOENT/);
  });
});
