import type { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { createTestDatabase } from './database';
import { startGroupsAt } from './group-offsets';
import { testKafka, testProducer } from './kafka-helpers';
import { ServiceProcess, startService } from './service-process';

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/**
 * What an e2e spec sets up around the services it tests: fresh databases, the test broker,
 * services as processes, producers and pg clients. Everything made through the rig is undone
 * by `close()` (services sent SIGTERM together, then clients closed and databases dropped), so
 * a spec's `afterAll` is one line and nothing outlives a failed `beforeAll`.
 */
export class E2eRig {
  readonly kafka: Kafka = testKafka();
  private readonly undo: (() => Promise<unknown>)[] = [];
  private readonly services: ServiceProcess[] = [];

  /** A fresh database on the test server, dropped on close. */
  async database(prefix: string): Promise<TestDatabase> {
    const db = await createTestDatabase(prefix);
    this.undo.push(() => db.drop());
    return db;
  }

  /** A connected pg client on `url`, ended on close. */
  async pg(url: string): Promise<Client> {
    const pg = new Client({ connectionString: url });
    await pg.connect();
    this.undo.push(() => pg.end());
    return pg;
  }

  /** A connected producer on the test broker, disconnected on close. */
  async producer(): Promise<Producer> {
    const p = await testProducer(this.kafka);
    this.undo.push(() => p.disconnect());
    return p;
  }

  /** Starts (or restarts) `services/<name>` as a process; SIGTERM on close if still running. */
  service(name: string, env: Record<string, string>): ServiceProcess {
    const proc = startService(name, env);
    this.services.push(proc);
    return proc;
  }

  /**
   * Commits each group's offsets at its topics' current end, so services started afterwards
   * see only what this test sends, not what earlier runs (and benchmarks) left on the topics.
   */
  startAtEnd(groups: Record<string, string[]>): Promise<void> {
    return startGroupsAt(
      this.kafka,
      Object.entries(groups).map(([groupId, topics]) => ({ groupId, topics })),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.services.splice(0).map((s) => s.kill('SIGTERM')));
    for (const step of this.undo.splice(0).reverse()) await step().catch(() => undefined);
  }
}
