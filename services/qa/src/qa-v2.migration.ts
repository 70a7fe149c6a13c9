import { MigrationInterface, QueryRunner } from 'typeorm';

/** Gold and effort on answers, and one scorecard per annotator and project. */
export class QaScorecards1732420000000 implements MigrationInterface {
  name = 'QaScorecards1732420000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE qa_answer
      ADD COLUMN project_id text NOT NULL DEFAULT '',
      ADD COLUMN gold boolean NOT NULL DEFAULT false,
      ADD COLUMN gold_correct boolean,
      ADD COLUMN time_spent_ms integer NOT NULL DEFAULT 0,
      ADD COLUMN pre_label_accepted boolean NOT NULL DEFAULT false`);
    await qr.query('CREATE INDEX qa_answer_project ON qa_answer (project_id, received_at) WHERE NOT gold');
    await qr.query(`
      CREATE TABLE qa_annotator (
        annotator_id       text NOT NULL,
        project_id         text NOT NULL,
        answers            integer NOT NULL DEFAULT 0,
        agreed             integer NOT NULL DEFAULT 0,
        decided            integer NOT NULL DEFAULT 0,
        gold_answers       integer NOT NULL DEFAULT 0,
        gold_correct       integer NOT NULL DEFAULT 0,
        time_spent_ms      bigint NOT NULL DEFAULT 0,
        pre_label_accepted integer NOT NULL DEFAULT 0,
        rework             integer NOT NULL DEFAULT 0,
        estimated_accuracy double precision,
        estimated_count    integer NOT NULL DEFAULT 0,
        paused             boolean NOT NULL DEFAULT false,
        PRIMARY KEY (project_id, annotator_id)
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE qa_annotator');
    await qr.query(
      'ALTER TABLE qa_answer DROP COLUMN project_id, DROP COLUMN gold, DROP COLUMN gold_correct, DROP COLUMN time_spent_ms, DROP COLUMN pre_label_accepted',
    );
  }
}
