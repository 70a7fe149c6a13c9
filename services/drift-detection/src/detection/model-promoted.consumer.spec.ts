/**
 * Which reference a promoted model starts with, for each answer the dataset registry can give.
 * The registry is a stand-in object here (its real gRPC path is covered end to end in
 * test/e2e/drift-reference.e2e-spec.ts); what is checked is the consumer's decision.
 */
import { create } from '@bufbuild/protobuf';
import type { LoggerService } from '@nestjs/common';
import { DriftConfigSchema, ModelPromotedSchema, PromotionReference } from '@labelloop/contracts';
import { RpcError, status } from '@labelloop/rpc';
import type { DriftConfig as EnvConfig } from '../drift.config';
import { resolveConfig } from './drift-config';
import { ModelPromotedConsumer } from './model-promoted.consumer';
import type { DetectorState } from './detector';
import type { DatasetReference, DatasetSelector, RegistryReader } from './registry-reader';
import type { Snap } from './snapshot';
import type { StateRepository } from './state.repository';

const defaults = { referenceSize: 100, windowSize: 100, alpha: 0.01, resolveAfter: 2 };
/** A model that asks for its training data as the reference after a promotion. */
const cfg = resolveConfig(create(DriftConfigSchema, { promotionReference: PromotionReference.TRAINING_DATA }), defaults);
const promoted = create(ModelPromotedSchema, { modelId: 'm', modelVersion: '7', datasetVersionId: 'v-abc' });
/** The promoted version's first events will form its reference. */
const firstEventsOf = (st: DetectorState) => ({ version: st.version, reference: st.reference.length, pinned: st.pinned ?? false });
const snaps = (n: number): Snap[] => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, t: 0, num: { x: i }, cat: {}, label: 'ham' }));

function consumer(answer: () => Promise<DatasetReference>, waitSeconds = 120) {
  const asked: DatasetSelector[] = [];
  const warnings: string[] = [];
  const registry = {
    configured: true,
    reference: (sel: DatasetSelector) => {
      asked.push(sel);
      return answer();
    },
  } as unknown as RegistryReader;
  const logger = { warn: (m: { msg: string }) => warnings.push(m.msg) } as unknown as LoggerService;
  const env = { DRIFT_PROMOTION_REGISTRY_WAIT_SECONDS: waitSeconds } as EnvConfig;
  return { c: new ModelPromotedConsumer({} as StateRepository, registry, logger, env), asked, warnings };
}

describe("a promoted model's reference", () => {
  it('is the training split of the version the promotion names, up to the reference size', async () => {
    const { c, asked, warnings } = consumer(async () => ({ snaps: snaps(100), withoutFeatures: 3 }));
    const st = await c.startState('ev1', promoted, cfg);
    expect(asked).toEqual([{ datasetId: '', versionId: 'v-abc', split: 'train', maxItems: 100 }]);
    expect(st).toMatchObject({ version: '7', pinned: true, source: 'dataset version v-abc (split train)', window: [] });
    expect(st.reference).toHaveLength(100);
    expect(warnings).toEqual([]);
  });

  it('is the first events by default (a training split chosen by active learning is no sample of production), when asked, or without a dataset version', async () => {
    const { c, asked } = consumer(async () => ({ snaps: snaps(100), withoutFeatures: 0 }));
    const byDefault = resolveConfig(undefined, defaults);
    const asks = resolveConfig(create(DriftConfigSchema, { promotionReference: PromotionReference.FIRST_EVENTS }), defaults);
    expect(firstEventsOf(await c.startState('ev0', promoted, byDefault))).toEqual({ version: '7', reference: 0, pinned: false });
    expect(firstEventsOf(await c.startState('ev1', promoted, asks))).toEqual({ version: '7', reference: 0, pinned: false });
    expect(firstEventsOf(await c.startState('ev2', create(ModelPromotedSchema, { modelId: 'm', modelVersion: '8' }), cfg))).toEqual({
      version: '8',
      reference: 0,
      pinned: false,
    });
    expect(asked).toEqual([]);
  });

  it('is the first events, with a warning, when the version has fewer than 20 items with inputs', async () => {
    const { c, warnings } = consumer(async () => ({ snaps: snaps(19), withoutFeatures: 40 }));
    expect(firstEventsOf(await c.startState('ev1', promoted, cfg))).toEqual({ version: '7', reference: 0, pinned: false });
    expect(warnings).toEqual(["training data has 19 items with inputs (40 without), fewer than 20: the promoted model's first events form its reference"]);
  });

  it('is the first events, with a warning, when the registry refuses (a configuration problem)', async () => {
    const { c, warnings } = consumer(async () =>
      Promise.reject(new RpcError(status.FAILED_PRECONDITION, 'dataset registry: bad token (check REGISTRY_GRPC_TOKEN)')),
    );
    expect(firstEventsOf(await c.startState('ev1', promoted, cfg))).toEqual({ version: '7', reference: 0, pinned: false });
    expect(warnings).toHaveLength(1);
  });

  it('waits while the registry is unreachable: the promotion fails (and is retried) until it answers', async () => {
    let up = false;
    const { c } = consumer(async () =>
      up ? { snaps: snaps(50), withoutFeatures: 0 } : Promise.reject(new RpcError(status.UNAVAILABLE, 'dataset registry: connection refused')),
    );
    await expect(c.startState('ev1', promoted, cfg)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await expect(c.startState('ev1', promoted, cfg)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    up = true;
    expect(await c.startState('ev1', promoted, cfg)).toMatchObject({ pinned: true, source: 'dataset version v-abc (split train)' });
  });

  it('stops waiting after DRIFT_PROMOTION_REGISTRY_WAIT_SECONDS and takes the first events, with a warning', async () => {
    const { c, warnings } = consumer(async () => Promise.reject(new RpcError(status.UNAVAILABLE, 'dataset registry: connection refused')), 0);
    expect(firstEventsOf(await c.startState('ev1', promoted, cfg))).toEqual({ version: '7', reference: 0, pinned: false });
    expect(warnings).toEqual(["training data unusable as drift reference: the promoted model's first events form it"]);
  });
});
