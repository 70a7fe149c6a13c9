import { Queryable, queryRows } from '@labelloop/persistence';

/** A `retrain_run` row as the RetrainService returns it. */
export interface RetrainRunRow {
  run_id: string;
  model_id: string;
  dataset_version_id: string;
  state: string;
  launcher: string;
  attempts: number;
  last_error: string | null;
  requested_at: Date;
}

/** A requested run whose next attempt is due, with what its launch needs. */
export interface DueRunRow {
  run_id: string;
  model_id: string;
  dataset_id: string;
  dataset_version_id: string;
  export_uri: string;
  attempts: number;
  traceparent: string | null;
  timeout_seconds: number;
}

/** A new run: one per (model, dataset version). */
export interface NewRetrainRun {
  runId: string;
  modelId: string;
  datasetId: string;
  datasetVersionId: string;
  exportUri: string;
  reason: string;
  traceparent: string | null;
  timeoutSeconds: number;
  launcher: string;
}

/** `retrain_run`: training runs, from requested to a final state. */
export const retrainRuns = {
  /** Every run of a model, oldest request first. */
  async ofModel(q: Queryable, modelId: string): Promise<RetrainRunRow[]> {
    return queryRows<RetrainRunRow>(q, 'SELECT * FROM retrain_run WHERE model_id = $1 ORDER BY requested_at', [modelId]);
  },

  /** The run, locked for an update in this transaction. */
  async lock(q: Queryable, runId: string): Promise<RetrainRunRow | undefined> {
    const [run] = await queryRows<RetrainRunRow>(q, 'SELECT * FROM retrain_run WHERE run_id = $1 FOR UPDATE', [runId]);
    return run;
  },

  /** Records a state a job reported (the caller checked the transition); returns the updated run. */
  async report(q: Queryable, runId: string, state: string, message: string | null): Promise<RetrainRunRow> {
    const [updated] = await queryRows<RetrainRunRow>(
      q,
      `UPDATE retrain_run SET state = $2, last_error = CASE WHEN $2 = 'failed' THEN $3 ELSE last_error END,
                started_at = COALESCE(started_at, now()), finished_at = CASE WHEN $2 IN ('succeeded', 'failed') THEN now() END, updated_at = now()
          WHERE run_id = $1 RETURNING *`,
      [runId, state, message],
    );
    return updated;
  },

  /** Seconds since the model's latest run was requested; undefined when it has none. */
  async secondsSinceLastRequest(q: Queryable, modelId: string): Promise<number | undefined> {
    const [last] = await queryRows<{ age: number }>(
      q,
      'SELECT extract(epoch FROM now() - max(requested_at))::float8 AS age FROM retrain_run WHERE model_id = $1 HAVING count(*) > 0',
      [modelId],
    );
    return last?.age;
  },

  /** Inserts a requested run; false when the (model, dataset version) already has one. */
  async request(q: Queryable, r: NewRetrainRun): Promise<boolean> {
    const inserted = await queryRows<{ run_id: string }>(
      q,
      `INSERT INTO retrain_run (run_id, model_id, dataset_id, dataset_version_id, export_uri, state, launcher, reason, traceparent, timeout_seconds)
         VALUES ($1, $2, $3, $4, $5, 'requested', $9, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING run_id`,
      [r.runId, r.modelId, r.datasetId, r.datasetVersionId, r.exportUri, r.reason, r.traceparent, r.timeoutSeconds, r.launcher],
    );
    return inserted.length > 0;
  },

  /** Claims the most overdue requested run (FOR UPDATE SKIP LOCKED: replicas never claim the same one). */
  async claimDue(q: Queryable): Promise<DueRunRow | undefined> {
    const [run] = await queryRows<DueRunRow>(
      q,
      `SELECT run_id, model_id, dataset_id, dataset_version_id, export_uri, attempts, traceparent, timeout_seconds FROM retrain_run
          WHERE state = 'requested' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    return run;
  },

  async markLaunched(q: Queryable, runId: string, attempts: number, externalId: string | null): Promise<void> {
    await q.query(
      `UPDATE retrain_run SET state = 'running', attempts = $2, external_id = $3, last_error = NULL, started_at = now(), updated_at = now() WHERE run_id = $1`,
      [runId, attempts, externalId],
    );
  },

  async markLaunchFailed(q: Queryable, runId: string, attempts: number, error: string): Promise<void> {
    await q.query(`UPDATE retrain_run SET state = 'failed', attempts = $2, last_error = $3, updated_at = now() WHERE run_id = $1`, [runId, attempts, error]);
  },

  /** Keeps the run requested and due again after `delaySeconds`. */
  async retryLaunchIn(q: Queryable, runId: string, attempts: number, error: string, delaySeconds: number): Promise<void> {
    await q.query(
      `UPDATE retrain_run SET attempts = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4), updated_at = now() WHERE run_id = $1`,
      [runId, attempts, error, delaySeconds],
    );
  },

  /** Marks running runs past their timeout `timed_out`; returns them. */
  async timeOutOverdue(q: Queryable): Promise<{ run_id: string; timeout_seconds: number }[]> {
    return queryRows<{ run_id: string; timeout_seconds: number }>(
      q,
      `UPDATE retrain_run SET state = 'timed_out', finished_at = now(), updated_at = now(),
              last_error = 'no final status within ' || timeout_seconds || ' s'
        WHERE state = 'running' AND started_at < now() - make_interval(secs => timeout_seconds) RETURNING run_id, timeout_seconds`,
    );
  },

  /** Up to 100 running runs the platform knows by id, least recently updated first. */
  async runningOnPlatform(q: Queryable): Promise<{ run_id: string; external_id: string }[]> {
    return queryRows<{ run_id: string; external_id: string }>(
      q,
      `SELECT run_id, external_id FROM retrain_run WHERE state = 'running' AND external_id IS NOT NULL ORDER BY updated_at LIMIT 100`,
    );
  },

  /** Finishes a still-running run as the platform reported it; false when it was reported meanwhile. */
  async finishPolled(q: Queryable, runId: string, state: string, error: string | null): Promise<boolean> {
    const rows = await queryRows<{ run_id: string }>(
      q,
      `UPDATE retrain_run SET state = $2, last_error = $3, finished_at = now(), updated_at = now() WHERE run_id = $1 AND state = 'running' RETURNING run_id`,
      [runId, state, error],
    );
    return rows.length > 0;
  },

  /** An evaluated candidate means its run succeeded, if no final state was reported. */
  async markEvaluated(q: Queryable, runId: string): Promise<void> {
    await q.query(
      `UPDATE retrain_run SET state = 'succeeded', finished_at = now(), updated_at = now() WHERE run_id = $1 AND state IN ('requested', 'running')`,
      [runId],
    );
  },
};
