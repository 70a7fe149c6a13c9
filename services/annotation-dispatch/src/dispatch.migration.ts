import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tasks, submissions and the log of every task transition. */
export class CreateDispatchTables1732340000000 implements MigrationInterface {
  name = 'CreateDispatchTables1732340000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE annotation_task (
        task_id            text PRIMARY KEY,
        item_id            text NOT NULL,
        project_id         text NOT NULL,
        kind               text NOT NULL DEFAULT 'label',
        state              text NOT NULL CHECK (state IN ('pending','leased','submitted','accepted','rework','cancelled')),
        priority           integer NOT NULL DEFAULT 0,
        annotator_id       text,
        lease_expires_at   timestamptz,
        required_answers   integer NOT NULL,
        guideline_version  text NOT NULL,
        exclude_annotators text[] NOT NULL DEFAULT '{}',
        request            bytea NOT NULL,
        traceparent        text,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`CREATE INDEX annotation_task_queue ON annotation_task (project_id, priority DESC, created_at) WHERE state IN ('pending','leased')`);
    await qr.query('CREATE INDEX annotation_task_item ON annotation_task (item_id)');
    await qr.query('CREATE INDEX annotation_task_annotator ON annotation_task (annotator_id, state)');
    await qr.query(`
      CREATE TABLE submission (
        submission_id      text PRIMARY KEY,
        task_id            text NOT NULL UNIQUE REFERENCES annotation_task(task_id),
        item_id            text NOT NULL,
        annotator_id       text NOT NULL,
        label              bytea NOT NULL,
        idempotency_key    text,
        pre_label_accepted boolean NOT NULL,
        time_spent_ms      integer NOT NULL,
        submitted_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`
      CREATE TABLE task_transition (
        id         bigserial PRIMARY KEY,
        task_id    text NOT NULL,
        from_state text,
        to_state   text NOT NULL,
        actor      text NOT NULL,
        reason     text,
        at         timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE task_transition');
    await qr.query('DROP TABLE submission');
    await qr.query('DROP TABLE annotation_task');
  }
}
