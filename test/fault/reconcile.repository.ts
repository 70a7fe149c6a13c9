import type { Pool } from 'pg';

// The fault suite's reads of every stage's store, one object per table. The suite owns none of
// these tables (each service's repositories do); it only reconciles them after a run, from
// outside, so every read names its schema.

const rows = async <T>(pg: Pool, sql: string, params: unknown[] = []): Promise<T[]> => (await pg.query(sql, params)).rows as T[];
const count = async (pg: Pool, sql: string, params: unknown[] = []): Promise<number> => Number((await pg.query(sql, params)).rows[0].n);

/** Schemas whose stage keeps the compact inbox (a row of ids per chunk): the two that read every prediction. */
const COMPACT_INBOX = new Set(['drift_detection', 'sampling']);

/** A schema's inbox as rows (event_id, outcome, topic), and its name. */
export function inboxOf(schema: string): { sql: string; name: string } {
  if (!COMPACT_INBOX.has(schema)) return { sql: `${schema}.inbox`, name: `${schema}.inbox` };
  return {
    sql: `(SELECT id AS event_id, 'applied' AS outcome, c.topic FROM ${schema}.inbox_chunk c, unnest(c.applied_ids) id
           UNION ALL SELECT id, 'dead-lettered', c.topic FROM ${schema}.inbox_chunk c, unnest(c.dead_ids) id) ${schema}_inbox`,
    name: `${schema}.inbox_chunk`,
  };
}

/** A dataset_version row (columns differ between the flat and the trie-based registry). */
export interface VersionRow {
  version_id: string;
  number: number;
  item_count: number;
  new_items: number;
  export_uri: string;
  status?: string;
  reasons?: string[];
  added_items?: number;
  removed_items?: number;
  root_hash?: string | null;
}

/** `information_schema.tables`: which tables a stage's schema has (it changes between versions). */
export const catalog = {
  async tableExists(pg: Pool, schema: string, table: string): Promise<boolean> {
    return (await rows(pg, `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2`, [schema, table])).length > 0;
  },

  /** 1 when the registry cuts versions by time (it has `dataset_head`), else 0. */
  intervalCuts(pg: Pool): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'dataset_registry' AND table_name = 'dataset_head'`);
  },
};

/** Every stage's inbox (`inbox`, or the compact inbox's `inbox_chunk` read as rows). */
export const inboxes = {
  /** The events of `topic` whose id is `LIKE idLike`, with their outcome. */
  like(pg: Pool, schema: string, topic: string, idLike: string): Promise<{ event_id: string; outcome: string }[]> {
    return rows<{ event_id: string; outcome: string }>(pg, `SELECT event_id, outcome FROM ${inboxOf(schema).sql} WHERE topic = $1 AND event_id LIKE $2`, [
      topic,
      idLike,
    ]);
  },

  countLike(pg: Pool, schema: string, topic: string, idLike: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM ${inboxOf(schema).sql} WHERE topic = $1 AND event_id LIKE $2`, [topic, idLike]);
  },

  /** Those of `eventIds` of `topic` that a row-per-event inbox holds. */
  ofTopic(pg: Pool, schema: string, topic: string, eventIds: string[]): Promise<{ event_id: string }[]> {
    return rows<{ event_id: string }>(pg, `SELECT event_id FROM ${schema}.inbox WHERE topic = $1 AND event_id = ANY($2)`, [topic, eventIds]);
  },

  /** Those of `eventIds` that a row-per-event inbox holds, whatever their topic. */
  anyTopic(pg: Pool, schema: string, eventIds: string[]): Promise<{ event_id: string; topic: string }[]> {
    return rows<{ event_id: string; topic: string }>(pg, `SELECT event_id, topic FROM ${schema}.inbox WHERE event_id = ANY($1)`, [eventIds]);
  },
};

/** Every stage's `outbox`. */
export const outboxes = {
  async count(pg: Pool, schema: string): Promise<number> {
    const [{ n }] = await rows<{ n: string }>(pg, `SELECT count(*) AS n FROM ${schema}.outbox`);
    return Number(n);
  },

  total(pg: Pool, schemas: readonly string[]): Promise<number> {
    return count(pg, `SELECT sum(n) AS n FROM (${schemas.map((s) => `SELECT count(*) AS n FROM ${s}.outbox`).join(' UNION ALL ')}) x`);
  },
};

/** `sampling.sampling_decision`. */
export const samplingDecisions = {
  ofModel(pg: Pool, modelId: string): Promise<{ item_id: string; content_hash: string; source_event_id: string; trigger: string }[]> {
    return rows<{ item_id: string; content_hash: string; source_event_id: string; trigger: string }>(
      pg,
      `SELECT item_id, content_hash, source_event_id, trigger FROM sampling.sampling_decision WHERE model_id = $1`,
      [modelId],
    );
  },

  countOfModel(pg: Pool, modelId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM sampling.sampling_decision WHERE model_id = $1`, [modelId]);
  },
};

/** `annotation_dispatch.annotation_task` and its `submission`s. */
export const annotationTasks = {
  ofProject(pg: Pool, projectId: string): Promise<{ task_id: string; item_id: string; kind: string; state: string; annotator_id: string | null }[]> {
    return rows<{ task_id: string; item_id: string; kind: string; state: string; annotator_id: string | null }>(
      pg,
      `SELECT task_id, item_id, kind, state, annotator_id FROM annotation_dispatch.annotation_task WHERE project_id = $1`,
      [projectId],
    );
  },

  countOfProject(pg: Pool, projectId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM annotation_dispatch.annotation_task WHERE project_id = $1`, [projectId]);
  },

  /** Tasks pending, leased or submitted. */
  countOpen(pg: Pool, projectId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM annotation_dispatch.annotation_task WHERE project_id = $1 AND state IN ('pending','leased','submitted')`, [
      projectId,
    ]);
  },

  submissionsOfProject(pg: Pool, projectId: string): Promise<{ submission_id: string; task_id: string; item_id: string }[]> {
    return rows<{ submission_id: string; task_id: string; item_id: string }>(
      pg,
      `SELECT s.submission_id, s.task_id, s.item_id FROM annotation_dispatch.submission s JOIN annotation_dispatch.annotation_task t USING (task_id) WHERE t.project_id = $1`,
      [projectId],
    );
  },
};

/** `qa.qa_answer`. */
export const qaAnswers = {
  ofProject(pg: Pool, projectId: string): Promise<{ submission_id: string; item_id: string; round: number }[]> {
    return rows<{ submission_id: string; item_id: string; round: number }>(pg, `SELECT submission_id, item_id, round FROM qa.qa_answer WHERE project_id = $1`, [
      projectId,
    ]);
  },

  countOfProject(pg: Pool, projectId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM qa.qa_answer WHERE project_id = $1`, [projectId]);
  },
};

/** `qa.qa_item`. */
export const qaItems = {
  ofProject(pg: Pool, projectId: string): Promise<{ item_id: string; state: string; round: number; final_label: string | null }[]> {
    return rows<{ item_id: string; state: string; round: number; final_label: string | null }>(
      pg,
      `SELECT item_id, state, round, final_label FROM qa.qa_item WHERE project_id = $1`,
      [projectId],
    );
  },

  countAccepted(pg: Pool, projectId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM qa.qa_item WHERE project_id = $1 AND state = 'accepted'`, [projectId]);
  },
};

/** `dataset_registry.dataset_item`. */
export const datasetItems = {
  ofDataset(pg: Pool, datasetId: string): Promise<{ item_id: string; label: string; pending: boolean }[]> {
    return rows<{ item_id: string; label: string; pending: boolean }>(
      pg,
      `SELECT item_id, label, pending FROM dataset_registry.dataset_item WHERE dataset_id = $1`,
      [datasetId],
    );
  },

  countOfDataset(pg: Pool, datasetId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM dataset_registry.dataset_item WHERE dataset_id = $1`, [datasetId]);
  },

  /** Items not yet in a version. */
  countPending(pg: Pool, datasetId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM dataset_registry.dataset_item WHERE dataset_id = $1 AND pending`, [datasetId]);
  },
};

/**
 * This run's approved versions (other test runs' registries may announce other versions of the
 * same dataset id, which this run's retrain-trigger also turns into runs); the dataset id is $2.
 */
const ourVersions = `SELECT version_id FROM dataset_registry.dataset_version WHERE dataset_id = $2 AND export_uri <> ''`;

/** `dataset_registry.dataset_version` and its membership tables. */
export const datasetVersions = {
  ofDataset(pg: Pool, datasetId: string): Promise<VersionRow[]> {
    return rows<VersionRow>(pg, `SELECT * FROM dataset_registry.dataset_version WHERE dataset_id = $1 ORDER BY number`, [datasetId]);
  },

  countOfDataset(pg: Pool, datasetId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM dataset_registry.dataset_version WHERE dataset_id = $1`, [datasetId]);
  },

  /** Approved versions carry an export (rejected ones, in a registry with gates, do not). */
  countApproved(pg: Pool, datasetId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM dataset_registry.dataset_version WHERE dataset_id = $1 AND export_uri <> ''`, [datasetId]);
  },

  /** The per-version change log (trie-based registry). */
  sources(pg: Pool, datasetId: string, versionId: string): Promise<{ item_id: string; change: string }[]> {
    return rows<{ item_id: string; change: string }>(
      pg,
      `SELECT item_id, change FROM dataset_registry.dataset_version_source WHERE dataset_id = $1 AND version_id = $2`,
      [datasetId, versionId],
    );
  },

  /** A flat version's members. */
  members(pg: Pool, datasetId: string, versionId: string): Promise<{ item_id: string }[]> {
    return rows<{ item_id: string }>(pg, `SELECT item_id FROM dataset_registry.dataset_version_item WHERE dataset_id = $1 AND version_id = $2`, [
      datasetId,
      versionId,
    ]);
  },
};

/** `retrain_trigger.retrain_run`. */
export const retrainRuns = {
  ofModel(pg: Pool, modelId: string): Promise<{ run_id: string; dataset_version_id: string; export_uri: string; state: string }[]> {
    return rows<{ run_id: string; dataset_version_id: string; export_uri: string; state: string }>(
      pg,
      `SELECT run_id, dataset_version_id, export_uri, state FROM retrain_trigger.retrain_run WHERE model_id = $1`,
      [modelId],
    );
  },

  /** Runs of the model for this run's approved versions of the dataset. */
  countOfOurVersions(pg: Pool, modelId: string, datasetId: string): Promise<number> {
    return count(pg, `SELECT count(*) AS n FROM retrain_trigger.retrain_run WHERE model_id = $1 AND dataset_version_id IN (${ourVersions})`, [
      modelId,
      datasetId,
    ]);
  },

  countLaunchedOfOurVersions(pg: Pool, modelId: string, datasetId: string): Promise<number> {
    return count(
      pg,
      `SELECT count(*) AS n FROM retrain_trigger.retrain_run WHERE model_id = $1 AND dataset_version_id IN (${ourVersions}) AND state = 'running'`,
      [modelId, datasetId],
    );
  },
};
