import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { contextFromTraceparent, SpanKind, withSpan } from '@labelloop/observability';
import { BearerTokenAuth, unauthenticated } from '@labelloop/rpc';
import { CONFIG } from '@labelloop/runtime';
import type { GatewayConfig } from '../gateway.config';
import { AUTH } from '../gateway.tokens';
import { admittedSize, isJson, readBody, respond, respondError } from './http-edge';
import { decodeIngestJson } from './ingest-json';
import { PredictionIntake } from './prediction-intake.service';

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
    const limit = this.config.INGEST_MAX_REQUEST_BYTES;
    try {
      const principal = this.auth.fromHeader(req.headers.authorization);
      if (!principal) throw unauthenticated();
      if (!isJson(req, res)) return;
      const size = admittedSize(req, res, limit);
      if (size === undefined) return;
      const out = await this.intake.admit('http', size, async () => {
        const events = decodeIngestJson(await readBody(req, limit));
        // The events written continue the caller's trace (W3C traceparent), as over gRPC.
        const tp = req.headers.traceparent;
        return withSpan('POST /v1/predictions:ingest', { parent: contextFromTraceparent(typeof tp === 'string' ? tp : undefined), kind: SpanKind.SERVER }, () =>
          this.intake.ingest(principal, events),
        );
      });
      respond(res, 200, out);
    } catch (e) {
      respondError(res, e);
    }
  }
}
