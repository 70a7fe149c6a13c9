import { appendAudit, EntityManager, Queryable } from '@labelloop/persistence';
import type { DispatchConfig } from '../dispatch.config';
import { LabelSchemaRow, labelSchemas } from '../repositories/label-schema.repository';
import type { ProjectLabelSchema } from './label-schema';
import { sameSchema } from './schema-spec';

/** A project's schema at one version (0 = the deployment default, nothing stored). */
export interface VersionedSchema {
  version: number;
  schema: ProjectLabelSchema;
  row?: LabelSchemaRow;
}

/**
 * Project label schemas: the stored versions (`label_schema`), and the deployment's default
 * (classification over DISPATCH_LABEL_CLASSES) for a project that has stored none, version 0.
 * A stored version never changes, so versions read once are kept in memory.
 */
export class LabelSchemaStore {
  private readonly cache = new Map<string, ProjectLabelSchema>();

  constructor(private readonly config: Pick<DispatchConfig, 'DISPATCH_LABEL_CLASSES' | 'DISPATCH_MULTI_LABEL'>) {}

  /** The schema of projects that stored none. */
  get defaultSchema(): ProjectLabelSchema {
    return { kind: 'classification', classes: this.config.DISPATCH_LABEL_CLASSES, multiLabel: this.config.DISPATCH_MULTI_LABEL };
  }

  /** The schema a task created under `version` is checked against. */
  async of(q: Queryable, projectId: string, version: number): Promise<ProjectLabelSchema> {
    if (version === 0) return this.defaultSchema;
    const key = `${projectId}\u0000${version}`;
    const known = this.cache.get(key);
    if (known) return known;
    const row = await labelSchemas.get(q, projectId, version);
    if (!row) throw new Error(`label schema ${projectId} v${version} is missing`);
    this.cache.set(key, row.schema);
    return row.schema;
  }

  /** The project's latest schema (version 0, the default, when it stored none). */
  async latest(q: Queryable, projectId: string): Promise<VersionedSchema> {
    const row = await labelSchemas.get(q, projectId);
    return row ? { version: row.version, schema: row.schema, row } : { version: 0, schema: this.defaultSchema };
  }

  /** The version asked for (0 = the latest), or undefined when that version does not exist. */
  async get(q: Queryable, projectId: string, version = 0): Promise<VersionedSchema | undefined> {
    const row = await labelSchemas.get(q, projectId, version);
    if (row) return { version: row.version, schema: row.schema, row };
    return version === 0 ? { version: 0, schema: this.defaultSchema } : undefined;
  }

  /**
   * Stores `schema` as the project's next version with its audit entry (`label.schema.created`),
   * in the caller's transaction. When the latest version holds the same schema already, nothing
   * is written and that version is returned (`created: false`): a retried call adds no version.
   */
  async put(em: EntityManager, projectId: string, schema: ProjectLabelSchema, actor: string): Promise<{ row: LabelSchemaRow; created: boolean }> {
    await labelSchemas.lockProject(em, projectId);
    const latest = await labelSchemas.get(em, projectId);
    if (latest && sameSchema(latest.schema, schema)) return { row: latest, created: false };
    const row = await labelSchemas.insertNext(em, projectId, schema, actor);
    await appendAudit(em, {
      actor,
      action: 'label.schema.created',
      subject: `${projectId}/v${row.version}`,
      detail: { projectId, version: row.version, previousVersion: latest?.version ?? 0, schema },
    });
    return { row, created: true };
  }
}
