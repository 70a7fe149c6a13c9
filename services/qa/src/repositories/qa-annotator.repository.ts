import { EntityManager, queryRows } from '@labelloop/persistence';

/** What one answer adds to its annotator's scorecard. */
export interface AnswerCounts {
  gold: boolean;
  goldCorrect: boolean;
  timeSpentMs: number;
  preLabelAccepted: boolean;
}

/** An annotator's Dawid–Skene estimate. */
export interface AccuracyEstimate {
  annotatorId: string;
  accuracy: number;
  count: number;
}

/** The scorecard counters a pause is decided on, with the counters at the last resume. */
export interface PauseEvidenceRow {
  answers: number;
  gold_answers: number;
  gold_correct: number;
  estimated_accuracy: number | null;
  estimated_count: number;
  paused: boolean;
  pause_epoch: number;
  answers_at_resume: number;
  gold_answers_at_resume: number;
  gold_correct_at_resume: number;
}

/** A `qa_annotator` row: one annotator's scorecard in one project. */
export interface ScorecardRow extends PauseEvidenceRow {
  annotator_id: string;
  project_id: string;
  agreed: number;
  decided: number;
  /** bigint: node-postgres returns it as a string. */
  time_spent_ms: string;
  pre_label_accepted: number;
  rework: number;
}

/** `qa_annotator`: one scorecard per annotator and project. */
export const qaAnnotators = {
  /** Counts an answer on its annotator's scorecard (created on the first answer). */
  async countAnswer(em: EntityManager, projectId: string, annotatorId: string, c: AnswerCounts): Promise<void> {
    await em.query(
      `INSERT INTO qa_annotator (annotator_id, project_id, answers, gold_answers, gold_correct, time_spent_ms, pre_label_accepted)
         VALUES ($1, $2, 1, $3, $4, $5, $6)
         ON CONFLICT (project_id, annotator_id) DO UPDATE SET answers = qa_annotator.answers + 1, gold_answers = qa_annotator.gold_answers + EXCLUDED.gold_answers,
           gold_correct = qa_annotator.gold_correct + EXCLUDED.gold_correct, time_spent_ms = qa_annotator.time_spent_ms + EXCLUDED.time_spent_ms,
           pre_label_accepted = qa_annotator.pre_label_accepted + EXCLUDED.pre_label_accepted`,
      [annotatorId, projectId, c.gold ? 1 : 0, c.goldCorrect ? 1 : 0, c.timeSpentMs, c.preLabelAccepted ? 1 : 0],
    );
  },

  /** Counts a decided item for each of its annotators, and an agreement for those who gave the accepted label. */
  async countDecided(em: EntityManager, projectId: string, annotatorIds: readonly string[], agreedIds: readonly string[]): Promise<void> {
    await em.query(
      `UPDATE qa_annotator SET decided = decided + 1, agreed = agreed + CASE WHEN annotator_id = ANY($3) THEN 1 ELSE 0 END WHERE project_id = $1 AND annotator_id = ANY($2)`,
      [projectId, annotatorIds, agreedIds],
    );
  },

  /** Counts a rework for every annotator who answered the item's round. */
  async countRework(em: EntityManager, projectId: string, itemId: string, round: number): Promise<void> {
    await em.query(
      `UPDATE qa_annotator SET rework = rework + 1 WHERE project_id = $1 AND annotator_id IN (SELECT annotator_id FROM qa_answer WHERE item_id = $2 AND round = $3 AND NOT gold)`,
      [projectId, itemId, round],
    );
  },

  /** Stores the latest Dawid–Skene estimates of the project's annotators. */
  async setEstimates(em: EntityManager, projectId: string, estimates: readonly AccuracyEstimate[]): Promise<void> {
    await em.query(
      `UPDATE qa_annotator a SET estimated_accuracy = e.acc, estimated_count = e.n
         FROM unnest($2::text[], $3::float8[], $4::int[]) AS e(id, acc, n) WHERE a.project_id = $1 AND a.annotator_id = e.id`,
      [projectId, estimates.map((e) => e.annotatorId), estimates.map((e) => e.accuracy), estimates.map((e) => e.count)],
    );
  },

  async pauseEvidence(em: EntityManager, projectId: string, annotatorId: string): Promise<PauseEvidenceRow | undefined> {
    const [a] = await queryRows<PauseEvidenceRow>(
      em,
      `SELECT answers, gold_answers, gold_correct, estimated_accuracy, estimated_count, paused, pause_epoch, answers_at_resume, gold_answers_at_resume, gold_correct_at_resume
         FROM qa_annotator WHERE project_id = $1 AND annotator_id = $2`,
      [projectId, annotatorId],
    );
    return a;
  },

  async pause(em: EntityManager, projectId: string, annotatorId: string): Promise<void> {
    await em.query('UPDATE qa_annotator SET paused = true WHERE project_id = $1 AND annotator_id = $2', [projectId, annotatorId]);
  },

  /**
   * Clears a pause and starts measuring the annotator afresh from the current counters (a new
   * pause epoch). Returns whether the annotator was paused.
   */
  async resume(em: EntityManager, projectId: string, annotatorId: string): Promise<boolean> {
    const rows = await queryRows<{ '?column?': number }>(
      em,
      `UPDATE qa_annotator SET paused = false, pause_epoch = pause_epoch + 1, answers_at_resume = answers,
                gold_answers_at_resume = gold_answers, gold_correct_at_resume = gold_correct
          WHERE project_id = $1 AND annotator_id = $2 AND paused RETURNING 1`,
      [projectId, annotatorId],
    );
    return rows.length > 0;
  },

  /** Every scorecard of a project, by annotator id. */
  async ofProject(em: EntityManager, projectId: string): Promise<ScorecardRow[]> {
    return queryRows<ScorecardRow>(em, 'SELECT * FROM qa_annotator WHERE project_id = $1 ORDER BY annotator_id', [projectId]);
  },
};
