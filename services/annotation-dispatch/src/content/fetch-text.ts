import { ContentError } from './content-error';

/** Limits of a server-side content fetch. */
export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

/**
 * GETs a URL and returns its body as UTF-8 text. Throws {@link ContentError} on a non-2xx status,
 * after `timeoutMs` (the whole exchange, body included), or as soon as the body passes `maxBytes`
 * (declared or counted while reading, so a server that lies about its length is still cut off).
 */
export async function fetchText(url: string, limits: FetchLimits): Promise<string> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const res = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'text/*, application/json;q=0.5, */*;q=0.1' } });
    if (!res.ok) {
      await res.body?.cancel();
      throw new ContentError('http_status', `HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > limits.maxBytes) {
      await res.body?.cancel();
      throw tooLarge(limits.maxBytes);
    }
    return await readCapped(res, limits.maxBytes);
  } catch (e) {
    if (e instanceof ContentError) throw e;
    if (signal.aborted) throw new ContentError('timeout', `no answer within ${limits.timeoutMs} ms`);
    throw new ContentError('network', (e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message);
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const tooLarge = (maxBytes: number) => new ContentError('too_large', `larger than ${maxBytes} bytes (DISPATCH_CONTENT_MAX_BYTES)`);
