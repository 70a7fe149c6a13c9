/**
 * dataset-registry as a process on the real broker and database.
 *
 * 1. A stream of LabelAccepted events (new items, later relabels, and re-sent duplicates) is
 *    turned into versions every REGISTRY_CUT_EVERY changes while the service is SIGKILLed
 *    three times mid-stream and restarted. Afterwards: every event is in the inbox exactly
 *    once, version numbers are contiguous, there is exactly one DatasetApproved per version
 *    (ce_id `dataset-approved:<dataset>:<version>`; a re-sent copy after a crash is allowed on
 *    the wire, it carries the same ce_id), nothing is left in the outbox, the final version
 *    holds the last label of every item, its id is the Merkle root of its exported records,
 *    and no item ever changed split across the versions.
 * 2. A second registry on a fresh database, cutting on a timer instead of a count, reaches the
 *    same final version id from the same events (same content → same id across runs).
 * 3. The gRPC API: list, get (paged), diff, lineage (+ OpenLineage), export (Parquet read back),
 *    tags, aliases with rollback history, trainings (RecordTraining and ModelPromoted).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { Pool } from 'pg';
import { DatasetApprovedSchema, DatasetRegistryService, LabelAcceptedSchema, ModelPromotedSchema, Topics } from '@labelloop/contracts';
import { fromEntries, MemoryNodeStore } from '@labelloop/merkle-dataset';
import { createGrpcClient } from '@labelloop/rpc';
import { createTestDatabase, eventRecord, eventually, readTopic, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';

/** The value, or a failed test naming what was missing. */
function must<T>(v: T | null | undefined, what = 'a value'): T {
  if (v === null || v === undefined) throw new Error(`expected ${what}`);
  return v;
}
const approvedOf = (m: { value: Buffer | null }) => fromBinary(DatasetApprovedSchema, must(m.value, 'a message value'));

interface Rec {
  itemId: string;
  label: string;
  split: string;
  confidence: number;
}

describe('dataset-registry service (real Kafka + PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const project = `reg-${run}`;
  const N = 1200;
  const RELABELS = 200;
  const kafka = testKafka();
  const token = `svc-${run}`;
  const exportDir = `/tmp/labelloop-e2e-registry-${run}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let db2: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let pg: Pool;
  let registry: ServiceProcess;
  let second: ServiceProcess | undefined;
  let env: Record<string, string>;
  let finalVersion = '';
  const eventIds: string[] = [];
  const lastLabel = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase('registry');
    env = {
      DATABASE_URL: db.url,
      KAFKA_GROUP_ID: `registry-${run}`,
      AUTH_TOKENS: JSON.stringify([{ token, subject: 'ci', roles: ['service', 'admin'], projects: ['*'] }]),
      REGISTRY_CUT_EVERY: '100',
      REGISTRY_EXPORT_DIR: exportDir,
      REGISTRY_PSEUDONYM_SECRET: `secret-${run}`,
      CONSUMER_TX_BATCH: '25',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    registry = startService('dataset-registry', env);
    await registry.ready;
    // A pool: a connection dropped by a database restart is replaced on the next query.
    pg = new Pool({ connectionString: db.url, max: 2 });
    pg.on('error', () => undefined);
  });

  afterAll(async () => {
    await pg?.end();
    await registry?.kill('SIGTERM');
    await second?.kill('SIGTERM');
    await db?.drop();
    await db2?.drop();
  });

  const q = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await pg.query(sql, params)).rows as T[];
  const versions = () =>
    q<{ n: string }>(`SELECT count(*) AS n FROM dataset_registry.dataset_version WHERE dataset_id = $1`, [project])
      .then((r) => Number(r[0].n))
      .catch(() => 0);
  const client = async (svc: ServiceProcess) =>
    createGrpcClient(DatasetRegistryService, `127.0.0.1:${(await svc.ready).grpcPort}`, { token, defaultDeadlineMs: 60_000 });
  const readJsonl = async (uri: string) => (await readFile(path.join(uri.slice('file://'.length), 'data.jsonl'), 'utf8')).split('\n').filter(Boolean);

  it('turns accepted labels into versions with DatasetApproved exactly once, across three SIGKILLs', async () => {
    // Every 50th item duplicates the content (and the first label) of the one before it: one
    // group, one split. (A group whose items disagree on the class gets the split of whichever
    // arrived first, so only same-class duplicates are order-independent across runs.)
    const base = (i: number) => (i % 50 === 49 ? i - 1 : i);
    const label = (i: number, relabel: boolean) => ((base(i) % 3 === 0) !== relabel ? 'ham' : 'spam');
    const msg = (i: number, relabel: boolean) => {
      const itemId = `${project}-item-${i}`;
      const id = `${project}-la-${i}${relabel ? '-r' : ''}`;
      eventIds.push(id);
      lastLabel.set(itemId, label(i, relabel));
      return eventRecord(
        LabelAcceptedSchema,
        {
          itemId,
          projectId: project,
          label: { value: { case: 'classification', value: { classes: [label(i, relabel)] } } },
          confidence: relabel ? 0.99 : 0.6 + (i % 40) / 100,
          agreement: 1 - (i % 5) / 10,
          annotatorIds: [`annotator-${i % 7}`, `annotator-${(i + 1) % 7}`],
          qaPolicyVersion: 'qa-1',
          modelId: `model-${run}`,
          modelVersion: i < N / 2 ? '1' : '2',
          trigger: i % 10 === 0 ? 'audit' : 'low_confidence',
          strategy: 'uncertainty',
          sourceEventId: `pred-${run}-${i}`,
          inputUri: `corpus://${run}/${i}`,
          contentHash: `sha256:${run}-${base(i)}`,
          guidelineVersion: i < N / 2 ? 'g-1' : 'g-2',
          auditSample: i % 10 === 0,
        },
        { id, key: itemId },
      );
    };
    const records = Array.from({ length: N }, (_, i) => msg(i, false));
    const relabels = Array.from({ length: RELABELS }, (_, k) => msg((k * 7) % N, true));
    const producer = await testProducer(kafka);
    // The relabels follow their items (same key, same partition); 100 events are re-sent (producer retries).
    await producer.send({ topic: Topics.labelAccepted, messages: [...records, ...relabels, ...records.slice(0, 100)] });
    await producer.disconnect();

    const kills: number[] = [];
    for (const at of [2, 5, 9]) {
      await eventually(async () => (await versions()) >= at, `${at} versions`, 180_000, 50);
      await registry.kill('SIGKILL');
      kills.push(await versions());
      registry = startService('dataset-registry', env);
      await registry.ready;
    }
    const ours = () =>
      q<{ n: string }>(`SELECT count(*) AS n FROM dataset_registry.inbox WHERE event_id LIKE $1`, [`${project}-la-%`]).then((r) => Number(r[0].n));
    await eventually(async () => (await ours()) === N + RELABELS, 'every event applied', 240_000, 300).catch(async (e) => {
      process.stdout.write(
        `registry: inbox ${await ours()} of ${N + RELABELS}, versions ${await versions()}; last log lines:\n${registry.logs.slice(-30).join('\n')}\n`,
      );
      throw e;
    });
    expect(kills.some((k) => k < (N + RELABELS) / 100)).toBe(true); // at least one kill hit mid-stream

    // Version what is left over, on request.
    const rpc = await client(registry);
    const cut = await rpc.cutVersion({ datasetId: project });
    finalVersion = must(cut.version?.version, 'the cut version').versionId;
    rpc.close();

    const inbox = await q<{ event_id: string }>(`SELECT event_id FROM dataset_registry.inbox WHERE event_id LIKE $1`, [`${project}-la-%`]);
    expect(new Set(inbox.map((r) => r.event_id))).toEqual(new Set(eventIds));
    expect(await q(`SELECT item_id FROM dataset_registry.dataset_item WHERE dataset_id = $1 AND pending`, [project])).toHaveLength(0);

    const rows = await q<{
      version_id: string;
      number: number;
      status: string;
      item_count: number;
      export_uri: string;
      manifest_sha256: string;
      cut_reason: string;
    }>(
      `SELECT version_id, number, status, item_count, export_uri, manifest_sha256, cut_reason FROM dataset_registry.dataset_version WHERE dataset_id = $1 ORDER BY number`,
      [project],
    );
    expect(rows.map((r) => r.number)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.every((r) => r.status === 'approved')).toBe(true);
    expect(rows[rows.length - 1].version_id).toBe(finalVersion);
    expect(rows[rows.length - 1].item_count).toBe(N);

    // Exactly one DatasetApproved per version.
    await eventually(async () => Number((await q<{ n: string }>('SELECT count(*) AS n FROM dataset_registry.outbox'))[0].n) === 0, 'outbox drained', 30_000);
    // Other registries (other tests, other runs) read the same shared topic from the beginning and
    // announce their own versions of this dataset: ours are the ones exported under our directory.
    const wire = (await readTopic(kafka, Topics.datasetApproved, 1_000_000, 8_000)).filter(
      (m) => m.key === project && approvedOf(m).exportUri.startsWith(`file://${exportDir}/`),
    );
    const ids = wire.map((m) => m.headers.ce_id);
    expect(new Set(ids)).toEqual(new Set(rows.map((r) => `dataset-approved:${project}:${r.version_id}`)));
    for (const m of wire) {
      const d = approvedOf(m);
      const row = must(
        rows.find((r) => r.version_id === d.versionId),
        `a row for ${d.versionId}`,
      );
      expect(m.headers.ce_id).toBe(`dataset-approved:${project}:${d.versionId}`);
      expect([Number(d.versionNumber), Number(d.itemCount), d.exportUri, d.manifestSha256]).toEqual([
        row.number,
        row.item_count,
        row.export_uri,
        row.manifest_sha256,
      ]);
    }

    // The final version: the last label of every item; its id is the trie root of its records
    // (sha256 of each canonical JSONL line is the record hash).
    const last = must(
      wire.map(approvedOf).find((d) => d.versionId === finalVersion),
      'the final DatasetApproved',
    );
    expect(last.exportFiles.map((f) => f.format)).toEqual(['jsonl', 'csv', 'coco', 'parquet']);
    expect(last.splitCounts.reduce((a, s) => a + s.count, 0n)).toBe(BigInt(N));
    expect(last.hashScheme).toBe('labelloop-merkle-v1');
    const manifest = await readFile(path.join(last.exportUri.slice(7), 'manifest.json'));
    expect(createHash('sha256').update(manifest).digest('hex')).toBe(last.manifestSha256);
    const lines = await readJsonl(last.exportUri);
    const recs = lines.map((l) => JSON.parse(l) as Rec);
    expect(recs).toHaveLength(N);
    for (const r of recs) expect(r.label).toBe(lastLabel.get(r.itemId));
    expect(
      await fromEntries(
        new MemoryNodeStore(),
        recs.map((r, i) => ({ itemId: r.itemId, recordHash: createHash('sha256').update(lines[i]).digest('hex') })),
      ),
    ).toBe(finalVersion);

    // No item ever changed split, across every version.
    const split = new Map<string, string>();
    let moved = 0;
    for (const r of rows) {
      for (const x of (await readJsonl(r.export_uri)).map((l) => JSON.parse(l) as Rec)) {
        if (split.has(x.itemId) && split.get(x.itemId) !== x.split) moved++;
        split.set(x.itemId, x.split);
      }
    }
    expect(moved).toBe(0);
    expect(recs.filter((r) => Number(r.itemId.split('-').pop()) % 10 === 0).every((r) => r.split === 'test')).toBe(true); // audit samples

    process.stdout.write(
      `dataset-registry: ${N} labels + ${RELABELS} relabels (+100 re-sent), SIGKILLs at versions=${kills.join(',')}, versions=${rows.length}, ` +
        `DatasetApproved on the wire=${wire.length} (distinct ids ${new Set(ids).size}), final=${finalVersion.slice(0, 16)}…\n`,
    );
  }, 480_000);

  it('reaches the same version id from the same events in a fresh run cutting on a timer', async () => {
    expect(finalVersion).not.toBe('');
    db2 = await createTestDatabase('registry2');
    second = startService('dataset-registry', {
      ...env,
      DATABASE_URL: db2.url,
      KAFKA_GROUP_ID: `registry-${run}-2`,
      REGISTRY_EXPORT_DIR: `${exportDir}-2`,
      // It also versions every other dataset on the shared topic: keep its exports small.
      REGISTRY_EXPORT_FORMATS: 'jsonl',
      REGISTRY_CUT_EVERY: '1000000',
      REGISTRY_CUT_INTERVAL_SECONDS: '2',
      REGISTRY_CUT_POLL_MS: '200',
      CONSUMER_TX_BATCH: '500',
    });
    await second.ready;
    const pg2 = new Pool({ connectionString: db2.url, max: 2 });
    pg2.on('error', () => undefined);
    try {
      const head = async () => {
        const r = await pg2.query(
          `SELECT v.version_id, v.cut_reason FROM dataset_registry.dataset_version v WHERE v.dataset_id = $1 ORDER BY number DESC LIMIT 1`,
          [project],
        );
        return r.rows[0] as { version_id: string; cut_reason: string } | undefined;
      };
      const v = await eventually(
        async () => {
          const h = await head().catch(() => undefined);
          return h?.version_id === finalVersion ? h : undefined;
        },
        'the same final version id',
        240_000,
        500,
      ).catch(async (e) => {
        const vs = await pg2
          .query(`SELECT number, version_id, cut_reason, item_count, status FROM dataset_registry.dataset_version WHERE dataset_id = $1 ORDER BY number`, [
            project,
          ])
          .catch(() => ({ rows: [] }));
        const inbox = await pg2
          .query(`SELECT count(*) AS n FROM dataset_registry.inbox WHERE event_id LIKE $1`, [`${project}-la-%`])
          .catch(() => ({ rows: [] }));
        process.stdout.write(
          `second registry: want ${finalVersion}; inbox ${JSON.stringify(inbox.rows)}; versions ${JSON.stringify(vs.rows)}\nlast log lines:\n${second?.logs.slice(-30).join('\n')}\n`,
        );
        throw e;
      });
      expect(v.cut_reason).toBe('interval');
    } finally {
      await pg2.end();
    }
  }, 300_000);

  it('serves list, get, diff, lineage, export, tags, aliases and trainings over gRPC', async () => {
    const rpc = await client(registry);
    const { versions: approved, infos } = await rpc.listVersions({ datasetId: project });
    expect(approved.length).toBe(infos.length);
    const first = approved[0];
    expect(approved[approved.length - 1].versionId).toBe(finalVersion);

    // Paged item ids cover the version exactly once.
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await rpc.getVersion({ datasetId: project, versionId: finalVersion, pageSize: 700, pageToken });
      seen.push(...page.itemIds);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toHaveLength(N);
    expect(new Set(seen).size).toBe(N);

    // Diff first → final against the two exports.
    const a = new Map((await readJsonl(first.exportUri)).map((l) => JSON.parse(l) as Rec).map((r) => [r.itemId, r]));
    const b = new Map((await readJsonl(approved[approved.length - 1].exportUri)).map((l) => JSON.parse(l) as Rec).map((r) => [r.itemId, r]));
    const d = await rpc.diffVersions({ datasetId: project, fromVersionId: first.versionId, toVersionId: finalVersion });
    expect(new Set(d.added)).toEqual(new Set([...b.keys()].filter((k) => !a.has(k))));
    expect(d.removed).toEqual([]);
    const relabelled = [...b.keys()].filter((k) => a.has(k) && a.get(k)?.label !== b.get(k)?.label);
    expect(new Set(d.relabelled.map((r) => r.itemId))).toEqual(new Set(relabelled));
    for (const r of d.relabelled) expect([r.fromLabel, r.toLabel]).toEqual([a.get(r.itemId)?.label, b.get(r.itemId)?.label]);
    expect(new Set(d.changed)).toEqual(
      new Set([...b.keys()].filter((k) => a.has(k) && a.get(k)?.label === b.get(k)?.label && JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)))),
    );
    const total = (m: Map<string, Rec>, split: string, label: string) => [...m.values()].filter((r) => r.split === split && r.label === label).length;
    for (const c of d.classCounts)
      expect([Number(c.fromCount), Number(c.toCount), Number(c.delta)]).toEqual([
        total(a, c.split, c.label),
        total(b, c.split, c.label),
        total(b, c.split, c.label) - total(a, c.split, c.label),
      ]);

    // Lineage: guideline/model versions, triggers, pseudonymised annotators, source events.
    const got = await rpc.getLineage({ datasetId: project, versionId: finalVersion });
    const lineage = must(got.lineage);
    const openlineageJson = got.openlineageJson;
    expect(Object.keys(lineage.guidelineVersions).sort()).toEqual(['g-1', 'g-2']);
    expect(Object.keys(lineage.modelVersions).sort()).toEqual([`model-${run}@1`, `model-${run}@2`]);
    expect(Number(lineage.triggers.audit)).toBe(N / 10);
    expect(Object.keys(lineage.annotators)).toHaveLength(7);
    expect(Object.keys(lineage.annotators).every((x) => /^anon-[0-9a-f]{20}$/.test(x))).toBe(true);
    expect(lineage.qa?.items).toBe(BigInt(N));
    const ol = JSON.parse(openlineageJson);
    expect(ol.outputs[0].facets.version.datasetVersion).toBe(finalVersion);
    expect(ol.outputs[0].outputFacets.outputStatistics.rowCount).toBe(N);
    const firstLineage = must((await rpc.getLineage({ datasetId: project, versionId: first.versionId })).lineage);
    expect(firstLineage.sourceEventIds.length).toBe(Number(first.itemCount));
    expect(firstLineage.sourceEventIds.every((s) => s.startsWith(`pred-${run}-`))).toBe(true);

    // Export on request: Parquet only, read back equal to the JSONL written at approval.
    const ex = await rpc.exportVersion({ datasetId: project, versionId: finalVersion, formats: ['parquet'] });
    expect(ex.manifestName).toBe('manifest.parquet.json');
    expect(ex.files[0].sha256).toBe(approved[approved.length - 1].exportFiles.find((f) => f.format === 'parquet')?.sha256);

    // Tags and aliases: candidate → v2 → final; production → final, back to v2 (a rollback).
    const v2 = approved[1].versionId;
    expect((await rpc.addTag({ datasetId: project, versionId: finalVersion, tag: 'reviewed by ml-lead' })).tags).toEqual(['reviewed by ml-lead']);
    expect((await rpc.addTag({ datasetId: project, versionId: finalVersion, tag: 'gold' })).tags).toEqual(['gold', 'reviewed by ml-lead']);
    expect((await rpc.removeTag({ datasetId: project, versionId: finalVersion, tag: 'gold' })).tags).toEqual(['reviewed by ml-lead']);
    await rpc.setAlias({ datasetId: project, alias: 'candidate', versionId: v2 });
    await rpc.setAlias({ datasetId: project, alias: 'candidate', versionId: finalVersion });
    expect((await rpc.setAlias({ datasetId: project, alias: 'production', versionId: finalVersion })).rollback).toBe(false);
    expect((await rpc.setAlias({ datasetId: project, alias: 'production', versionId: v2 })).rollback).toBe(false);
    const back = await rpc.setAlias({ datasetId: project, alias: 'production', versionId: finalVersion });
    expect(back.rollback).toBe(true);
    expect(back.alias?.history.map((h) => h.action)).toEqual(['rollback', 'move', 'set']);
    const aliases = (await rpc.listAliases({ datasetId: project })).aliases;
    expect(aliases.map((x) => [x.alias, x.versionId])).toEqual([
      ['candidate', finalVersion],
      ['production', finalVersion],
    ]);
    expect((await rpc.getVersion({ datasetId: project, versionId: 'production', pageSize: 1 })).info?.aliases).toEqual(['candidate', 'production']);
    await expect(rpc.setAlias({ datasetId: project, alias: 'Bad Alias', versionId: v2 })).rejects.toMatchObject({
      details: expect.stringMatching(/^alias: must match/),
    });

    // Which model was trained on what: RecordTraining, and ModelPromoted from the topic.
    await rpc.recordTraining({ modelId: `model-${run}`, modelVersion: '3', datasetVersionId: v2 });
    const producer = await testProducer(kafka);
    await producer.send({
      topic: Topics.modelPromoted,
      messages: [
        eventRecord(
          ModelPromotedSchema,
          { modelId: `model-${run}`, modelVersion: '4', stage: 'production', datasetVersionId: finalVersion },
          { key: `model-${run}` },
        ),
      ],
    });
    await producer.disconnect();
    const trainings = await eventually(
      async () => {
        const t = (await rpc.listTrainings({ modelId: `model-${run}` })).trainings;
        return t.length === 2 ? t : undefined;
      },
      'two trainings',
      60_000,
      300,
    );
    expect(trainings.map((t) => [t.modelVersion, t.datasetVersionId, t.datasetId, t.source, t.stage])).toEqual([
      ['3', v2, project, 'api', ''],
      ['4', finalVersion, project, 'model_promoted', 'production'],
    ]);
    expect((await rpc.getLineage({ datasetId: project, versionId: finalVersion })).lineage?.trainings.map((t) => t.modelVersion)).toEqual(['4']);
    rpc.close();
  });
});
