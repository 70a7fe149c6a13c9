import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import { BearerTokenAuth, notFound, unauthenticated } from '@labelloop/rpc';
import { CONFIG } from '@labelloop/runtime';
import type { GatewayConfig } from '../gateway.config';
import { AUTH } from '../gateway.tokens';
import { admittedSize, isJson, readBody, respond, respondError } from '../ingest/http-edge';
import { FieldError } from '../ingest/ingest-json';
import { PredictionIntake } from '../ingest/prediction-intake.service';
import { KserveIntake } from './kserve-intake.service';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FieldError('body', `is not JSON (${(e as Error).message})`);
  }
}

/**
 * KServe's inference logger as a source (`logger: {mode: all, url: http://ingest-gateway.labelloop:8080/v1/kserve/events?token=...}`):
 * `POST /v1/kserve/events` takes its CloudEvents in binary HTTP mode (ce-* headers, JSON
 * body: V1 or V2 request/response). The logger cannot set headers, so besides
 * `Authorization: Bearer` the service token may come as `?token=`. Mappings:
 * `PUT|GET /v1/kserve/mappings/{inferenceService}` (admin to set).
 */
@Controller('v1/kserve')
export class KserveController {
  constructor(
    private readonly kserve: KserveIntake,
    private readonly intake: PredictionIntake,
    @Inject(AUTH) private readonly auth: BearerTokenAuth,
    @Inject(CONFIG) private readonly config: GatewayConfig,
  ) {}

  private principal(req: IncomingMessage) {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams.get('token');
    const p = this.auth.fromHeader(req.headers.authorization) ?? (query ? this.auth.resolve(query) : undefined);
    if (!p) throw unauthenticated();
    return p;
  }

  @Put('mappings/:name')
  async putMapping(@Param('name') name: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    try {
      const principal = this.principal(req);
      if (!isJson(req, res)) return;
      respond(res, 200, await this.kserve.setMapping(principal, name, parseJson(await readBody(req, 1024 * 1024))));
    } catch (e) {
      respondError(res, e);
    }
  }

  @Get('mappings/:name')
  async getMapping(@Param('name') name: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    try {
      const mapping = await this.kserve.getMapping(this.principal(req), name);
      if (!mapping) throw notFound(`mapping of ${name}`);
      respond(res, 200, mapping);
    } catch (e) {
      respondError(res, e);
    }
  }

  @Post('events')
  async event(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const limit = this.config.INGEST_MAX_REQUEST_BYTES;
    try {
      const principal = this.principal(req);
      if (!isJson(req, res)) return;
      const size = admittedSize(req, res, limit);
      if (size === undefined) return;
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('ce-') && typeof v === 'string') attributes[k.slice(3)] = v;
      const out = await this.intake.admit('http', size, async () => this.kserve.receive(principal, attributes, parseJson(await readBody(req, limit))));
      respond(res, 200, out);
    } catch (e) {
      respondError(res, e);
    }
  }
}
