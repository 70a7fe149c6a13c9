import { EntityManager, queryRows } from '@labelloop/persistence';

/** Where an item stands: `pending` until decided, `held` in a batch, then `accepted` (or back to `pending`). */
export type QaItemState = 'pending' | 'held' | 'accepted' | 'rework';

/** The figures of an item gate pass, as stored on the item. */
export interface QaItemFigures {
  label: string;
  confidence: number;
  agreement: number;
}

/** An item held in a batch, with the figures its item gate gave. */
export interface HeldItemRow {
  item_id: string;
  round: number;
  final_label: string;
  confidence: number;
  agreement: number;
  method: string;
}

/** The decision taken on an item, as the API reports it. */
export interface ItemDecisionRow {
  project_id: string;
  state: QaItemState;
  final_label: string | null;
  confidence: number | null;
  agreement: number | null;
}

/** `qa_item`: one row per item, its round and the decision taken on it. */
export const qaItems = {
  /** Registers an item as pending unless it is known already. */
  async ensure(em: EntityManager, itemId: string, projectId: string): Promise<void> {
    await em.query(`INSERT INTO qa_item (item_id, project_id, state) VALUES ($1, $2, 'pending') ON CONFLICT DO NOTHING`, [itemId, projectId]);
  },

  /** The item's state and round, locked until the transaction ends. */
  async lock(em: EntityManager, itemId: string): Promise<{ state: QaItemState; round: number }> {
    const [item] = await queryRows<{ state: QaItemState; round: number }>(em, 'SELECT state, round FROM qa_item WHERE item_id = $1 FOR UPDATE', [itemId]);
    return item;
  },

  async accept(em: EntityManager, itemId: string, d: QaItemFigures, policyVersion: string): Promise<void> {
    await em.query(
      `UPDATE qa_item SET state = 'accepted', final_label = $2, confidence = $3, agreement = $4, policy = $5, batch_no = NULL, decided_at = now() WHERE item_id = $1`,
      [itemId, d.label, d.confidence, d.agreement, policyVersion],
    );
  },

  /** Opens the item's next round, pending again, with the reason it was sent back. */
  async rework(em: EntityManager, itemId: string, reason: string): Promise<void> {
    await em.query(`UPDATE qa_item SET state = 'pending', round = round + 1, reason = $2, batch_no = NULL WHERE item_id = $1`, [itemId, reason]);
  },

  /** Counts one more answer asked for the item (adaptive overlap); it stays pending. */
  async countAnswersRequested(em: EntityManager, itemId: string): Promise<void> {
    await em.query('UPDATE qa_item SET answers_requested = answers_requested + 1 WHERE item_id = $1', [itemId]);
  },

  /** The project's accepted items, and the extra answers adaptive overlap asked for over all its items. */
  async costOfProject(em: EntityManager, projectId: string): Promise<{ accepted: number; requested: number }> {
    const [row] = await queryRows<{ accepted: number; requested: number }>(
      em,
      `SELECT count(*) FILTER (WHERE state = 'accepted')::int AS accepted, coalesce(sum(answers_requested), 0)::int AS requested
         FROM qa_item WHERE project_id = $1`,
      [projectId],
    );
    return row;
  },

  async hold(em: EntityManager, itemId: string, d: QaItemFigures & { method: string }, batch: number): Promise<void> {
    await em.query(`UPDATE qa_item SET state = 'held', final_label = $2, confidence = $3, agreement = $4, method = $5, batch_no = $6 WHERE item_id = $1`, [
      itemId,
      d.label,
      d.confidence,
      d.agreement,
      d.method,
      batch,
    ]);
  },

  /** The items held in a batch, by item id. */
  async heldInBatch(em: EntityManager, projectId: string, batch: number): Promise<HeldItemRow[]> {
    return queryRows<HeldItemRow>(
      em,
      `SELECT item_id, round, final_label, confidence, agreement, method FROM qa_item WHERE project_id = $1 AND batch_no = $2 AND state = 'held' ORDER BY item_id`,
      [projectId, batch],
    );
  },

  async decision(em: EntityManager, itemId: string): Promise<ItemDecisionRow | undefined> {
    const [item] = await queryRows<ItemDecisionRow>(em, 'SELECT project_id, state, final_label, confidence, agreement FROM qa_item WHERE item_id = $1', [
      itemId,
    ]);
    return item;
  },
};
