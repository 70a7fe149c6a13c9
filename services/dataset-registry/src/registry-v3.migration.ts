import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Items keep the model inputs they were predicted on (a serialized
 * labelloop.inference.v1.FeatureVector), outside the content-addressed record: a version's id
 * stays a function of its labels, and drift detection can take a version as its reference.
 */
export class RegistryItemFeatures1732540000000 implements MigrationInterface {
  name = 'RegistryItemFeatures1732540000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE dataset_item ADD COLUMN features bytea`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE dataset_item DROP COLUMN features`);
  }
}
