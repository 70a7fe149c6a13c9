/**
 * Audit-log heads published to the real Kafka broker (through the outbox and its relay) catch
 * what a chain alone cannot: a superuser's rewrite of an entry with every later hash recomputed.
 */
import { randomUUID } from 'node:crypto';
import { createKafka, Outbox, OutboxRelay } from '@labelloop/messaging';
import { appendAudit, createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { auditVerify, createTestDatabase, rewriteAuditChain } from '@labelloop/testing';
import { AuditHeadPublisher } from './audit-head-publisher';

describe('audit-log heads on Kafka (real Kafka + PostgreSQL)', () => {
  // The topic is shared by every test and service on the broker: a schema of its own.
  const schema = `audithead_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('audithead');
    ds = createServiceDataSource({ url: db.url, schema });
    await ds.initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** `n` entries in one transaction: the publisher sees all of them or none. */
  const append = (n: number) =>
    ds.transaction(async (em) => {
      for (let i = 0; i < n; i++) await appendAudit(em, { actor: 'admin', action: 'qa.policy.updated', subject: 'p1', detail: { i } });
    });
  const outboxRows = async () => Number((await ds.query('SELECT count(*) AS n FROM outbox'))[0].n);
  const until = async (cond: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 100));
  };

  it('publishes the head when it changes, and a rewrite with recomputed successors fails against the published heads', async () => {
    await append(4);
    const publisher = new AuditHeadPublisher({ dataSource: ds, outbox: new Outbox('labelloop/test'), schema, intervalMs: 100 });
    publisher.start();
    await until(async () => (await outboxRows()) === 1);
    await append(2);
    await until(async () => (await outboxRows()) === 2);
    await new Promise((r) => setTimeout(r, 300)); // unchanged: nothing more
    await publisher.stop();
    expect(await outboxRows()).toBe(2);

    const relay = new OutboxRelay({
      dataSource: ds,
      kafka: createKafka('audit-head-test', { KAFKA_BROKERS: (process.env.KAFKA_BROKERS ?? '').split(','), KAFKA_SSL: false }),
      lockName: `test.${schema}`,
      batchSize: 10,
      pollMs: 50,
    });
    await relay.start();
    await until(async () => (await outboxRows()) === 0);
    await relay.stop();
    expect(await outboxRows()).toBe(0);

    expect(auditVerify(db.url, schema, '--heads-from-kafka')).toMatchObject({
      code: 0,
      out: expect.stringContaining(`${schema}: ok, 7 entries, matches 2 recorded heads;`),
    });
    await rewriteAuditChain(ds, schema, 3, { i: 'edited' });
    expect(auditVerify(db.url, schema)).toMatchObject({ code: 0 }); // consistent in itself
    expect(auditVerify(db.url, schema, '--heads-from-kafka')).toEqual({
      code: 1,
      out: expect.stringMatching(
        new RegExp(
          `^${schema}: BROKEN at entry 5: entry 5 has hash [0-9a-f]{12}…, a recorded head \\(published .*labelloop\\.audit\\.head\\.v1 offset .*\\) says [0-9a-f]{12}…: the chain was rewritten at or before entry 5\\n$`,
        ),
      ),
    });
  });
});
