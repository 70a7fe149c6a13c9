import { Queryable, queryRows } from '@labelloop/persistence';
import { notGivenBefore } from './annotation-task.repository';

/** A gold item: an item with a known answer, injected into annotators' queues. */
export interface GoldItem {
  projectId: string;
  itemId: string;
  inputUri: string;
  /** The Label, protobuf-encoded. */
  answer: Buffer;
}

/** `gold_item`: the known answers of each project. */
export const goldItems = {
  /** A gold item of the project the annotator was never given, in an order of her own (md5 of item and annotator). */
  async nextFor(q: Queryable, projectId: string, annotatorId: string): Promise<{ item_id: string; input_uri: string } | undefined> {
    const [g] = await queryRows<{ item_id: string; input_uri: string }>(
      q,
      `SELECT item_id, input_uri FROM gold_item g WHERE g.project_id = $1
          AND ${notGivenBefore('g.item_id', '$2')}
        ORDER BY md5(g.item_id || $2) LIMIT 1`,
      [projectId, annotatorId],
    );
    return g;
  },

  /** The known answer (protobuf Label) of a gold item, if the item is one. */
  async answerOf(q: Queryable, projectId: string, itemId: string): Promise<Buffer | undefined> {
    const [gold] = await queryRows<{ answer: Buffer }>(q, 'SELECT answer FROM gold_item WHERE project_id = $1 AND item_id = $2', [projectId, itemId]);
    return gold?.answer;
  },

  /** Inserts the item, or replaces its input and answer. */
  async upsert(q: Queryable, g: GoldItem): Promise<void> {
    await q.query(
      `INSERT INTO gold_item (project_id, item_id, input_uri, answer) VALUES ($1, $2, $3, $4)
           ON CONFLICT (project_id, item_id) DO UPDATE SET input_uri = EXCLUDED.input_uri, answer = EXCLUDED.answer`,
      [g.projectId, g.itemId, g.inputUri, g.answer],
    );
  },
};
