/** Anything that runs SQL the way TypeORM's EntityManager / DataSource do. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Runs SQL and returns its rows. TypeORM's postgres driver returns `[rows, rowCount]` for
 * UPDATE and DELETE (also with RETURNING) but plain rows for SELECT and INSERT; this hides
 * that difference so `UPDATE ... RETURNING` reads like any other query.
 */
export async function queryRows<T>(q: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await q.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
