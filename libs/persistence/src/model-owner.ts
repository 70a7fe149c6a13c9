import { appendAudit } from './audit-log';
import { modelOwnerRows } from './model-owner.repository';
import type { Queryable } from './query-rows';

/** Who owns which model: the `model_owner` table of the current schema (its SQL: model-owner.repository.ts). */
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
  const owners = async (modelIds: string[]) => new Map((await modelOwnerRows.ofModels(q, modelIds)).map((r) => [r.model_id, r.project_id]));
  return {
    owners,
    async claim(modelIds, projectId, by) {
      const claimed = await modelOwnerRows.claimUnowned(q, modelIds, projectId, by);
      if (claimed.length > 0) {
        await appendAudit(q, { actor: by, action: 'model.claimed', subject: projectId, detail: { models: claimed.map((c) => c.model_id).sort() } });
      }
      return owners(modelIds);
    },
  };
}
