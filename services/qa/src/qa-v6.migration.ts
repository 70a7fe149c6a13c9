import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quality over time for the console: agreement per project in buckets of consecutive completed
 * overlap rounds (bounded: the last QA_AGREEMENT_HISTORY buckets of each project), and the
 * thresholds each batch was judged against.
 */
export class QaQualityHistory1733390000000 implements MigrationInterface {
  name = 'QaQualityHistory1733390000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE qa_agreement_bucket (
        project_id text NOT NULL,
        bucket_no  integer NOT NULL,
        rounds     integer NOT NULL,
        answers    integer NOT NULL,
        agreeing   integer NOT NULL,
        sent_back  integer NOT NULL,
        first_at   timestamptz NOT NULL DEFAULT now(),
        last_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, bucket_no)
      )`);
    await qr.query(`ALTER TABLE qa_batch ADD COLUMN min_kappa double precision, ADD COLUMN min_gold_accuracy double precision`);
    await qr.query(`CREATE INDEX qa_batch_closed ON qa_batch (project_id, closed_at DESC) WHERE state <> 'open'`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP INDEX qa_batch_closed');
    await qr.query('ALTER TABLE qa_batch DROP COLUMN min_kappa, DROP COLUMN min_gold_accuracy');
    await qr.query('DROP TABLE qa_agreement_bucket');
  }
}
