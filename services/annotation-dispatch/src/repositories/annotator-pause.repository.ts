import { Queryable, queryRows } from '@labelloop/persistence';
import type { QaPause } from '../tasks/qa-pause';

/** A paused annotator of a project. */
export interface AnnotatorPauseRow {
  annotator_id: string;
  reason: string;
  paused_at: Date;
}

/** `annotator_pause`: annotators QA paused in a project, until an admin resumes them. */
export const annotatorPauses = {
  /** The annotator's pause in the project, if she is paused there. */
  async of(q: Queryable, projectId: string, annotatorId: string): Promise<QaPause | undefined> {
    const [pause] = await queryRows<QaPause>(q, 'SELECT reason FROM annotator_pause WHERE project_id = $1 AND annotator_id = $2', [projectId, annotatorId]);
    return pause;
  },

  /** Every paused annotator of the project, by id. */
  async ofProject(q: Queryable, projectId: string): Promise<AnnotatorPauseRow[]> {
    return queryRows<AnnotatorPauseRow>(q, 'SELECT annotator_id, reason, paused_at FROM annotator_pause WHERE project_id = $1 ORDER BY annotator_id', [
      projectId,
    ]);
  },

  /** Pauses the annotator in the project (a second pause keeps the first reason). */
  async pause(q: Queryable, projectId: string, annotatorId: string, reason: string): Promise<void> {
    await q.query(`INSERT INTO annotator_pause (project_id, annotator_id, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      projectId,
      annotatorId,
      reason,
    ]);
  },

  /** Lifts the pause; returns the reason she was paused for, or undefined when she was not paused. */
  async lift(q: Queryable, projectId: string, annotatorId: string): Promise<string | undefined> {
    const lifted = await queryRows<{ reason: string }>(q, 'DELETE FROM annotator_pause WHERE project_id = $1 AND annotator_id = $2 RETURNING reason', [
      projectId,
      annotatorId,
    ]);
    return lifted[0]?.reason;
  },
};
