import type { DataSource } from 'typeorm';

/**
 * The inbox pruner's one statement, over any table of ids that recognise a repeat (`inbox`,
 * `inbox_chunk` and a service's own): the tables are named by their owners, this only deletes
 * their expired rows.
 */
export const prunedTables = {
  /** Deletes up to `batch` rows of `table` whose `column` is older than `retentionHours`; returns how many. */
  async deleteExpired(ds: DataSource, table: string, column: string, retentionHours: number, batch: number): Promise<number> {
    const [, count]: [unknown, number] = await ds.query(
      `DELETE FROM ${table} WHERE ctid IN (
           SELECT ctid FROM ${table} WHERE ${column} < now() - make_interval(hours => $1) LIMIT $2)`,
      [retentionHours, batch],
    );
    return count;
  },
};
