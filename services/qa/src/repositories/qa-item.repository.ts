import { EntityManager, queryRows } from '@labelloop/persistence';

/** Where an item stands: `pending` until decided, `held` in a batch, then `accepted` (or back to `pending`). */
export type QaItemState = 'pending' | 'held' | 'accepted' | 'rework';

/** The figures of an item gate pass, as stored on the item. */
export interface QaItemFigures {
  label: string;
  confidence: number;
  agreement: number;
}

/** An item as its decision reads it, locked. */
export interface LockedItemRow {
  state: QaItemState;
  round: number;
  /** Free text: its round waits for a reviewer's answer. */
  review_requested: boolean;
  final_label: string | null;
  /** The label emitted when it was accepted (protobuf bytes); null before, or for items accepted before it was recorded. */
  accepted_label: Buffer | null;
}

/** An item held in a batch, with the figures its item gate gave. */
export interface HeldItemRow {
  label_kind: string | null;
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
  async lock(em: EntityManager, itemId: string): Promise<LockedItemRow> {
    const [item] = await queryRows<LockedItemRow>(
      em,
      'SELECT state, round, review_requested, final_label, accepted_label FROM qa_item WHERE item_id = $1 FOR UPDATE',
      [itemId],
    );
    return item;
  },

  /**
   * Marks the item accepted with its figures and the label emitted (protobuf bytes); also what a
   * relabel (an edit that changed the accepted label) writes.
   */
  async accept(em: EntityManager, itemId: string, d: QaItemFigures, policyVersion: string, label: Buffer): Promise<void> {
    await em.query(
      `UPDATE qa_item SET state = 'accepted', final_label = $2, confidence = $3, agreement = $4, policy = $5, batch_no = NULL, decided_at = now(),
              review_requested = false, accepted_label = $6 WHERE item_id = $1`,
      [itemId, d.label, d.confidence, d.agreement, policyVersion, label],
    );
  },

  /** Records the kind of the item's answers (what its batch gate checks). */
  async setKind(em: EntityManager, itemId: string, kind: string): Promise<void> {
    await em.query('UPDATE qa_item SET label_kind = $2 WHERE item_id = $1', [itemId, kind]);
  },

  /** Free text: the item's round now waits for a reviewer's answer. */
  async requestReview(em: EntityManager, itemId: string): Promise<void> {
    await em.query('UPDATE qa_item SET review_requested = true WHERE item_id = $1', [itemId]);
  },

  /** Opens the item's next round, pending again, with the reason it was sent back. */
  async rework(em: EntityManager, itemId: string, reason: string): Promise<void> {
    await em.query(`UPDATE qa_item SET state = 'pending', round = round + 1, reason = $2, batch_no = NULL, review_requested = false WHERE item_id = $1`, [
      itemId,
      reason,
    ]);
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
      `SELECT item_id, round, final_label, confidence, agreement, method, label_kind FROM qa_item WHERE project_id = $1 AND batch_no = $2 AND state = 'held' ORDER BY item_id`,
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
