import { Queryable, queryRows } from '@labelloop/persistence';
import type { ProjectLabelSchema } from '../labels/label-schema';

/** A stored version of a project's label schema. */
export interface LabelSchemaRow {
  project_id: string;
  version: number;
  schema: ProjectLabelSchema;
  created_at: Date;
  created_by: string;
}

/** SQL: the latest schema version of the project in column `col` (0 when it has none). */
export const latestSchemaVersion = (col: string): string => `COALESCE((SELECT max(s.version) FROM label_schema s WHERE s.project_id = ${col}), 0)`;

/** `label_schema`: every version of every project's label schema (rows are never changed). */
export const labelSchemas = {
  /** The version asked for, or the latest when `version` is 0; undefined when there is none. */
  async get(q: Queryable, projectId: string, version = 0): Promise<LabelSchemaRow | undefined> {
    const [row] = await queryRows<LabelSchemaRow>(
      q,
      `SELECT project_id, version, schema, created_at, created_by FROM label_schema
        WHERE project_id = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1`,
      [projectId, version],
    );
    return row;
  },

  /**
   * Serialises schema writes of the project until the transaction ends, so two admins storing at
   * once get versions n+1 and n+2, not a key conflict.
   */
  async lockProject(q: Queryable, projectId: string): Promise<void> {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('label_schema:' || $1))`, [projectId]);
  },

  /** Stores the schema as the project's next version; returns the row. */
  async insertNext(q: Queryable, projectId: string, schema: ProjectLabelSchema, createdBy: string): Promise<LabelSchemaRow> {
    const [row] = await queryRows<LabelSchemaRow>(
      q,
      `INSERT INTO label_schema (project_id, version, task_type, schema, created_by)
       VALUES ($1, ${latestSchemaVersion('$1')} + 1, $2, $3, $4)
       RETURNING project_id, version, schema, created_at, created_by`,
      [projectId, schema.kind, JSON.stringify(schema), createdBy],
    );
    return row;
  },
};
