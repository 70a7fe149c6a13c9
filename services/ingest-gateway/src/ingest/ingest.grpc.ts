import { Injectable } from '@nestjs/common';
import { IngestRequest, IngestService } from '@labelloop/contracts';
import { invalidArgument, RpcContext, ServiceImpl, wireSize } from '@labelloop/rpc';
import { FieldError } from './ingest-json';
import { PredictionIntake } from './prediction-intake.service';

/** `IngestService.Ingest` over gRPC: a thin edge over PredictionIntake. */
@Injectable()
export class IngestGrpc implements ServiceImpl<(typeof IngestService)['method']> {
  constructor(private readonly intake: PredictionIntake) {}

  async ingest(req: IngestRequest, ctx: RpcContext) {
    try {
      return await this.intake.admit('grpc', wireSize(req) ?? 0, () => this.intake.ingest(ctx.principal, req.predictions));
    } catch (e) {
      if (e instanceof FieldError) throw invalidArgument(e.field, e.problem);
      throw e;
    }
  }
}
