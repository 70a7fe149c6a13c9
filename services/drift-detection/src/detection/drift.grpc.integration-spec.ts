/**
 * DriftService on two replicas over one real PostgreSQL schema: a configuration change made
 * through one replica is used by the other within the config cache's TTL, and every config and
 * reference change leaves an audit entry that carries what changed.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { DriftConfigSchema, PredictionEventSchema } from '@labelloop/contracts';
import { CONFIG_CACHE_TTL_MS, createServiceDataSource, DataSource, migrate, readChain, verifyChain } from '@labelloop/persistence';
import type { RpcContext } from '@labelloop/rpc';
import { driftConfigSchema } from '../drift.config';
import { migrations } from '../migrations';
import { DriftGrpc } from './drift.grpc';
import { RegistryReader } from './registry-reader';
import { StateRepository } from './state.repository';
import { WindowStatsRepository } from './window-stats.repository';

const dbUrl = process.env.DATABASE_URL ?? '';

describe('DriftService on two replicas (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `drifttest_grpc_${run}`;
  const model = `m-${run}`;
  const env = driftConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl });
  const sources: DataSource[] = [];
  let a: DriftGrpc;
  let b: DriftGrpc;
  const ctx = {
    principal: { subject: 'ops-alice', roles: ['admin'], projects: ['*'] },
    path: '',
    metadata: new grpc.Metadata(),
    signal: new AbortController().signal,
  } as RpcContext;

  const replica = async (): Promise<DriftGrpc> => {
    const ds = createServiceDataSource({ url: dbUrl, schema, migrations });
    await ds.initialize();
    await migrate(ds);
    sources.push(ds);
    return new DriftGrpc(ds, new StateRepository(env), new RegistryReader(env), new WindowStatsRepository(env));
  };

  beforeAll(async () => {
    a = await replica();
    b = await replica();
  });
  afterAll(async () => {
    await sources[0]?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    for (const ds of sources) await ds.destroy();
  });

  const audit = async () => (await readChain(sources[0], schema)).filter((e) => e.action.startsWith('drift.'));

  it('uses a config changed through the other replica within the cache TTL', async () => {
    // Replica B reads (and caches) the defaults.
    expect((await b.getDriftConfig({ modelId: model } as never, ctx)).config?.windowSize).toBe(500);
    await a.upsertDriftConfig({ config: create(DriftConfigSchema, { modelId: model, windowSize: 40 }) } as never, ctx);
    const changedAt = Date.now();
    let seen = 0;
    while (Date.now() - changedAt < CONFIG_CACHE_TTL_MS + 3000) {
      seen = (await b.getDriftConfig({ modelId: model } as never, ctx)).config?.windowSize ?? 0;
      if (seen === 40) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // B cached before the change, so its entry expires less than a TTL after it; the slack is
    // for the polling and a loaded machine.
    expect({ seen, withinTtl: Date.now() - changedAt <= CONFIG_CACHE_TTL_MS + 1500 }).toEqual({ seen: 40, withinTtl: true });
  });

  it('audits config and reference changes with their content', async () => {
    await a.upsertDriftConfig({ config: create(DriftConfigSchema, { modelId: model, windowSize: 60, alpha: 0.02 }) } as never, ctx);
    const predictions = Array.from({ length: 20 }, (_, i) =>
      create(PredictionEventSchema, {
        eventId: `ref-${run}-${i}`,
        modelId: model,
        modelVersion: '3',
        contentHash: `h-${i}`,
        predictedLabel: 'spam',
        confidence: 0.9,
        numericFeatures: { length: i },
      }),
    );
    await b.setReference({ modelId: model, modelVersion: '3', predictions } as never, ctx);
    await a.resetReference({ modelId: model } as never, ctx);

    const entries = await audit();
    expect(entries.map((e) => [e.actor, e.action, e.subject])).toEqual([
      ['ops-alice', 'drift.config.updated', model],
      ['ops-alice', 'drift.config.updated', model],
      ['ops-alice', 'drift.reference.set', model],
      ['ops-alice', 'drift.reference.reset', model],
    ]);
    expect(entries[1].detail).toMatchObject({ config: { windowSize: 60, alpha: 0.02, referenceSize: 500 } });
    expect(entries[2].detail).toMatchObject({
      modelVersion: '3',
      source: 'uploaded (20 predictions)',
      events: 20,
      eventIds: predictions.map((p) => p.eventId),
    });
    expect(entries[2].detail.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entries[3].detail).toMatchObject({ modelVersion: '3', previousReferenceSize: 20 });
    expect(verifyChain(await readChain(sources[0], schema))).toMatchObject({ ok: true });
  });
});
