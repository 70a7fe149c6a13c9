import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An item is keyed by its dataset as well as its id: item ids come from the content alone, so
 * the same input accepted in two projects is one item id in two datasets.
 */
export class RegistryItemPerDataset1733460000000 implements MigrationInterface {
  name = 'RegistryItemPerDataset1733460000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE dataset_item DROP CONSTRAINT dataset_item_pkey, ADD PRIMARY KEY (dataset_id, item_id)`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE dataset_item DROP CONSTRAINT dataset_item_pkey, ADD PRIMARY KEY (item_id)`);
  }
}
