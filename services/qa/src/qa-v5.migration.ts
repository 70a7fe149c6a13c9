import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Resuming paused annotators: the pause count (each pause is its own AnnotatorPaused event) and
 * the scorecard counters at the last resume, from which a resumed annotator is measured afresh.
 */
export class QaAnnotatorResume1732540000000 implements MigrationInterface {
  name = 'QaAnnotatorResume1732540000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE qa_annotator
      ADD COLUMN pause_epoch integer NOT NULL DEFAULT 0,
      ADD COLUMN answers_at_resume integer NOT NULL DEFAULT 0,
      ADD COLUMN gold_answers_at_resume integer NOT NULL DEFAULT 0,
      ADD COLUMN gold_correct_at_resume integer NOT NULL DEFAULT 0`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(
      `ALTER TABLE qa_annotator DROP COLUMN pause_epoch, DROP COLUMN answers_at_resume, DROP COLUMN gold_answers_at_resume, DROP COLUMN gold_correct_at_resume`,
    );
  }
}
