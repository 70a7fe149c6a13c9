import { EntityManager, queryRows } from '@labelloop/persistence';

/** How a batch was judged. */
export interface BatchClosing {
  passed: boolean;
  kappa: number | null;
  goldAnswers: number;
  goldCorrect: number;
  /** Empty when every check ran and passed (stored as NULL). */
  reason: string;
  policyVersion: string;
  /** The thresholds in force. */
  minKappa: number;
  minGoldAccuracy: number;
}

/** A judged batch, as stored (thresholds are null for batches judged before they were recorded). */
export interface JudgedBatchRow {
  batch_no: number;
  state: 'passed' | 'failed';
  held: number;
  kappa: number | null;
  min_kappa: number | null;
  gold_answers: number | null;
  gold_correct: number | null;
  min_gold_accuracy: number | null;
  reason: string | null;
  policy: string | null;
  closed_at: Date;
}

/** `qa_batch`: each project's batches of held items; at most one is open. */
export const qaBatches = {
  /** The project's open batch, if any. */
  async open(em: EntityManager, projectId: string): Promise<number | undefined> {
    const [open] = await queryRows<{ batch_no: number }>(em, `SELECT batch_no FROM qa_batch WHERE project_id = $1 AND state = 'open'`, [projectId]);
    return open?.batch_no;
  },

  /** The project's open batch if it holds at least one item. */
  async openWithItems(em: EntityManager, projectId: string): Promise<number | undefined> {
    const [open] = await queryRows<{ batch_no: number }>(em, `SELECT batch_no FROM qa_batch WHERE project_id = $1 AND state = 'open' AND held > 0`, [
      projectId,
    ]);
    return open?.batch_no;
  },

  /** Opens the project's next batch; callers hold the project's lock. */
  async create(em: EntityManager, projectId: string): Promise<number> {
    const [created] = await queryRows<{ batch_no: number }>(
      em,
      `INSERT INTO qa_batch (project_id, batch_no, state) VALUES ($1, (SELECT COALESCE(MAX(batch_no), 0) + 1 FROM qa_batch WHERE project_id = $1), 'open') RETURNING batch_no`,
      [projectId],
    );
    return created.batch_no;
  },

  /** Counts one more held item; returns how many the batch holds now. */
  async addHeld(em: EntityManager, projectId: string, batch: number): Promise<number> {
    const [{ held }] = await queryRows<{ held: number }>(em, 'UPDATE qa_batch SET held = held + 1 WHERE project_id = $1 AND batch_no = $2 RETURNING held', [
      projectId,
      batch,
    ]);
    return held;
  },

  async close(em: EntityManager, projectId: string, batch: number, c: BatchClosing): Promise<void> {
    await em.query(
      `UPDATE qa_batch SET state = $3, kappa = $4, gold_answers = $5, gold_correct = $6, reason = $7, policy = $8, min_kappa = $9, min_gold_accuracy = $10,
         closed_at = now() WHERE project_id = $1 AND batch_no = $2`,
      [
        projectId,
        batch,
        c.passed ? 'passed' : 'failed',
        c.kappa,
        c.goldAnswers,
        c.goldCorrect,
        c.reason || null,
        c.policyVersion,
        c.minKappa,
        c.minGoldAccuracy,
      ],
    );
  },

  /** The project's newest `limit` judged batches, newest first. */
  async judged(em: EntityManager, projectId: string, limit: number): Promise<JudgedBatchRow[]> {
    return queryRows<JudgedBatchRow>(
      em,
      `SELECT batch_no, state, held, kappa, min_kappa, gold_answers, gold_correct, min_gold_accuracy, reason, policy, closed_at
       FROM qa_batch WHERE project_id = $1 AND state <> 'open' ORDER BY closed_at DESC, batch_no DESC LIMIT $2`,
      [projectId, limit],
    );
  },
};
