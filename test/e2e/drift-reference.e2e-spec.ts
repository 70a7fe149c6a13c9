/**
 * A drift reference taken from a dataset version: dataset-registry and drift-detection as
 * processes on the real broker and database, drift detection reading the version's items
 * (their labels and the model inputs they were predicted on) over gRPC from the registry.
 *
 * Accepted labels with features (and some without, as labeled before features were carried)
 * become a version; SetReferenceFromDataset pins the model's reference to it; predictions
 * drawn like the dataset leave a window clean, shifted ones raise DriftDetected. Bad requests
 * (missing fields, an unknown version, a bad split, a registry that refuses the token, too few
 * items, a registry that is down) get a clear status and change nothing.
 *
 * A promoted model's reference is its training split's inputs (read the same way), so a drift
 * that began before the promotion is still seen; a model configured for first events is not
 * (shown side by side). A promotion while the registry is down waits for it.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  DatasetRegistryService,
  DriftDetectedSchema,
  DriftService,
  LabelAcceptedSchema,
  ModelPromotedSchema,
  PredictionEventSchema,
  PromotionReference,
  Topics,
  WindowKind,
} from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { awaitEvent, E2eRig, eventRecord, eventually, freePort, ServiceProcess } from '@labelloop/testing';

describe('drift reference from a dataset version', () => {
  const run = randomUUID().slice(0, 8);
  const project = `ref-${run}`;
  const model = `ref-model-${run}`;
  const rig = new E2eRig();
  const kafka = rig.kafka;
  const token = `svc-${run}`;
  const WITH = 160;
  const WITHOUT = 30;
  let registry: ServiceProcess;
  let drift: ServiceProcess;
  let driftEnv: Record<string, string>;
  let registryEnv: Record<string, string>;

  const frac = (i: number) => Math.abs((Math.sin(i * 12.9898) * 43758.5453) % 1);
  const features = (i: number, shift = 0) => ({
    numeric: { length: shift + 10 * frac(i) },
    categorical: { region: ['eu', 'us'][i % 2] },
    embedding: [frac(i + 1), frac(i + 2), frac(i + 5)],
  });
  const labelOf = (i: number) => (frac(i + 7) < 0.3 ? 'spam' : 'ham');

  beforeAll(async () => {
    const regDb = await rig.database('refreg');
    const driftDb = await rig.database('refdrift');
    const auth = JSON.stringify([
      { token, subject: 'ops', roles: ['service', 'admin'], projects: ['*'] },
      { token: `other-${run}`, subject: 'other-team', roles: ['admin'], projects: ['another-project'] },
    ]);
    // Start both groups at the topics' end: earlier runs' events are not part of this test.
    await rig.startAtEnd({
      [`refreg-${run}`]: [Topics.labelAccepted, Topics.modelPromoted],
      [`refdrift-${run}`]: [Topics.predictionRecorded, Topics.modelPromoted],
    });
    // A fixed port: the registry is restarted at the same address drift detection knows.
    registryEnv = {
      DATABASE_URL: regDb.url,
      KAFKA_GROUP_ID: `refreg-${run}`,
      AUTH_TOKENS: auth,
      REGISTRY_CUT_EVERY: '100000',
      REGISTRY_EXPORT_DIR: `/tmp/labelloop-e2e-ref-${run}`,
      GRPC_PORT: String(await freePort()),
    };
    registry = rig.service('dataset-registry', registryEnv);
    const { grpcPort } = await registry.ready;
    driftEnv = {
      DATABASE_URL: driftDb.url,
      KAFKA_GROUP_ID: `refdrift-${run}`,
      AUTH_TOKENS: auth,
      REGISTRY_GRPC_ADDRESS: `127.0.0.1:${grpcPort}`,
      REGISTRY_GRPC_TOKEN: token,
      CONSUMER_TX_BATCH: '50',
    };
    drift = rig.service('drift-detection', driftEnv);
    await drift.ready;
  });

  afterAll(() => rig.close());

  it('pins the reference to a version, then alerts only on predictions unlike it', async () => {
    // Labeled items: WITH carry the inputs they were predicted on, WITHOUT carry none.
    const producer = await rig.producer();
    const accepted = (i: number, withFeatures: boolean, projectId = project) =>
      eventRecord(
        LabelAcceptedSchema,
        {
          itemId: `${run}-item-${i}`,
          projectId,
          label: { value: { case: 'classification', value: { classes: [labelOf(i)] } } },
          confidence: 0.95,
          agreement: 1,
          modelId: model,
          modelVersion: '1',
          sourceEventId: `${run}-src-${i}`,
          inputUri: `corpus://${run}/${i}`,
          contentHash: `sha256:${run}-${i}`,
          acceptedAt: timestampFromDate(new Date()),
          ...(withFeatures ? { features: features(i) } : {}),
        },
        { key: `${run}-item-${i}` },
      );
    await producer.send({ topic: Topics.labelAccepted, messages: Array.from({ length: WITH + WITHOUT }, (_, i) => accepted(i, i < WITH)) });
    // A second, small dataset: too few items for a reference.
    await producer.send({ topic: Topics.labelAccepted, messages: Array.from({ length: 10 }, (_, i) => accepted(500 + i, true, `${project}-small`)) });

    const cutAll = async (datasetId: string, items: number) =>
      eventually(
        async () => {
          const c = await reg.cutVersion({ datasetId });
          return c.version?.version?.itemCount === BigInt(items) ? c.version.version.versionId : undefined;
        },
        `a version of ${datasetId} holding every accepted item`,
        60_000,
        1_000,
      );
    const reg = createGrpcClient(DatasetRegistryService, `127.0.0.1:${(await registry.ready).grpcPort}`, { token });
    const versionId = await cutAll(project, WITH + WITHOUT);
    const smallVersionId = await cutAll(`${project}-small`, 10);

    // The registry lists the version's items with their features, a page at a time.
    const listed = [];
    let pageToken = '';
    do {
      const page = await reg.listItems({ datasetId: project, versionId, pageSize: 50, pageToken });
      listed.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(listed).toHaveLength(WITH + WITHOUT);
    expect(new Set(listed.map((i) => i.itemId)).size).toBe(WITH + WITHOUT);
    const item7 = listed.find((i) => i.itemId === `${run}-item-7`);
    expect(item7).toMatchObject({ label: labelOf(7), contentHash: `sha256:${run}-7`, modelVersion: '1' });
    expect(item7?.features?.numeric.length).toBeCloseTo(features(7).numeric.length, 12);
    expect(item7?.features?.categorical).toEqual({ region: 'us' });
    expect(item7?.features?.embedding).toHaveLength(3);
    expect(listed.find((i) => i.itemId === `${run}-item-${WITH + 1}`)).toMatchObject({ label: labelOf(WITH + 1) });
    expect(listed.find((i) => i.itemId === `${run}-item-${WITH + 1}`)?.features).toBeUndefined();
    const train = await reg.listItems({ datasetId: project, versionId, split: 'train' });
    expect(train.items.length).toBeGreaterThan(0);
    expect(train.items.every((i) => i.split === 'train')).toBe(true);
    await expect(reg.listItems({ datasetId: project, versionId, pageSize: 5001 })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'page_size: is at most 5000',
    });
    reg.close();

    const d = createGrpcClient(DriftService, `127.0.0.1:${(await drift.ready).grpcPort}`, { token });
    await d.upsertDriftConfig({ config: { modelId: model, referenceSize: 100, windowSize: 100, windowKind: WindowKind.COUNT, alpha: 0.001 } });
    const base = { modelId: model, modelVersion: '1', datasetId: project, datasetVersionId: versionId };

    // Bad requests: a clear status naming the problem.
    await expect(d.setReferenceFromDataset({ ...base, datasetVersionId: '' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'dataset_version_id: is required',
    });
    // An admin of another project may not take this project's dataset as a reference.
    const other = createGrpcClient(DriftService, `127.0.0.1:${(await drift.ready).grpcPort}`, { token: `other-${run}` });
    await expect(other.setReferenceFromDataset(base)).rejects.toMatchObject({ code: status.PERMISSION_DENIED, details: `no access to project ${project}` });
    other.close();
    await expect(d.setReferenceFromDataset({ ...base, datasetVersionId: 'f'.repeat(64) })).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: expect.stringMatching(/^dataset registry: /),
    });
    await expect(d.setReferenceFromDataset({ ...base, split: 'holdout' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'dataset registry: split: must be one of train, validation, test',
    });
    await expect(d.setReferenceFromDataset({ ...base, datasetId: `${project}-small`, datasetVersionId: smallVersionId })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: `dataset ${project}-small version ${smallVersionId} has 10 items with features (0 without); a reference needs at least 20`,
    });
    // Nothing was pinned by the failed calls: the model has no state yet.
    await expect(d.getDriftStatus({ modelId: model })).rejects.toMatchObject({ code: status.NOT_FOUND });

    // A registry that refuses drift detection's token is a configuration problem, said so.
    await drift.kill('SIGTERM');
    drift = rig.service('drift-detection', { ...driftEnv, REGISTRY_GRPC_TOKEN: 'not-a-token' });
    const dBad = createGrpcClient(DriftService, `127.0.0.1:${(await drift.ready).grpcPort}`, { token });
    await expect(dBad.setReferenceFromDataset(base)).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: expect.stringMatching(/check REGISTRY_GRPC_TOKEN/),
    });
    dBad.close();
    d.close();
    await drift.kill('SIGTERM');
    drift = rig.service('drift-detection', driftEnv);
    const dr = createGrpcClient(DriftService, `127.0.0.1:${(await drift.ready).grpcPort}`, { token });

    // The reference: the model's reference size (100) of the version's items with features.
    const pinned = await dr.setReferenceFromDataset(base);
    expect(pinned.referenceSize).toBe(100n);
    expect(Number(pinned.itemsWithoutFeatures)).toBeLessThanOrEqual(WITHOUT);
    const again = await dr.setReferenceFromDataset(base);
    expect(again).toEqual(pinned); // the same sample every time (content-address order)
    expect((await dr.getDriftStatus({ modelId: model })).referenceSize).toBe(100n);

    // Predictions like the dataset: a window is tested and stays clean.
    const predOf = (modelId: string, modelVersion: string, i: number, shift: number) => {
      const f = features(i, shift);
      return eventRecord(
        PredictionEventSchema,
        {
          eventId: `${run}-${modelId}-p${i}`,
          modelId,
          modelVersion,
          contentHash: `sha256:${run}-p${i}`,
          predictedLabel: labelOf(i),
          confidence: 0.6 + 0.4 * frac(i + 3),
          numericFeatures: f.numeric,
          categoricalFeatures: f.categorical,
          embedding: f.embedding,
          timestamp: timestampFromDate(new Date()),
        },
        { key: modelId },
      );
    };
    const pred = (i: number, shift: number) => predOf(model, '1', i, shift);
    await producer.send({ topic: Topics.predictionRecorded, messages: Array.from({ length: 100 }, (_, i) => pred(1000 + i, 0)) });
    const clean = await eventually(
      async () => {
        const s = await dr.getDriftStatus({ modelId: model });
        return s.windowsTested >= 1n ? s : undefined;
      },
      'a window tested against the dataset reference',
      60_000,
      500,
    );
    expect(clean.drifting).toBe(false);
    expect(clean.referenceSize).toBe(100n); // a pinned reference is not replaced by the stream

    // Shifted inputs: DriftDetected, naming the shifted feature.
    await producer.send({ topic: Topics.predictionRecorded, messages: Array.from({ length: 100 }, (_, i) => pred(2000 + i, 4)) });
    await producer.disconnect();
    const alert = await awaitEvent(
      kafka,
      Topics.driftDetected,
      DriftDetectedSchema,
      (a) => a.modelId === model,
      'DriftDetected against the dataset reference',
      60_000,
    );
    expect(alert.features.filter((f) => f.drifted).map((f) => f.feature)).toEqual(['num.length']);
    expect(alert.representativeEventIds.every((id) => Number(id.split('-p')[1]) >= 2000)).toBe(true);

    // A promotion during a drift. Model B's version 1 took its reference from its first (normal)
    // events; then the inputs shifted and version 2, trained on this dataset version, was
    // promoted. Its reference is its training split's inputs, so the shift is still seen. Model
    // C asks for its first events instead: they are the shifted ones, and it sees no drift.
    const promoter = await rig.producer();
    const promoted = (modelId: string, modelVersion: string) =>
      eventRecord(
        ModelPromotedSchema,
        { modelId, modelVersion, stage: 'production', datasetVersionId: versionId, previousVersion: '1', promotedAt: timestampFromDate(new Date()) },
        { key: modelId },
      );
    const [mB, mC] = [`${model}-b`, `${model}-c`];
    const trainWithFeatures = listed.filter((i) => i.split === 'train' && i.features).length;
    await dr.upsertDriftConfig({
      config: {
        modelId: mB,
        referenceSize: 100,
        windowSize: 100,
        windowKind: WindowKind.COUNT,
        alpha: 0.001,
        promotionReference: PromotionReference.TRAINING_DATA,
      },
    });
    await dr.upsertDriftConfig({
      config: {
        modelId: mC,
        referenceSize: 100,
        windowSize: 100,
        windowKind: WindowKind.COUNT,
        alpha: 0.001,
        // The default; said explicitly so the case does not change with it.
        promotionReference: PromotionReference.FIRST_EVENTS,
      },
    });
    await promoter.send({
      topic: Topics.predictionRecorded,
      messages: [mB, mC].flatMap((m) => Array.from({ length: 100 }, (_, i) => predOf(m, '1', 3000 + i, 0))),
    });
    for (const m of [mB, mC]) {
      await eventually(
        async () => ((await dr.getDriftStatus({ modelId: m }).catch(() => undefined))?.referenceSize === 100n ? true : undefined),
        `${m}: reference from its first events`,
        60_000,
        500,
      );
      expect((await dr.getDriftStatus({ modelId: m })).referenceSource).toBe('first events of version 1');
    }
    await promoter.send({ topic: Topics.modelPromoted, messages: [promoted(mB, '2'), promoted(mC, '2')] });
    const onTraining = await eventually(
      async () => {
        const st = await dr.getDriftStatus({ modelId: mB });
        return st.referenceSource.startsWith('dataset') ? st : undefined;
      },
      `${mB}: reference from its training data after the promotion`,
      60_000,
      500,
    );
    expect(onTraining).toMatchObject({
      referenceSource: `dataset version ${versionId} (split train)`,
      referenceSize: BigInt(Math.min(100, trainWithFeatures)),
      windowSize: 0n,
      drifting: false,
    });
    await eventually(
      async () => ((await dr.getDriftStatus({ modelId: mC })).referenceSource === 'first events of version 2' ? true : undefined),
      `${mC}: promoted`,
      60_000,
      500,
    );
    expect((await dr.getDriftStatus({ modelId: mC })).referenceSize).toBe(0n);
    // Version 2 serves shifted inputs from the start.
    await promoter.send({
      topic: Topics.predictionRecorded,
      messages: [mB, mC].flatMap((m) => Array.from({ length: 200 }, (_, i) => predOf(m, '2', 4000 + i, 4))),
    });
    const alertB = await awaitEvent(
      kafka,
      Topics.driftDetected,
      DriftDetectedSchema,
      (a) => a.modelId === mB,
      `DriftDetected for ${mB} against its training data`,
      60_000,
    );
    expect(alertB.modelVersion).toBe('2');
    expect(alertB.features.filter((f) => f.drifted).map((f) => f.feature)).toContain('num.length');
    const cAfter = await eventually(
      async () => {
        const st = await dr.getDriftStatus({ modelId: mC });
        return st.windowsTested >= 1n ? st : undefined;
      },
      `${mC}: a window of version 2 tested`,
      60_000,
      500,
    );
    expect(cAfter).toMatchObject({ referenceSource: 'first events of version 2', referenceSize: 100n, drifting: false });

    // The registry down: UNAVAILABLE, saying so, and the pinned reference stays as it was.
    await registry.kill('SIGTERM');
    await expect(dr.setReferenceFromDataset(base)).rejects.toMatchObject({ code: status.UNAVAILABLE, details: expect.stringMatching(/^dataset registry: /) });
    expect(await dr.getDriftStatus({ modelId: model })).toMatchObject({ referenceSize: 100n, drifting: true });

    // A promotion while the registry is down waits for it (the consumer retries), then takes the
    // training data: it is neither skipped nor given the new version's first events.
    await promoter.send({ topic: Topics.modelPromoted, messages: [promoted(mB, '3')] });
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await dr.getDriftStatus({ modelId: mB })).toMatchObject({ drifting: true, referenceSource: `dataset version ${versionId} (split train)` });
    expect(drift.logs.join('\n')).toMatch(/batch failed, will retry.*dataset registry/);
    registry = rig.service('dataset-registry', registryEnv);
    await registry.ready;
    const v3 = await eventually(
      async () => {
        const st = await dr.getDriftStatus({ modelId: mB });
        return st.drifting ? undefined : st;
      },
      `${mB}: version 3 promoted once the registry is back`,
      90_000,
      1_000,
    );
    expect(v3).toMatchObject({
      referenceSource: `dataset version ${versionId} (split train)`,
      referenceSize: BigInt(Math.min(100, trainWithFeatures)),
      windowSize: 0n,
    });
    await promoter.disconnect();
    dr.close();
  });
});
