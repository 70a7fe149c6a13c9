import { Injectable } from '@nestjs/common';
import { queryRows, type EntityManager } from '@labelloop/persistence';
import type { KserveMapping } from './kserve-mapping';

/** A logged half waiting for its partner (same ce-id). */
export interface PendingHalf {
  part: 'request' | 'response';
  body: unknown;
  attributes: Record<string, string>;
}

/** Capture mappings (per KServe InferenceService or Seldon model) and logged halves waiting to be paired. */
@Injectable()
export class KserveRepository {
  async putMapping(em: EntityManager, inferenceService: string, mapping: KserveMapping): Promise<void> {
    await em.query(
      `INSERT INTO kserve_mapping (inference_service, mapping) VALUES ($1, $2)
       ON CONFLICT (inference_service) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()`,
      [inferenceService, JSON.stringify(mapping)],
    );
  }

  async mapping(em: EntityManager, inferenceService: string): Promise<KserveMapping | undefined> {
    const [row]: { mapping: KserveMapping }[] = await em.query('SELECT mapping FROM kserve_mapping WHERE inference_service = $1', [inferenceService]);
    return row?.mapping;
  }

  /** Serialises the two halves of one ce-id (they may arrive at once) until the transaction ends. */
  async lockInference(em: EntityManager, ceId: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 23))', [`kserve:${ceId}`]);
  }

  /** Whether an inference was already turned into events: `firstEventId` (`<origin>:<id>:0`) is known. */
  async alreadyIngested(em: EntityManager, firstEventId: string): Promise<boolean> {
    const rows: unknown[] = await em.query('SELECT 1 FROM ingested_event WHERE event_id = $1', [firstEventId]);
    return rows.length > 0;
  }

  /** Takes (deletes and returns) the waiting other half, if there is one. */
  async takePartner(em: EntityManager, ceId: string, part: PendingHalf['part']): Promise<PendingHalf | undefined> {
    const [row] = await queryRows<PendingHalf>(em, 'DELETE FROM kserve_pending WHERE ce_id = $1 AND part <> $2 RETURNING part, body, attributes', [ceId, part]);
    return row;
  }

  /** Keeps a half until its partner arrives (a repeated delivery of the same half replaces it). */
  async keep(em: EntityManager, ceId: string, half: PendingHalf): Promise<void> {
    await em.query(
      `INSERT INTO kserve_pending (ce_id, part, body, attributes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (ce_id, part) DO UPDATE SET body = EXCLUDED.body, attributes = EXCLUDED.attributes`,
      [ceId, half.part, JSON.stringify(half.body), JSON.stringify(half.attributes)],
    );
  }
}
