import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versions as Merkle tries (libs/merkle-dataset):
 *  - `trie_node`: content-addressed trie nodes (insert-if-absent, shared between versions);
 *  - `dataset_record`: content-addressed item records (what a leaf's record hash points at);
 *  - `dataset_head`: the trie root of each dataset's latest content, and when it was cut;
 *  - per-dataset running figures kept in step with `dataset_item` (class counts per split,
 *    QA sums, lineage facets), so a cut costs O(changes) instead of a scan of every item;
 *  - split groups (an item's group keeps one split forever), open leaks;
 *  - version status (approved/rejected + reasons), lineage, per-version source events,
 *    exports, tags, aliases with history, and model-version ↔ dataset-version links.
 * Existing versions keep their (flat Merkle) ids; the first cut of a dataset after this
 * migration builds its trie from all of its items once.
 */
export class RegistryTrieVersions1732450000000 implements MigrationInterface {
  name = 'RegistryTrieVersions1732450000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE trie_node (hash bytea PRIMARY KEY, body bytea NOT NULL)`);
    await qr.query(`CREATE TABLE dataset_record (record_hash text PRIMARY KEY, record jsonb NOT NULL)`);
    await qr.query(
      `INSERT INTO dataset_record (record_hash, record) SELECT DISTINCT ON (record_hash) record_hash, record FROM dataset_item ON CONFLICT DO NOTHING`,
    );

    await qr.query(`
      ALTER TABLE dataset_item
        ADD COLUMN group_key text,
        ADD COLUMN label_event_id text,
        ADD COLUMN confidence float8,
        ADD COLUMN agreement float8,
        ADD COLUMN audit_sample boolean NOT NULL DEFAULT false,
        ADD COLUMN guideline_version text NOT NULL DEFAULT '',
        ADD COLUMN trigger text NOT NULL DEFAULT '',
        ADD COLUMN strategy text NOT NULL DEFAULT '',
        ADD COLUMN qa_policy_version text NOT NULL DEFAULT '',
        ADD COLUMN annotators jsonb NOT NULL DEFAULT '[]'`);
    await qr.query(`
      UPDATE dataset_item SET
        group_key = coalesce(nullif(record->>'contentHash', ''), 'item:' || item_id),
        confidence = (record->>'confidence')::float8,
        agreement = (record->>'agreement')::float8`);
    await qr.query(`ALTER TABLE dataset_item ALTER COLUMN group_key SET NOT NULL, ALTER COLUMN confidence SET NOT NULL, ALTER COLUMN agreement SET NOT NULL`);
    await qr.query(`CREATE INDEX dataset_item_group ON dataset_item (dataset_id, group_key)`);

    await qr.query(`
      CREATE TABLE dataset_group (
        dataset_id text NOT NULL,
        group_key  text NOT NULL,
        split      text NOT NULL,
        PRIMARY KEY (dataset_id, group_key)
      )`);
    await qr.query(`
      INSERT INTO dataset_group (dataset_id, group_key, split)
      SELECT DISTINCT ON (dataset_id, group_key) dataset_id, group_key, split FROM dataset_item ORDER BY dataset_id, group_key, updated_at`);
    await qr.query(`
      CREATE TABLE dataset_leak (
        dataset_id text NOT NULL,
        group_key  text NOT NULL,
        PRIMARY KEY (dataset_id, group_key)
      )`);

    await qr.query(`
      CREATE TABLE dataset_head (
        dataset_id       text PRIMARY KEY,
        root_hash        text,
        last_cut_at      timestamptz,
        first_pending_at timestamptz
      )`);
    await qr.query(`
      INSERT INTO dataset_head (dataset_id, first_pending_at, last_cut_at)
      SELECT i.dataset_id, min(i.updated_at) FILTER (WHERE i.pending), (SELECT max(created_at) FROM dataset_version v WHERE v.dataset_id = i.dataset_id)
        FROM dataset_item i GROUP BY i.dataset_id`);

    await qr.query(`
      CREATE TABLE dataset_stats (
        dataset_id     text PRIMARY KEY,
        items          bigint  NOT NULL DEFAULT 0,
        sum_confidence numeric NOT NULL DEFAULT 0,
        sum_agreement  numeric NOT NULL DEFAULT 0,
        audit_items    bigint  NOT NULL DEFAULT 0
      )`);
    await qr.query(`
      INSERT INTO dataset_stats (dataset_id, items, sum_confidence, sum_agreement)
      SELECT dataset_id, count(*), sum(confidence::numeric), sum(agreement::numeric) FROM dataset_item GROUP BY dataset_id`);
    await qr.query(`
      CREATE TABLE dataset_class_count (
        dataset_id text   NOT NULL,
        split      text   NOT NULL,
        label      text   NOT NULL,
        n          bigint NOT NULL,
        PRIMARY KEY (dataset_id, split, label)
      )`);
    await qr.query(`
      INSERT INTO dataset_class_count (dataset_id, split, label, n)
      SELECT dataset_id, split, label, count(*) FROM dataset_item GROUP BY dataset_id, split, label`);
    await qr.query(`
      CREATE TABLE dataset_facet (
        dataset_id text   NOT NULL,
        facet      text   NOT NULL,
        value      text   NOT NULL,
        n          bigint NOT NULL,
        PRIMARY KEY (dataset_id, facet, value)
      )`);
    await qr.query(`
      INSERT INTO dataset_facet (dataset_id, facet, value, n)
      SELECT dataset_id, 'model', model_id || '@' || model_version, count(*) FROM dataset_item GROUP BY 1, 3
      UNION ALL
      SELECT dataset_id, 'model_id', model_id, count(*) FROM dataset_item GROUP BY 1, 3
      UNION ALL
      SELECT dataset_id, 'split', split, count(*) FROM dataset_item GROUP BY 1, 3`);

    await qr.query(`
      ALTER TABLE dataset_version
        ADD COLUMN root_hash           text,
        ADD COLUMN status              text NOT NULL DEFAULT 'approved',
        ADD COLUMN reasons             text[] NOT NULL DEFAULT '{}',
        ADD COLUMN cut_reason          text NOT NULL DEFAULT 'count',
        ADD COLUMN previous_version_id text,
        ADD COLUMN added_items         integer NOT NULL DEFAULT 0,
        ADD COLUMN changed_items       integer NOT NULL DEFAULT 0,
        ADD COLUMN removed_items       integer NOT NULL DEFAULT 0,
        ADD COLUMN split_counts        jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN qa                  jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN guideline_versions  text[] NOT NULL DEFAULT '{}',
        ADD COLUMN export_files        jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN lineage             jsonb NOT NULL DEFAULT '{}'`);
    await qr.query(`UPDATE dataset_version SET previous_version_id = parent_version_id, added_items = new_items`);
    await qr.query(`CREATE INDEX dataset_version_id ON dataset_version (version_id)`);

    await qr.query(`
      CREATE TABLE dataset_version_source (
        dataset_id      text NOT NULL,
        version_id      text NOT NULL,
        item_id         text NOT NULL,
        change          text NOT NULL,
        source_event_id text NOT NULL,
        label_event_id  text,
        PRIMARY KEY (dataset_id, version_id, item_id)
      )`);
    await qr.query(`
      CREATE TABLE dataset_export (
        dataset_id      text NOT NULL,
        version_id      text NOT NULL,
        manifest_name   text NOT NULL,
        formats         text[] NOT NULL,
        uri             text NOT NULL,
        manifest_sha256 text NOT NULL,
        files           jsonb NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dataset_id, version_id, manifest_name)
      )`);
    await qr.query(`
      CREATE TABLE dataset_tag (
        dataset_id text NOT NULL,
        version_id text NOT NULL,
        tag        text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dataset_id, version_id, tag)
      )`);
    await qr.query(`
      CREATE TABLE dataset_alias (
        dataset_id text NOT NULL,
        alias      text NOT NULL,
        version_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dataset_id, alias)
      )`);
    await qr.query(`
      CREATE TABLE dataset_alias_history (
        id                  bigserial PRIMARY KEY,
        dataset_id          text NOT NULL,
        alias               text NOT NULL,
        version_id          text NOT NULL,
        previous_version_id text,
        action              text NOT NULL,
        moved_by            text NOT NULL,
        moved_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`CREATE INDEX dataset_alias_history_alias ON dataset_alias_history (dataset_id, alias, id)`);
    await qr.query(`
      CREATE TABLE model_training (
        model_id           text NOT NULL,
        model_version      text NOT NULL,
        dataset_version_id text NOT NULL,
        dataset_id         text NOT NULL DEFAULT '',
        source             text NOT NULL,
        stage              text NOT NULL DEFAULT '',
        recorded_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model_id, model_version, dataset_version_id)
      )`);
    await qr.query(`CREATE INDEX model_training_dataset_version ON model_training (dataset_version_id)`);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of [
      'model_training',
      'dataset_alias_history',
      'dataset_alias',
      'dataset_tag',
      'dataset_export',
      'dataset_version_source',
      'dataset_facet',
      'dataset_class_count',
      'dataset_stats',
      'dataset_head',
      'dataset_leak',
      'dataset_group',
      'dataset_record',
      'trie_node',
    ]) {
      await qr.query(`DROP TABLE ${t}`);
    }
    await qr.query('DROP INDEX dataset_version_id');
    await qr.query(`
      ALTER TABLE dataset_version DROP COLUMN root_hash, DROP COLUMN status, DROP COLUMN reasons, DROP COLUMN cut_reason, DROP COLUMN previous_version_id,
        DROP COLUMN added_items, DROP COLUMN changed_items, DROP COLUMN removed_items, DROP COLUMN split_counts, DROP COLUMN qa,
        DROP COLUMN guideline_versions, DROP COLUMN export_files, DROP COLUMN lineage`);
    await qr.query('DROP INDEX dataset_item_group');
    await qr.query(`
      ALTER TABLE dataset_item DROP COLUMN group_key, DROP COLUMN label_event_id, DROP COLUMN confidence, DROP COLUMN agreement, DROP COLUMN audit_sample,
        DROP COLUMN guideline_version, DROP COLUMN trigger, DROP COLUMN strategy, DROP COLUMN qa_policy_version, DROP COLUMN annotators`);
  }
}
