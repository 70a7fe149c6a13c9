import { Inject, Injectable } from '@nestjs/common';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { QaPolicy as QaPolicyMessage, QaPolicySchema } from '@labelloop/contracts';
import { EntityManager, TtlCache } from '@labelloop/persistence';
import { CONFIG } from '@labelloop/runtime';
import type { QaConfig } from '../qa.config';
import { defaultPolicy, ProjectPolicy, resolveQaPolicy } from './policy';

/**
 * QA policies per project, stored in PostgreSQL with a version that grows on every change.
 * Resolved policies are cached for a few seconds: a change made through the API reaches every
 * replica within that time, and the version on each accepted label says which one applied.
 */
@Injectable()
export class QaPolicyRepository {
  private readonly cache = new TtlCache<ProjectPolicy>();
  readonly defaults: ProjectPolicy;

  constructor(@Inject(CONFIG) config: QaConfig) {
    this.defaults = defaultPolicy(config);
  }

  async get(em: EntityManager, projectId: string): Promise<ProjectPolicy> {
    return this.cache.get(projectId, async () => {
      const [row]: { policy: Buffer; version: number }[] = await em.query('SELECT policy, version FROM qa_project_policy WHERE project_id = $1', [projectId]);
      return row ? resolveQaPolicy(fromBinary(QaPolicySchema, row.policy), this.defaults, `${projectId}/v${row.version}`) : this.defaults;
    });
  }

  /** Stores a validated policy as the project's next version; returns it resolved, with its version number. */
  async put(em: EntityManager, p: QaPolicyMessage): Promise<{ policy: ProjectPolicy; version: number }> {
    resolveQaPolicy(p, this.defaults, ''); // validate before writing
    const [{ version }]: { version: number }[] = await em.query(
      `INSERT INTO qa_project_policy (project_id, policy, version) VALUES ($1, $2, 1)
       ON CONFLICT (project_id) DO UPDATE SET policy = EXCLUDED.policy, version = qa_project_policy.version + 1, updated_at = now()
       RETURNING version`,
      [p.projectId, Buffer.from(toBinary(QaPolicySchema, p))],
    );
    this.cache.delete(p.projectId);
    return { policy: resolveQaPolicy(p, this.defaults, `${p.projectId}/v${version}`), version };
  }

  /** The stored version number of a project's policy (0: none, the defaults apply). */
  async version(em: EntityManager, projectId: string): Promise<number> {
    const [row]: { version: number }[] = await em.query('SELECT version FROM qa_project_policy WHERE project_id = $1', [projectId]);
    return row?.version ?? 0;
  }
}
