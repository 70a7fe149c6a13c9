import type { Client, QueryResult } from 'pg';

// The bench's SQL. The baseline's statements are those of the least a PostgreSQL queue can do
// per task: keep them as they are, or the figures stop being comparable with earlier runs. Each
// function hands back the driver's promise, so the timed loop awaits exactly what it did inline.

/** Either queue the bench compares: annotation-dispatch's `annotation_dispatch.annotation_task`, or its bare copy. */
export const taskQueues = {
  /** Inserts `tasks` pending tasks of `projectId` (priorities 0..4), each carrying `request`. */
  insertPending(pg: Client, table: string, projectId: string, request: Buffer, tasks: number): Promise<QueryResult> {
    return pg.query(
      `INSERT INTO ${table} (task_id, task_key, item_id, project_id, state, priority, required_answers, guideline_version, request)
     SELECT gen_random_uuid()::text, 'item-' || g || '#1', 'item-' || g, $1, 'pending', (g % 5), 1, 'v1', $2 FROM generate_series(1, $3) g`,
      [projectId, request, tasks],
    );
  },

  analyze(pg: Client, table: string): Promise<QueryResult> {
    return pg.query(`ANALYZE ${table}`);
  },

  async countPending(pg: Client, table: string): Promise<number> {
    return Number((await pg.query<{ count: string }>(`SELECT count(*) FROM ${table} WHERE state = 'pending'`)).rows[0].count);
  },
};

/** `bench_baseline`: a copy of the service's task table (same queue index) served by bare connections. */
export const bareQueue = {
  /** Creates the table like `annotation_dispatch.annotation_task`, with its key and queue index. */
  async create(pg: Client): Promise<void> {
    await pg.query(`CREATE TABLE bench_baseline (LIKE annotation_dispatch.annotation_task INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await pg.query(`ALTER TABLE bench_baseline ADD PRIMARY KEY (task_id)`);
    await pg.query(`CREATE INDEX bench_baseline_queue ON bench_baseline (project_id, priority DESC, created_at) WHERE state IN ('pending','leased')`);
  },

  begin(c: Client): Promise<QueryResult> {
    return c.query('BEGIN');
  },

  /** Locks the next pending task of the project (highest priority, oldest first), skipping locked ones. */
  nextPending(c: Client, projectId: string): Promise<QueryResult<{ task_id: string }>> {
    return c.query<{ task_id: string }>(
      `SELECT task_id FROM bench_baseline WHERE project_id = $1 AND state = 'pending' ORDER BY priority DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [projectId],
    );
  },

  lease(c: Client, taskId: string, annotatorId: string): Promise<QueryResult> {
    return c.query(`UPDATE bench_baseline SET state = 'leased', annotator_id = $2, lease_expires_at = now() + interval '5 minutes' WHERE task_id = $1`, [
      taskId,
      annotatorId,
    ]);
  },

  commit(c: Client): Promise<QueryResult> {
    return c.query('COMMIT');
  },

  submit(c: Client, taskId: string): Promise<QueryResult> {
    return c.query(`UPDATE bench_baseline SET state = 'submitted' WHERE task_id = $1`, [taskId]);
  },
};
