import { appendAudit } from './audit-log';
import { Queryable, queryRows } from './query-rows';

/** The `model_owner` table of the current schema (one owner file for it). */
export interface ModelOwners {
  /** The owning project of each of `modelIds` that has one. */
  owners(modelIds: string[]): Promise<Map<string, string>>;
  /**
   * Gives every one of `modelIds` without an owner to `projectId` (audited, in the caller's
   * transaction); a model already owned keeps its owner. Returns the owners afterwards.
   */
  claim(modelIds: string[], projectId: string, by: string): Promise<Map<string, string>>;
}

/** {@link ModelOwners} over `q` (a transaction's EntityManager when the claim must commit with a write). */
export function modelOwners(q: Queryable): ModelOwners {
  const owners = async (modelIds: string[]) =>
    new Map(
      (await queryRows<{ model_id: string; project_id: string }>(q, 'SELECT model_id, project_id FROM model_owner WHERE model_id = ANY($1)', [modelIds])).map((r) => [
        r.model_id,
        r.project_id,
      ]),
    );
  return {
    owners,
    async claim(modelIds, projectId, by) {
      const claimed = await queryRows<{ model_id: string }>(
        q,
        'INSERT INTO model_owner (model_id, project_id, claimed_by) SELECT DISTINCT unnest($1::text[]), $2, $3 ON CONFLICT (model_id) DO NOTHING RETURNING model_id',
        [modelIds, projectId, by],
      );
      if (claimed.length > 0) {
        await appendAudit(q, { actor: by, action: 'model.claimed', subject: projectId, detail: { models: claimed.map((c) => c.model_id).sort() } });
      }
      return owners(modelIds);
    },
  };
}
