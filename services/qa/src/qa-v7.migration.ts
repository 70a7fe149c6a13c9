import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adaptive overlap: each item counts the extra answers QA asked dispatch for, so a project's
 * answer cost (GetAnswerCost) can say how many it asked; the cost counts read items by project.
 */
export class QaAdaptiveOverlap1733480000000 implements MigrationInterface {
  name = 'QaAdaptiveOverlap1733480000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE qa_item ADD COLUMN answers_requested integer NOT NULL DEFAULT 0');
    await qr.query('CREATE INDEX qa_item_project ON qa_item (project_id, state)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP INDEX qa_item_project');
    await qr.query('ALTER TABLE qa_item DROP COLUMN answers_requested');
  }
}
