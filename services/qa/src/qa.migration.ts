import { MigrationInterface, QueryRunner } from 'typeorm';

/** Answers received per item, and the decision taken on each item. */
export class CreateQaTables1732350000000 implements MigrationInterface {
  name = 'CreateQaTables1732350000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE qa_item (
        item_id     text PRIMARY KEY,
        project_id  text NOT NULL,
        state       text NOT NULL CHECK (state IN ('pending','accepted','rework')),
        round       integer NOT NULL DEFAULT 0,
        final_label text,
        confidence  double precision,
        agreement   double precision,
        reason      text,
        decided_at  timestamptz
      )`);
    await qr.query(`
      CREATE TABLE qa_answer (
        submission_id text PRIMARY KEY,
        item_id       text NOT NULL,
        round         integer NOT NULL,
        annotator_id  text NOT NULL,
        label_key     text NOT NULL,
        required      integer NOT NULL,
        submission    bytea NOT NULL,
        received_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query('CREATE INDEX qa_answer_item ON qa_answer (item_id, round)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE qa_answer');
    await qr.query('DROP TABLE qa_item');
  }
}
