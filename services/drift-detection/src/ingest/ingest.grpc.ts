import { Inject, Injectable } from '@nestjs/common';
import { IngestRequest, IngestService, PredictionEventSchema, Topics, validatePredictionEvent } from '@labelloop/contracts';
import type { Outbox, PrunedTable } from '@labelloop/messaging';
import { DataSource, modelOwners } from '@labelloop/persistence';
import { authorize, authorizeModels, invalidArgument, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE, OUTBOX } from '@labelloop/runtime';

const MAX_BATCH = 10_000;

/**
 * ingested_event holds every event id the RPC accepted, so a client's retry is not published
 * twice; it is pruned with the inbox (INBOX_RETENTION_HOURS). A retry later than that would be
 * published again, and consumers' inboxes (same retention) would not recognise it either.
 */
export const driftPrunedTables: PrunedTable[] = [{ table: 'ingested_event', column: 'received_at' }];

/**
 * Ingest RPC for clients that cannot speak Kafka: validates the whole batch first (a bad
 * event refuses the call with INVALID_ARGUMENT naming it; nothing is written), then writes
 * the new events to the outbox in one transaction. Retrying a batch is safe: event ids seen
 * before are counted as duplicates and not published again. Every model in the batch must belong
 * to the caller's project (a model new to this stage is claimed by it).
 */
@Injectable()
export class IngestGrpc implements ServiceImpl<(typeof IngestService)['method']> {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  async ingest(req: IngestRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service']);
    if (req.predictions.length === 0) throw invalidArgument('predictions', 'must not be empty');
    if (req.predictions.length > MAX_BATCH) throw invalidArgument('predictions', `at most ${MAX_BATCH} per call`);
    req.predictions.forEach((p, i) => {
      const problem = validatePredictionEvent(p);
      if (problem) throw invalidArgument(`predictions[${i}]`, problem);
    });
    return this.ds.transaction(async (em) => {
      await authorizeModels(ctx.principal, ['service'], req.predictions.map((p) => p.modelId), modelOwners(em), { write: true });
      const fresh: { event_id: string }[] = await em.query(
        'INSERT INTO ingested_event (event_id) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING event_id',
        [req.predictions.map((p) => p.eventId)],
      );
      const ids = new Set(fresh.map((r) => r.event_id));
      const accepted = req.predictions.filter((p) => ids.delete(p.eventId));
      await this.outbox.emitMany(
        em,
        accepted.map((p) => ({ topic: Topics.predictionRecorded, key: p.modelId, schema: PredictionEventSchema, message: p, id: p.eventId })),
      );
      return { accepted: accepted.length, duplicates: req.predictions.length - accepted.length };
    });
  }
}
