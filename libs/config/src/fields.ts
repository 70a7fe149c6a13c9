import { z } from 'zod';

/** A comma-separated list (`a, b,,c` → `['a', 'b', 'c']`), empty by default. */
export function commaList(defaultValue = '') {
  return z
    .string()
    .default(defaultValue)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );
}

/** A `true`/`false` switch; anything else is refused. */
export function flag(defaultValue: boolean) {
  return z
    .enum(['true', 'false'])
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true');
}
