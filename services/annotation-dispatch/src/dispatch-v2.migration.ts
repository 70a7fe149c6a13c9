import { MigrationInterface, QueryRunner } from 'typeorm';

/** Annotators QA paused in a project (no new tasks for them there). */
export class DispatchAnnotatorStatus1732430000000 implements MigrationInterface {
  name = 'DispatchAnnotatorStatus1732430000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(
      `CREATE TABLE annotator_pause (project_id text NOT NULL, annotator_id text NOT NULL, reason text NOT NULL, paused_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (project_id, annotator_id))`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE annotator_pause');
  }
}
