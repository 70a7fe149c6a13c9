import { Queryable, queryRows } from './query-rows';

/** `model_owner`: which project owns each model, in the current schema. */
export const modelOwnerRows = {
  /** The owner rows of those of `modelIds` that have one. */
  ofModels(q: Queryable, modelIds: string[]): Promise<{ model_id: string; project_id: string }[]> {
    return queryRows<{ model_id: string; project_id: string }>(q, 'SELECT model_id, project_id FROM model_owner WHERE model_id = ANY($1)', [modelIds]);
  },

  /** Gives every one of `modelIds` without an owner to `projectId`; returns the models it claimed. */
  claimUnowned(q: Queryable, modelIds: string[], projectId: string, by: string): Promise<{ model_id: string }[]> {
    return queryRows<{ model_id: string }>(
      q,
      'INSERT INTO model_owner (model_id, project_id, claimed_by) SELECT DISTINCT unnest($1::text[]), $2, $3 ON CONFLICT (model_id) DO NOTHING RETURNING model_id',
      [modelIds, projectId, by],
    );
  },
};
