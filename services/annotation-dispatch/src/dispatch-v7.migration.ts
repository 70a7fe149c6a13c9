import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Edits made in Label Studio after submitting. A task keeps its one original submission (unique
 * per task among those that supersede nothing); each edit adds a submission that names the one it
 * replaces. `ls_annotation` remembers the version of each Label Studio annotation last applied
 * (its updated_at and a hash of its result), so a redelivered webhook or a second poll adds nothing.
 */
export class DispatchLabelStudioEdits1733500000000 implements MigrationInterface {
  name = 'DispatchLabelStudioEdits1733500000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE submission ADD COLUMN supersedes_submission_id text REFERENCES submission(submission_id)');
    await qr.query('ALTER TABLE submission DROP CONSTRAINT submission_task_id_key');
    await qr.query('CREATE UNIQUE INDEX submission_original_of_task ON submission (task_id) WHERE supersedes_submission_id IS NULL');
    await qr.query('CREATE UNIQUE INDEX submission_superseded_once ON submission (supersedes_submission_id) WHERE supersedes_submission_id IS NOT NULL');
    await qr.query('ALTER TABLE ls_annotation ADD COLUMN applied_updated_at timestamptz, ADD COLUMN applied_result_hash text');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE ls_annotation DROP COLUMN applied_updated_at, DROP COLUMN applied_result_hash');
    await qr.query('DELETE FROM submission WHERE supersedes_submission_id IS NOT NULL');
    await qr.query('DROP INDEX submission_superseded_once');
    await qr.query('DROP INDEX submission_original_of_task');
    await qr.query('ALTER TABLE submission ADD CONSTRAINT submission_task_id_key UNIQUE (task_id)');
    await qr.query('ALTER TABLE submission DROP COLUMN supersedes_submission_id');
  }
}
