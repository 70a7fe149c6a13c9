import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Label Studio connector state: the Label Studio project of each LabelLoop project, the items
 * imported there, and every Label Studio annotation seen with what became of it (its primary
 * key is what makes a re-pulled or re-posted annotation change nothing).
 */
export class DispatchLabelStudio1732520000000 implements MigrationInterface {
  name = 'DispatchLabelStudio1732520000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(
      `CREATE TABLE ls_project (project_id text PRIMARY KEY, ls_project_id integer NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await qr.query(
      `CREATE TABLE ls_item (item_id text PRIMARY KEY, project_id text NOT NULL, ls_project_id integer NOT NULL, imported_at timestamptz NOT NULL DEFAULT now())`,
    );
    await qr.query(`
      CREATE TABLE ls_annotation (
        ls_annotation_id bigint PRIMARY KEY,
        item_id          text NOT NULL,
        annotator_id     text NOT NULL,
        outcome          text NOT NULL CHECK (outcome IN ('submitted', 'refused', 'surplus', 'cancelled')),
        detail           text,
        submission_id    text,
        via              text NOT NULL CHECK (via IN ('webhook', 'poll')),
        received_at      timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE ls_annotation');
    await qr.query('DROP TABLE ls_item');
    await qr.query('DROP TABLE ls_project');
  }
}
