import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Config values declared with `secret(...)`: they may also come from the file named by `NAME_FILE`. */
const secretTypes = new WeakSet<z.ZodTypeAny>();

/**
 * Declares a config key a secret: besides `NAME`, it may be given as a file path in `NAME_FILE`
 * (a mounted Kubernetes secret), which wins when both are set. Wrap the inner type:
 * `TOKEN: secret(z.string()).optional()`.
 */
export function secret<T extends z.ZodTypeAny>(type: T): T {
  secretTypes.add(type);
  return type;
}

/** Whether a key's type, or one it wraps (optional, default, effects), was declared with `secret`. */
function isSecret(type: z.ZodTypeAny | undefined): boolean {
  for (let t = type; t; t = (t._def.innerType ?? t._def.schema) as z.ZodTypeAny | undefined) {
    if (secretTypes.has(t)) return true;
  }
  return false;
}

/** The keys of a config schema declared with `secret`. */
function secretKeys(schema: z.ZodTypeAny): string[] {
  let s = schema;
  while (s instanceof z.ZodEffects) s = s._def.schema as z.ZodTypeAny;
  return s instanceof z.ZodObject ? Object.keys(s.shape as z.ZodRawShape).filter((k) => isSecret((s as z.AnyZodObject).shape[k])) : [];
}

/**
 * Validates `env` against `schema` once, before anything starts. Every problem names the
 * variable, so an operator can fix a bad deployment from the first log line. Secret keys
 * (declared with `secret`) are read from their `NAME_FILE` first.
 */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const resolved: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of secretKeys(schema)) {
    try {
      resolved[name] = secretFromEnv(name, env);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const parsed = schema.safeParse(resolved);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/**
 * Reads a secret from `NAME` or from the file named by `NAME_FILE` (mounted Kubernetes secrets);
 * a file that cannot be read is an error naming `NAME_FILE`.
 */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new Error(`${name}_FILE: ${(e as Error).message}`);
    }
  }
  return env[name];
}
