import { toBinary } from '@bufbuild/protobuf';
import { AnnotationRequested, AnnotationRequestedSchema, Trigger } from '@labelloop/contracts';
import { EntityManager, Queryable, queryRows } from '@labelloop/persistence';

/** `sampling_decision`: one row per requested item (unique per item and per content hash), with the request sent. */
export const samplingDecisions = {
  /** Those of `hashes` whose content was already requested. */
  requestedHashes(em: EntityManager, hashes: string[]): Promise<{ content_hash: string }[]> {
    return em.query('SELECT content_hash FROM sampling_decision WHERE content_hash = ANY($1)', [hashes]);
  },

  /** Records the requests whose item and content are new; returns the item ids recorded. */
  insertNew(em: EntityManager, reqs: AnnotationRequested[]): Promise<{ item_id: string }[]> {
    return em.query(
      `INSERT INTO sampling_decision (item_id, content_hash, model_id, model_version, trigger, strategy, score, audit_sample, source_event_id, request, priority)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::bool[], $9::text[], $10::bytea[], $11::int[])
       ON CONFLICT DO NOTHING RETURNING item_id`,
      [
        reqs.map((r) => r.itemId),
        reqs.map((r) => r.contentHash),
        reqs.map((r) => r.modelId),
        reqs.map((r) => r.modelVersion),
        reqs.map((r) => Trigger[r.trigger]),
        reqs.map((r) => r.strategy),
        reqs.map((r) => r.score),
        reqs.map((r) => r.auditSample),
        reqs.map((r) => r.sourceEventId),
        reqs.map((r) => Buffer.from(toBinary(AnnotationRequestedSchema, r))),
        reqs.map((r) => r.priority),
      ],
    );
  },

  /** The request recorded for an item, with its model (none when the item was never requested). */
  ofItem(q: Queryable, itemId: string): Promise<{ request: Buffer; model_id: string }[]> {
    return queryRows<{ request: Buffer; model_id: string }>(q, 'SELECT request, model_id FROM sampling_decision WHERE item_id = $1', [itemId]);
  },

  /** A model's latest `limit` requests, newest first. */
  latestOfModel(q: Queryable, modelId: string, limit: number): Promise<{ request: Buffer }[]> {
    return queryRows<{ request: Buffer }>(q, 'SELECT request FROM sampling_decision WHERE model_id = $1 ORDER BY decided_at DESC LIMIT $2', [modelId, limit]);
  },
};
