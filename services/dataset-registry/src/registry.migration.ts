import { MigrationInterface, QueryRunner } from 'typeorm';

/** Items (latest accepted record per item), immutable versions and their membership. */
export class CreateRegistryTables1732360000000 implements MigrationInterface {
  name = 'CreateRegistryTables1732360000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE dataset_item (
        item_id          text PRIMARY KEY,
        dataset_id       text NOT NULL,
        record           jsonb NOT NULL,
        record_hash      text NOT NULL,
        split            text NOT NULL,
        label            text NOT NULL,
        model_id         text NOT NULL,
        model_version    text NOT NULL,
        source_event_id  text NOT NULL,
        pending          boolean NOT NULL DEFAULT true,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query('CREATE INDEX dataset_item_pending ON dataset_item (dataset_id) WHERE pending');
    await qr.query(`
      CREATE TABLE dataset_version (
        version_id        text NOT NULL,
        dataset_id        text NOT NULL,
        number            integer NOT NULL,
        parent_version_id text,
        item_count        integer NOT NULL,
        new_items         integer NOT NULL,
        counts            jsonb NOT NULL,
        export_uri        text NOT NULL,
        manifest_sha256   text NOT NULL,
        model_id          text NOT NULL,
        model_versions    text[] NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dataset_id, version_id),
        UNIQUE (dataset_id, number)
      )`);
    await qr.query(`
      CREATE TABLE dataset_version_item (
        dataset_id  text NOT NULL,
        version_id  text NOT NULL,
        item_id     text NOT NULL,
        record_hash text NOT NULL,
        PRIMARY KEY (dataset_id, version_id, item_id)
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE dataset_version_item');
    await qr.query('DROP TABLE dataset_version');
    await qr.query('DROP TABLE dataset_item');
  }
}
