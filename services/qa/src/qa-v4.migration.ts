import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-project QA policies (versioned) and the batch gate: items that passed the item gate wait
 * in state 'held' in their project's open batch until the batch is judged as a whole.
 */
export class QaPoliciesAndBatches1732500000000 implements MigrationInterface {
  name = 'QaPoliciesAndBatches1732500000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE qa_project_policy (
        project_id text PRIMARY KEY,
        policy     bytea NOT NULL,
        version    integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`
      CREATE TABLE qa_batch (
        project_id    text NOT NULL,
        batch_no      integer NOT NULL,
        state         text NOT NULL CHECK (state IN ('open','passed','failed')),
        held          integer NOT NULL DEFAULT 0,
        kappa         double precision,
        gold_answers  integer,
        gold_correct  integer,
        reason        text,
        policy        text,
        closed_at     timestamptz,
        PRIMARY KEY (project_id, batch_no)
      )`);
    await qr.query(`CREATE UNIQUE INDEX qa_batch_one_open ON qa_batch (project_id) WHERE state = 'open'`);
    await qr.query(`ALTER TABLE qa_item DROP CONSTRAINT qa_item_state_check`);
    await qr.query(`ALTER TABLE qa_item ADD CONSTRAINT qa_item_state_check CHECK (state IN ('pending','held','accepted','rework'))`);
    await qr.query(`ALTER TABLE qa_item ADD COLUMN batch_no integer, ADD COLUMN method text, ADD COLUMN policy text`);
    await qr.query(`CREATE INDEX qa_item_batch ON qa_item (project_id, batch_no) WHERE state = 'held'`);
    await qr.query(`ALTER TABLE qa_answer ADD COLUMN batch_no integer`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE qa_answer DROP COLUMN batch_no`);
    await qr.query(`DROP INDEX qa_item_batch`);
    await qr.query(`ALTER TABLE qa_item DROP COLUMN batch_no, DROP COLUMN method, DROP COLUMN policy`);
    await qr.query(`ALTER TABLE qa_item DROP CONSTRAINT qa_item_state_check`);
    await qr.query(`ALTER TABLE qa_item ADD CONSTRAINT qa_item_state_check CHECK (state IN ('pending','accepted','rework'))`);
    await qr.query('DROP TABLE qa_batch');
    await qr.query('DROP TABLE qa_project_policy');
  }
}
