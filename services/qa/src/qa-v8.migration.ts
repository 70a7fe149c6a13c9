import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every task type: an answer keeps the submission ids it replaced (edits made after submitting),
 * so a late copy of a replaced submission is not counted again, and whether it is a reviewer's
 * (free text: an answer that arrived while its item's round waited for a review); an item
 * records the kind of its answers (for the batch gate), whether its round waits for a review, and
 * the label it was accepted with (protobuf bytes), so an edit that changes it is told from one
 * that does not.
 */
export class QaTaskTypes1733500000000 implements MigrationInterface {
  name = 'QaTaskTypes1733500000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE qa_answer ADD COLUMN superseded text[] NOT NULL DEFAULT '{}'`);
    await qr.query('ALTER TABLE qa_item ADD COLUMN label_kind text');
    await qr.query('ALTER TABLE qa_answer ADD COLUMN review boolean NOT NULL DEFAULT false');
    await qr.query('ALTER TABLE qa_item ADD COLUMN review_requested boolean NOT NULL DEFAULT false');
    await qr.query('ALTER TABLE qa_item ADD COLUMN accepted_label bytea');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE qa_item DROP COLUMN accepted_label');
    await qr.query('ALTER TABLE qa_item DROP COLUMN review_requested');
    await qr.query('ALTER TABLE qa_answer DROP COLUMN review');
    await qr.query('ALTER TABLE qa_item DROP COLUMN label_kind');
    await qr.query('ALTER TABLE qa_answer DROP COLUMN superseded');
  }
}
