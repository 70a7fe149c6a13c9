import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_STATUS_OF_GRPC, RpcError, status } from '@labelloop/rpc';
import { FieldError } from './ingest-json';

/** Writes a JSON answer. */
export function respond(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Answers an error of the gateway's HTTP edges as `{"error": {"code", "field"?, "message"}}`:
 * FieldError → 400 naming the field; RpcError → its HTTP status (429 with Retry-After). Anything
 * else is rethrown (Nest answers 500 and logs it).
 */
export function respondError(res: ServerResponse, e: unknown): void {
  // The rest of that body was not read: the connection cannot carry another request.
  if (e instanceof BodyTooLarge) return respond(res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', field: 'body', message: e.message } }, { connection: 'close' });
  if (e instanceof FieldError) return respond(res, 400, { error: { code: 'INVALID_ARGUMENT', field: e.field, message: e.message } });
  const httpCode = e instanceof RpcError ? HTTP_STATUS_OF_GRPC[e.code] : undefined;
  if (e instanceof RpcError && httpCode) {
    const retry = e.trailers['retry-after'];
    return respond(res, httpCode, { error: { code: status[e.code], message: e.message } }, retry ? { 'retry-after': retry } : {});
  }
  throw e;
}

/** A body over the limit (413), found while reading one sent without Content-Length. */
export class BodyTooLarge extends FieldError {}

/** Reads at most `limit` bytes of the body; more is BodyTooLarge. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge('body', `is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The declared body size; 413 when over `limit` (answered here: returns undefined). Without a length, `limit`. */
export function admittedSize(req: IncomingMessage, res: ServerResponse, limit: number): number | undefined {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    respond(res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', field: 'body', message: `body: is larger than ${limit} bytes` } }, { connection: 'close' });
    return undefined;
  }
  return Number.isFinite(declared) ? declared : limit;
}

/** 415 unless the body is JSON (answered here: returns false). */
export function isJson(req: IncomingMessage, res: ServerResponse): boolean {
  if (/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return true;
  respond(res, 415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'content-type', message: 'content-type: must be application/json' } });
  return false;
}
