import { setTimeout as delay } from 'node:timers/promises';
import type { RateLimiter } from './rate-limiter';

/** The endpoint refused the call for good (4xx other than 429), or retries ran out. */
export class MachineCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PostOptions {
  limiter: RateLimiter;
  timeoutMs: number;
  /** Retries after 429 or 5xx. */
  maxRetries: number;
  headers?: Record<string, string>;
  /** Names the call in errors, e.g. "chat completion". */
  what: string;
}

/**
 * POSTs JSON and returns the parsed JSON reply: spaced by the rate limiter, each attempt bounded
 * by the timeout, 429 and 5xx retried after `Retry-After` (or 200 ms × 2^attempt).
 */
export async function postJson(url: string, body: unknown, o: PostOptions): Promise<unknown> {
  const payload = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    await o.limiter.take();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...o.headers },
      body: payload,
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    if (res.ok) return res.json();
    const detail = await errorMessage(res);
    const retriable = res.status === 429 || res.status >= 500;
    if (!retriable || attempt >= o.maxRetries) throw new MachineCallError(res.status, `${o.what} failed with HTTP ${res.status}: ${detail}`);
    await delay(retryAfterMs(res.headers.get('retry-after')) ?? 200 * 2 ** attempt);
  }
}

/** The `{"error": {"message"}}` of an OpenAI-style error body, else the start of the body. */
async function errorMessage(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const j = JSON.parse(text) as { error?: { message?: string } | string };
    if (typeof j.error === 'string') return j.error;
    if (j.error?.message) return j.error.message;
  } catch {
    /* not JSON: the text itself */
  }
  return text.slice(0, 200);
}

/** Retry-After in seconds or as an HTTP date, capped at a minute. */
function retryAfterMs(v: string | null): number | undefined {
  if (!v) return undefined;
  const s = Number(v);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 60_000) : undefined;
}
