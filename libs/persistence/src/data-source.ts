import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { CreateMessagingTables1732320000000 } from './messaging-tables.migration';
import { CreateAuditLog1732325000000 } from './audit-log.migration';
import { CreateCompactInbox1732600000000 } from './inbox-chunk.migration';
import { GuardAuditLog1732700000000 } from './audit-log-guard.migration';
import { OutboxParkedRows1733310000000 } from './outbox-parking.migration';

/** How a service connects to its own PostgreSQL schema. */
export interface ServiceDataSourceOptions {
  /** postgres:// URL. */
  url: string;
  /** The service's own schema (e.g. `sampling`); every table of the service lives there. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  /** The service's migration classes, run after the shared messaging tables. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: Function[];
  /** Pool size; a consumer, a relay and the RPC handlers share it. */
  poolSize?: number;
  applicationName?: string;
}

/**
 * A TypeORM DataSource bound to one service schema. `synchronize` is off: the schema is
 * owned by migrations, which always include the shared inbox/outbox tables.
 */
export function createServiceDataSource(opts: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: opts.entities ?? [],
    migrations: [
      CreateMessagingTables1732320000000,
      CreateAuditLog1732325000000,
      CreateCompactInbox1732600000000,
      GuardAuditLog1732700000000,
      OutboxParkedRows1733310000000,
      ...(opts.migrations ?? []),
    ],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: opts.applicationName ?? opts.schema,
    extra: { max: opts.poolSize ?? 10, options: `-c search_path=${opts.schema},public` },
  });
}

/** Creates the schema if needed and applies pending migrations. Safe to run concurrently. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const schema = (ds.options as { schema?: string }).schema ?? 'public';
  // Two replicas starting together must not race on the same migration.
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('SELECT pg_advisory_lock(hashtext($1))', [`labelloop.migrate.${schema}`]);
    await qr.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await qr.query('SELECT pg_advisory_unlock(hashtext($1))', [`labelloop.migrate.${schema}`]).catch(() => undefined);
    await qr.release();
  }
}
