import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each tested window's estimated (CBPE) and measured accuracy, and what they rest on. */
export class WindowAccuracy1765000000000 implements MigrationInterface {
  name = 'WindowAccuracy1765000000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      ALTER TABLE drift_window_stats
        ADD COLUMN estimated_accuracy      double precision,
        ADD COLUMN measured_accuracy       double precision,
        ADD COLUMN labelled_predictions    integer NOT NULL DEFAULT 0,
        ADD COLUMN calibration_predictions integer NOT NULL DEFAULT 0`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`
      ALTER TABLE drift_window_stats
        DROP COLUMN estimated_accuracy, DROP COLUMN measured_accuracy,
        DROP COLUMN labelled_predictions, DROP COLUMN calibration_predictions`);
  }
}
