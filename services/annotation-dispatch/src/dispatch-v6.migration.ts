import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-project label schemas. `label_schema` keeps every version a project's admins stored
 * (never updated: a task refers to the version it was created under); `annotation_task.schema_version`
 * is that version, 0 for tasks of a project with no stored schema (the deployment default).
 */
export class DispatchLabelSchemas1733400000000 implements MigrationInterface {
  name = 'DispatchLabelSchemas1733400000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE label_schema (
        project_id text NOT NULL,
        version    integer NOT NULL CHECK (version > 0),
        task_type  text NOT NULL CHECK (task_type IN ('classification', 'spans', 'boxes', 'text', 'preference')),
        schema     jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        PRIMARY KEY (project_id, version)
      )`);
    await qr.query('ALTER TABLE annotation_task ADD COLUMN schema_version integer NOT NULL DEFAULT 0');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE annotation_task DROP COLUMN schema_version');
    await qr.query('DROP TABLE label_schema');
  }
}
