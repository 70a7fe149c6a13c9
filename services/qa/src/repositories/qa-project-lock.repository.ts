import { EntityManager } from '@labelloop/persistence';

/** Namespace (first key) of the QA service's advisory locks. */
const QA_PROJECT_LOCK = 0x5141; // "QA"

/** Transaction-scoped advisory locks, one per project (no table: PostgreSQL's lock manager). */
export const qaProjectLocks = {
  /** Waits for the project's lock; it is released when the transaction ends. */
  async take(em: EntityManager, projectId: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [QA_PROJECT_LOCK, projectId]);
  },
};
