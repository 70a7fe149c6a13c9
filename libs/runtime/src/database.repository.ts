import type { DataSource } from 'typeorm';

/** The database as a whole (no table): what readiness asks of it. */
export const database = {
  /** Resolves when the database answers a trivial statement; rejects when it cannot be reached. */
  ping(ds: DataSource): Promise<unknown> {
    return ds.query('SELECT 1');
  },
};
