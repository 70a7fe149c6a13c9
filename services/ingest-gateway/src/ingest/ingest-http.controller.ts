import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { contextFromTraceparent, SpanKind, withSpan } from '@labelloop/observability';
import { BearerTokenAuth, RpcError, status, unauthenticated } from '@labelloop/rpc';
import { CONFIG } from '@labelloop/runtime';
import type { GatewayConfig } from '../gateway.config';
import { AUTH } from '../gateway.tokens';
import { decodeIngestJson, FieldError } from './ingest-json';
import { PredictionIntake } from './prediction-intake.service';

const HTTP_OF: Partial<Record<status, number>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.RESOURCE_EXHAUSTED]: 429,
};

/** Reads at most `limit` bytes of the body; more is a FieldError (413 below). */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new FieldError('body', `is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `IngestService.Ingest` over HTTP/JSON: `POST /v1/predictions:ingest` with
 * `Authorization: Bearer <token>` and `{"predictions": [...]}` in the protobuf-JSON mapping;
 * answers `{"accepted": n, "duplicates": m}`. Errors are `{"error": {"code", "field"?,
 * "message"}}`: 400 naming the field, 401/403, 413 (body over INGEST_MAX_REQUEST_BYTES), 415,
 * and 429 with `Retry-After` when the gateway sheds load. The body is read only once the call
 * is admitted, so a burst is refused rather than buffered.
 */
@Controller('v1')
export class IngestHttpController {
  constructor(
    private readonly intake: PredictionIntake,
    @Inject(AUTH) private readonly auth: BearerTokenAuth,
    @Inject(CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('predictions\\:ingest')
  async ingest(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const send = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(code, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const limit = this.config.INGEST_MAX_REQUEST_BYTES;
    try {
      const principal = this.auth.fromHeader(req.headers.authorization);
      if (!principal) throw unauthenticated();
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        return send(415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'content-type', message: 'content-type: must be application/json' } });
      }
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > limit) return send(413, { error: { code: 'PAYLOAD_TOO_LARGE', field: 'body', message: `body: is larger than ${limit} bytes` } });
      // Without a length (chunked), the call holds room for the largest body it may send.
      const out = await this.intake.admit('http', Number.isFinite(declared) ? declared : limit, async () => {
        const events = decodeIngestJson(await readBody(req, limit));
        // The events written continue the caller's trace (W3C traceparent), as over gRPC.
        const tp = req.headers.traceparent;
        return withSpan('POST /v1/predictions:ingest', { parent: contextFromTraceparent(typeof tp === 'string' ? tp : undefined), kind: SpanKind.SERVER }, () =>
          this.intake.ingest(principal, events),
        );
      });
      send(200, out);
    } catch (e) {
      if (e instanceof FieldError) return send(400, { error: { code: 'INVALID_ARGUMENT', field: e.field, message: e.message } });
      const httpCode = e instanceof RpcError ? HTTP_OF[e.code] : undefined;
      if (e instanceof RpcError && httpCode) {
        const retry = e.trailers['retry-after'];
        return send(httpCode, { error: { code: status[e.code], message: e.message } }, retry ? { 'retry-after': retry } : {});
      }
      throw e;
    }
  }
}
