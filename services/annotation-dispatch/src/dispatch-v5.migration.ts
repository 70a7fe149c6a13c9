import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Opaque task ids. A task id used to be built from its item and kind (`<item>#<n>`,
 * `<item>#gold-<hash>`, `<item>#rework-<hash>`), so an annotator could tell a gold task from
 * the id. That derived identity, which is what makes a redelivered request create no second
 * task, moves to the private column `task_key`; `task_id` becomes a random UUID.
 *
 * Tasks that were never leased get a new id here (nobody has seen theirs); a task that was
 * leased keeps its id, since an annotator may still hold it.
 */
export class DispatchOpaqueTaskIds1733300000000 implements MigrationInterface {
  name = 'DispatchOpaqueTaskIds1733300000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE annotation_task ADD COLUMN task_key text');
    await qr.query('UPDATE annotation_task SET task_key = task_id');
    await qr.query('ALTER TABLE annotation_task ALTER COLUMN task_key SET NOT NULL');
    await qr.query('ALTER TABLE annotation_task ADD CONSTRAINT annotation_task_task_key_key UNIQUE (task_key)');
    await qr.query(`
      CREATE TEMP TABLE rekey ON COMMIT DROP AS
        SELECT t.task_id AS old_id, gen_random_uuid()::text AS new_id FROM annotation_task t
         WHERE t.state = 'pending' AND NOT EXISTS (SELECT 1 FROM task_transition x WHERE x.task_id = t.task_id AND x.to_state = 'leased')`);
    await qr.query('UPDATE annotation_task t SET task_id = r.new_id FROM rekey r WHERE t.task_id = r.old_id');
    await qr.query('UPDATE task_transition x SET task_id = r.new_id FROM rekey r WHERE x.task_id = r.old_id');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE annotation_task DROP COLUMN task_key');
  }
}
