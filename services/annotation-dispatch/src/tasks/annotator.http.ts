import { Body, Controller, Get, Headers, HttpCode, HttpException, Param, Post } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { create, fromJson, type JsonValue, toJson } from '@bufbuild/protobuf';
import { GetNextTaskResponseSchema, SubmitAnnotationRequestSchema, SubmitAnnotationResponseSchema } from '@labelloop/contracts';
import { secretFromEnv } from '@labelloop/config';
import { BearerTokenAuth, HTTP_STATUS_OF_GRPC, RpcContext, RpcError } from '@labelloop/rpc';
import { AnnotatorGrpc } from './annotator.grpc';

const httpError = (code: status, message: string) => new HttpException({ code: status[code], message }, HTTP_STATUS_OF_GRPC[code] ?? 500);

/**
 * AnnotatorService over HTTP/JSON, for annotation tools that do not speak gRPC: the same
 * calls, the same bearer tokens and checks, protobuf's canonical JSON on the wire, and the
 * gRPC status mapped to its HTTP status with `{ code, message }` as the body.
 *
 *   GET  /v1/projects/{project_id}/next-task        -> { task? }
 *   POST /v1/tasks/{task_id}/annotations  { label, timeSpentMs, idempotencyKey } -> { submissionId, duplicate }
 *
 * Task ids are opaque UUIDs; clients still URL-encode the path segment.
 */
@Controller('v1')
export class AnnotatorHttp {
  private readonly auth = BearerTokenAuth.fromJson(secretFromEnv('AUTH_TOKENS'));

  constructor(private readonly grpc: AnnotatorGrpc) {}

  @Get('projects/:projectId/next-task')
  async nextTask(@Headers('authorization') authorization: string | undefined, @Param('projectId') projectId: string): Promise<JsonValue> {
    const res = await this.call(authorization, '/labelloop.annotation.v1.AnnotatorService/GetNextTask', (ctx) =>
      this.grpc.getNextTask({ projectId } as never, ctx),
    );
    return toJson(GetNextTaskResponseSchema, create(GetNextTaskResponseSchema, res));
  }

  @Post('tasks/:taskId/annotations')
  @HttpCode(200)
  async submit(@Headers('authorization') authorization: string | undefined, @Param('taskId') taskId: string, @Body() body: unknown): Promise<JsonValue> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw httpError(status.INVALID_ARGUMENT, 'the body must be a JSON object');
    let req;
    try {
      req = fromJson(SubmitAnnotationRequestSchema, { ...(body as Record<string, JsonValue>), taskId });
    } catch (e) {
      throw httpError(status.INVALID_ARGUMENT, (e as Error).message);
    }
    const res = await this.call(authorization, '/labelloop.annotation.v1.AnnotatorService/SubmitAnnotation', (ctx) => this.grpc.submitAnnotation(req, ctx));
    return toJson(SubmitAnnotationResponseSchema, create(SubmitAnnotationResponseSchema, res));
  }

  private async call<T>(authorization: string | undefined, path: string, fn: (ctx: RpcContext) => Promise<T>): Promise<T> {
    const principal = this.auth.fromHeader(authorization);
    if (!principal) throw httpError(status.UNAUTHENTICATED, 'a valid bearer token is required');
    try {
      return await fn({ path, metadata: new Metadata(), principal, signal: new AbortController().signal });
    } catch (e) {
      if (e instanceof RpcError) throw httpError(e.code, e.message);
      throw e;
    }
  }
}
