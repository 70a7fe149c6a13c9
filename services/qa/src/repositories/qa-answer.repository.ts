import { MACHINE_ANNOTATOR_PREFIX } from '@labelloop/contracts';
import { EntityManager, queryRows } from '@labelloop/persistence';

/** An answer to store, keyed by its submission id. */
export interface NewAnswer {
  submissionId: string;
  itemId: string;
  round: number;
  annotatorId: string;
  labelKey: string;
  required: number;
  /** The AnnotationSubmitted event, protobuf bytes. */
  submission: Buffer;
  projectId: string;
  gold: boolean;
  /** Whether a gold answer matched the known answer; null for other answers. */
  goldCorrect: boolean | null;
  timeSpentMs: number;
  preLabelAccepted: boolean;
  /** A reviewer's answer (free text: it arrived while the item's round waited for a review). */
  review: boolean;
}

/** One stored answer of an item's round. */
export interface RoundAnswerRow {
  submission_id: string;
  review: boolean;
  annotator_id: string;
  label_key: string;
  submission: Buffer;
}

/** An answer as the consensus window sees it. */
export interface WindowAnswerRow {
  item_id: string;
  annotator_id: string;
  label_key: string;
}

/** `qa_answer`: every answer received, per item and round. */
export const qaAnswers = {
  /** Stores an answer; false when its submission was stored already (a redelivery). */
  async insert(em: EntityManager, a: NewAnswer): Promise<boolean> {
    const inserted = await queryRows<{ '?column?': number }>(
      em,
      `INSERT INTO qa_answer (submission_id, item_id, round, annotator_id, label_key, required, submission, project_id, gold, gold_correct, time_spent_ms, pre_label_accepted, review)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING 1`,
      [
        a.submissionId,
        a.itemId,
        a.round,
        a.annotatorId,
        a.labelKey,
        a.required,
        a.submission,
        a.projectId,
        a.gold,
        a.goldCorrect,
        a.timeSpentMs,
        a.preLabelAccepted,
        a.review,
      ],
    );
    return inserted.length > 0;
  },

  /** Whether the submission is stored, or was replaced by an edit (a late or repeated copy). */
  async known(em: EntityManager, itemId: string, submissionId: string): Promise<boolean> {
    const rows = await queryRows<{ '?column?': number }>(
      em,
      'SELECT 1 FROM qa_answer WHERE item_id = $1 AND (submission_id = $2 OR $2 = ANY(superseded)) LIMIT 1',
      [itemId, submissionId],
    );
    return rows.length > 0;
  },

  /**
   * Replaces the stored answer `replaced` of the item by an edit of it, in place (its round,
   * order and review flag stay); returns the answer's round, or undefined when it is not stored.
   */
  async replace(em: EntityManager, replaced: string, a: NewAnswer): Promise<{ round: number } | undefined> {
    const [row] = await queryRows<{ round: number }>(
      em,
      `UPDATE qa_answer SET submission_id = $3, label_key = $4, submission = $5, gold_correct = $6, time_spent_ms = $7, pre_label_accepted = $8,
              superseded = superseded || ARRAY[$1]
        WHERE submission_id = $1 AND item_id = $2 AND annotator_id = $9 RETURNING round`,
      [replaced, a.itemId, a.submissionId, a.labelKey, a.submission, a.goldCorrect, a.timeSpentMs, a.preLabelAccepted, a.annotatorId],
    );
    return row;
  },

  /** Records that an answer replaced `replaced`, which was never stored: a late copy of it is known as replaced. */
  async markSuperseded(em: EntityManager, submissionId: string, replaced: string): Promise<void> {
    await em.query('UPDATE qa_answer SET superseded = superseded || ARRAY[$2] WHERE submission_id = $1', [submissionId, replaced]);
  },

  /** Counts a (gold) answer towards a batch. */
  async assignBatch(em: EntityManager, submissionId: string, batch: number): Promise<void> {
    await em.query('UPDATE qa_answer SET batch_no = $2 WHERE submission_id = $1', [submissionId, batch]);
  },

  /** The project's most recent non-gold answers, newest first. */
  async recent(em: EntityManager, projectId: string, limit: number): Promise<WindowAnswerRow[]> {
    return queryRows<WindowAnswerRow>(
      em,
      `SELECT item_id, annotator_id, label_key FROM qa_answer WHERE project_id = $1 AND NOT gold ORDER BY received_at DESC LIMIT $2`,
      [projectId, limit],
    );
  },

  /** The (non-gold) answers of an item's round, in the order they came. */
  async ofRound(em: EntityManager, itemId: string, round: number): Promise<RoundAnswerRow[]> {
    return queryRows<RoundAnswerRow>(
      em,
      'SELECT submission_id, review, annotator_id, label_key, submission FROM qa_answer WHERE item_id = $1 AND round = $2 AND NOT gold ORDER BY received_at, submission_id',
      [itemId, round],
    );
  },

  /** The non-gold answers of the current round of every item held in a batch. */
  async heldInBatch(em: EntityManager, projectId: string, batch: number): Promise<{ item_id: string; label_key: string }[]> {
    return queryRows<{ item_id: string; label_key: string }>(
      em,
      `SELECT a.item_id, a.label_key FROM qa_answer a JOIN qa_item i ON i.item_id = a.item_id AND i.round = a.round
        WHERE i.project_id = $1 AND i.batch_no = $2 AND i.state = 'held' AND NOT a.gold`,
      [projectId, batch],
    );
  },

  /** Gold answers counted towards a batch, and how many were correct. */
  async goldOfBatch(em: EntityManager, projectId: string, batch: number): Promise<{ n: number; correct: number }> {
    const [gold] = await queryRows<{ n: number; correct: number }>(
      em,
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE gold_correct)::int AS correct FROM qa_answer WHERE project_id = $1 AND gold AND batch_no = $2`,
      [projectId, batch],
    );
    return gold;
  },

  /** The labels of the project's most recent complete rounds (overlap reached), newest first. */
  async completedRounds(em: EntityManager, projectId: string, limit: number): Promise<{ labels: string[] }[]> {
    return queryRows<{ labels: string[] }>(
      em,
      `SELECT array_agg(label_key) AS labels FROM (
       SELECT a.item_id, a.round, a.label_key, max(a.received_at) OVER (PARTITION BY a.item_id, a.round) AS last_at,
              count(*) OVER (PARTITION BY a.item_id, a.round) AS answers, max(a.required) OVER (PARTITION BY a.item_id, a.round) AS required
         FROM qa_answer a WHERE a.project_id = $1 AND NOT a.gold) x
      WHERE answers >= required
      GROUP BY item_id, round ORDER BY max(last_at) DESC LIMIT $2`,
      [projectId, limit],
    );
  },

  /** The project's non-gold answers, by people and by machine annotators (ids starting `machine:`). */
  async countByKind(em: EntityManager, projectId: string): Promise<{ human: number; machine: number }> {
    const [row] = await queryRows<{ human: number; machine: number }>(
      em,
      `SELECT count(*) FILTER (WHERE annotator_id NOT LIKE $2)::int AS human, count(*) FILTER (WHERE annotator_id LIKE $2)::int AS machine
         FROM qa_answer WHERE project_id = $1 AND NOT gold`,
      [projectId, `${MACHINE_ANNOTATOR_PREFIX}%`],
    );
    return row;
  },

  /** Answers received for an item, all rounds. */
  async countOfItem(em: EntityManager, itemId: string): Promise<number> {
    const [{ n }] = await queryRows<{ n: number }>(em, 'SELECT count(*)::int AS n FROM qa_answer WHERE item_id = $1', [itemId]);
    return n;
  },
};
