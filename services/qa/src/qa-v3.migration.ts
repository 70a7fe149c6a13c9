import { MigrationInterface, QueryRunner } from 'typeorm';

/** Guideline reviews raised per project and class (one open request at a time). */
export class QaGuidelineReviews1732460000000 implements MigrationInterface {
  name = 'QaGuidelineReviews1732460000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE qa_guideline_review (
        project_id        text NOT NULL,
        label_class       text NOT NULL,
        open              boolean NOT NULL,
        raised            integer NOT NULL DEFAULT 0,
        disagreement_rate double precision NOT NULL,
        baseline_rate     double precision NOT NULL,
        items             integer NOT NULL,
        updated_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, label_class)
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE qa_guideline_review');
  }
}
