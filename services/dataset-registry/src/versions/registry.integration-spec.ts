/**
 * The registry's item writer and version cutter against the real PostgreSQL server (no
 * Kafka: events are handed to them as the consumer would, one transaction per batch):
 * ten successive versions with relabels and additions keep every item's split, each version
 * id equals the trie root of its content built from scratch, diffs are exact, a cut writes
 * O(changes × depth) trie nodes, the gates reject (and announce nothing), leakage is caught,
 * and a dataset versioned before tries is upgraded by the new migration.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { DatasetApprovedSchema } from '@labelloop/contracts';
import { diff, fromEntries, MemoryNodeStore, SqlNodeStore, verify } from '@labelloop/merkle-dataset';
import { Outbox, sleep } from '@labelloop/messaging';
import { labelEvents, TestLabel } from '../testing/label-events';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { writeExport } from '../exports/exporter';
import { readExport } from '../exports/formats';
import { LocalDirSink } from '../exports/sink';
import { RegistryConfig, registryConfigSchema } from '../registry.config';
import { CreateRegistryTables1732360000000 } from '../registry.migration';
import { assignSplit, classesOf, ItemRecord, recordHash } from './content-address';
import { CutWorker } from './cut.worker';
import { ItemWriter } from './item-writer';
import { CutResult, VersionCutter } from './version-cutter';
import { categoriesOf, versionRecords, VersionRow } from './version-row';
import { migrations } from '../migrations';

const noop = () => undefined;
const quiet = { log: noop, warn: noop, error: noop, debug: noop, verbose: noop };
const dbUrl = process.env.DATABASE_URL ?? '';
/** The value, or a failed test naming what was missing. */
function must<T>(v: T | null | undefined, what = 'a value'): T {
  if (v === null || v === undefined) throw new Error(`expected ${what}`);
  return v;
}

describe('dataset registry versions (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `regtest_${run}`;
  let ds: DataSource;
  let dir: string;

  const configOf = (env: Record<string, string> = {}): RegistryConfig =>
    registryConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl, REGISTRY_EXPORT_DIR: dir, REGISTRY_EXPORT_FORMATS: 'jsonl', ...env });
  const services = (env: Record<string, string> = {}) => {
    const config = configOf(env);
    return {
      writer: new ItemWriter(config, quiet),
      cutter: new VersionCutter(config, new Outbox('labelloop/dataset-registry'), new LocalDirSink(dir), quiet, new Metrics('registry-test')),
    };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'registry-it-'));
    ds = createServiceDataSource({ url: dbUrl, schema, migrations });
    await ds.initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  type Label = TestLabel;
  const event = labelEvents(run);
  const apply = (s: ReturnType<typeof services>, project: string, labels: Label[]) =>
    ds.transaction((em) =>
      s.writer.apply(
        em,
        labels.map((l) => event(project, l)),
      ),
    );
  /** A cut as CutVersion makes it: the version in one transaction, then (approved) its export and announcement. */
  const cut = async (s: ReturnType<typeof services>, project: string): Promise<CutResult> => {
    const r = await ds.transaction((em) => s.cutter.cut(em, project, 'request'));
    return r.version ? { ...r, version: await s.cutter.publish(ds, project, r.version.version_id) } : r;
  };
  const cutVersion = async (s: ReturnType<typeof services>, project: string) => must((await cut(s, project)).version, 'a version');
  const records = async (root: string) => {
    const out: ItemRecord[] = [];
    for await (const b of versionRecords(ds.manager, root)) out.push(...b);
    return out;
  };
  const nodes = async () => Number((await ds.query('SELECT count(*) AS n FROM trie_node'))[0].n);
  const outboxFor = async (project: string) =>
    ((await ds.query(`SELECT payload FROM outbox WHERE topic = 'labelloop.dataset.approved.v1' ORDER BY id`)) as { payload: Buffer }[])
      .map((r) => fromBinary(DatasetApprovedSchema, r.payload))
      .filter((d) => d.datasetId === project);

  it('ten successive versions: splits never change, ids are content roots, diffs are exact, cuts cost O(changes)', async () => {
    const s = services();
    const project = `ten-${run}`;
    const model = new Map<string, Label>();
    let next = 0;
    const fresh = (k: number) =>
      Array.from({ length: k }, () => {
        const i = next++;
        // Every 10th new item duplicates an earlier item's content: same group, same split.
        const content = i % 10 === 9 ? `sha256:${project}-${i - 5}` : `sha256:${project}-${i}`;
        return { item: `${project}-i${i}`, label: i % 3 ? 'spam' : 'ham', content, confidence: 0.5 + (i % 50) / 100, agreement: (i % 4) / 4 };
      });
    const firstSplit = new Map<string, string>();
    let previous: VersionRow | undefined;
    let prevModel = new Map<string, string>();
    for (let v = 1; v <= 10; v++) {
      const labels: Label[] = v === 1 ? fresh(300) : fresh(25);
      if (v > 1) {
        const existing = [...model.values()];
        for (let k = 0; k < 15; k++) {
          const it = existing[(v * 37 + k * 11) % existing.length];
          labels.push({ ...it, label: it.label === 'spam' ? 'ham' : 'spam' }); // relabel: class flips
        }
        for (let k = 0; k < 5; k++) {
          const it = existing[(v * 13 + k * 7) % existing.length];
          labels.push({ ...it, confidence: 0.99 - k / 100 }); // QA figures change, label does not
        }
      }
      // Two batches (two transactions), as the consumer would see them.
      await apply(s, project, labels.slice(0, 17));
      await apply(s, project, labels.slice(17));
      for (const l of labels) model.set(l.item, l);

      const before = await nodes();
      const r = await cut(s, project);
      expect(r.created).toBe(true);
      const row = must(r.version);
      expect(row.status).toBe('approved');
      expect(row.number).toBe(v);
      expect(row.previous_version_id).toBe(previous?.version_id ?? null);
      const written = (await nodes()) - before;
      if (v > 1) expect(written).toBeLessThanOrEqual(labels.length * 5); // changed paths only (depth ≤ 4 at 500 items)

      const recs = await records(row.version_id);
      expect(recs).toHaveLength(model.size);
      // The id is the trie root of the content, built from scratch in memory.
      expect(
        await fromEntries(
          new MemoryNodeStore(),
          recs.map((x) => ({ itemId: x.itemId, recordHash: recordHash(x) })),
        ),
      ).toBe(row.version_id);
      expect(await verify(new SqlNodeStore(ds), row.version_id)).toBe(model.size);
      for (const x of recs) {
        const m = must(model.get(x.itemId));
        expect(x.label).toBe(m.label);
        expect(x.confidence).toBe(m.confidence ?? 0.9);
        if (!firstSplit.has(x.itemId)) firstSplit.set(x.itemId, x.split);
        expect(x.split).toBe(firstSplit.get(x.itemId)); // never moves
      }
      // Items of one group (same content) share a split.
      const byGroup = new Map<string, Set<string>>();
      for (const x of recs) byGroup.set(x.contentHash, (byGroup.get(x.contentHash) ?? new Set()).add(x.split));
      expect([...byGroup.values()].every((set) => set.size === 1)).toBe(true);
      // Running figures equal a recount.
      const counts = new Map<string, number>();
      for (const x of recs) for (const c of classesOf(x)) counts.set(`${x.split}/${c}`, (counts.get(`${x.split}/${c}`) ?? 0) + 1);
      expect(Object.fromEntries(row.counts.map((c) => [`${c.split}/${c.label}`, c.count]))).toEqual(Object.fromEntries(counts));
      expect(row.qa.meanConfidence).toBeCloseTo(recs.reduce((a, x) => a + x.confidence, 0) / recs.length, 12);
      expect(row.qa.meanAgreement).toBeCloseTo(recs.reduce((a, x) => a + x.agreement, 0) / recs.length, 12);
      expect(row.split_counts.reduce((a, c) => a + c.count, 0)).toBe(recs.length);

      // The diff against the previous version is exactly the naive Map difference.
      const nowModel = new Map(recs.map((x) => [x.itemId, recordHash(x)]));
      if (previous) {
        const d = await diff(new SqlNodeStore(ds), previous.version_id, row.version_id);
        const added = [...nowModel.keys()].filter((k) => !prevModel.has(k)).sort();
        const changed = [...nowModel.keys()].filter((k) => prevModel.has(k) && prevModel.get(k) !== nowModel.get(k)).sort();
        expect(d.added.map((e) => e.itemId)).toEqual(added);
        expect(d.changed.map((e) => e.itemId)).toEqual(changed);
        expect(d.removed).toEqual([]);
        expect([row.added_items, row.changed_items, row.removed_items]).toEqual([added.length, changed.length, 0]);
        const sources: { item_id: string }[] = await ds.query(
          'SELECT item_id FROM dataset_version_source WHERE dataset_id = $1 AND version_id = $2 ORDER BY item_id',
          [project, row.version_id],
        );
        expect(sources.map((x) => x.item_id)).toEqual([...added, ...changed].sort());
      }
      previous = row;
      prevModel = nowModel;
    }
    // Exactly one DatasetApproved per version, id derived from the version.
    const announced = await outboxFor(project);
    expect(announced).toHaveLength(10);
    expect(new Set(announced.map((a) => a.versionId)).size).toBe(10);
    const tenth = must(previous);
    expect(announced[9]).toMatchObject({ versionId: tenth.version_id, versionNumber: 10n, hashScheme: 'labelloop-merkle-v1' });
    expect(announced[9].exportFiles.map((f) => f.name)).toEqual(['data.jsonl']);
    const facets = must(tenth.lineage.facets);
    expect(Object.keys(facets.annotator)).toHaveLength(2);
    expect(Object.keys(facets.annotator).every((a) => a.startsWith('anon-'))).toBe(true);
    expect(facets.trigger).toEqual({ low_confidence: model.size });
  });

  it('assigns the same splits however the events were batched (a relabel in the same batch as the first label)', async () => {
    const s = services();
    const labels = (p: string): Label[] => [
      ...Array.from({ length: 60 }, (_, i) => ({
        item: `${p}-${i}`,
        label: i % 2 ? 'spam' : 'ham',
        content: `sha256:batching-${run}-${i}`,
        audit: i % 10 === 0,
      })),
      ...Array.from({ length: 60 }, (_, i) => ({
        item: `${p}-${i}`,
        label: i % 2 ? 'ham' : 'spam',
        content: `sha256:batching-${run}-${i}`,
        audit: i % 10 === 0,
      })),
    ];
    const one = `batch1-${run}`;
    for (const l of labels(one)) await apply(s, one, [l]); // one event per transaction
    const all = `batchall-${run}`;
    await apply(s, all, labels(all)); // everything in one transaction: each item's relabel supersedes its first label
    const splits = async (p: string) => new Map((await records((await cutVersion(s, p)).version_id)).map((r) => [r.itemId.slice(p.length), r.split]));
    const [a, b] = [await splits(one), await splits(all)];
    expect(a.size).toBe(60);
    expect(b).toEqual(a);
    // A group's split follows its first label's class (the stratum), not the relabel's.
    for (let i = 0; i < 60; i++) {
      expect(a.get(`-${i}`)).toBe(assignSplit(`sha256:batching-${run}-${i}`, i % 10 === 0, 80, 10, i % 2 ? 'spam' : 'ham'));
    }
  });

  it('cuts nothing when nothing changed, and no new version when the content returns to a known one', async () => {
    const s = services();
    const project = `same-${run}`;
    await apply(s, project, [
      { item: `${project}-a`, label: 'spam' },
      { item: `${project}-b`, label: 'ham' },
    ]);
    const v1 = await cutVersion(s, project);
    expect(await cut(s, project)).toEqual({ created: false, version: expect.objectContaining({ version_id: v1.version_id }) });
    await apply(s, project, [{ item: `${project}-a`, label: 'ham' }]);
    const v2 = await cutVersion(s, project);
    expect(v2.version_id).not.toBe(v1.version_id);
    await apply(s, project, [{ item: `${project}-a`, label: 'spam' }]); // back to v1's content
    const again = await cut(s, project);
    expect(again.created).toBe(false);
    expect(must(again.version).version_id).toBe(v1.version_id);
    // The head follows the content: the next change is applied on top of v1's trie.
    await apply(s, project, [{ item: `${project}-c`, label: 'ham' }]);
    const v3 = await cutVersion(s, project);
    expect(v3.number).toBe(3);
    expect(v3.item_count).toBe(3);
  });

  it('rejects a version that fails the gates, announces nothing, and counts new items from the last approved version', async () => {
    const s = services({ REGISTRY_MIN_MEAN_CONFIDENCE: '0.8', REGISTRY_MIN_ITEMS_PER_CLASS: '2' });
    const project = `gates-${run}`;
    await apply(s, project, [
      { item: `${project}-1`, label: 'spam', confidence: 0.9 },
      { item: `${project}-2`, label: 'spam', confidence: 0.9 },
      { item: `${project}-3`, label: 'ham', confidence: 0.9 },
      { item: `${project}-4`, label: 'ham', confidence: 0.9 },
    ]);
    const v1 = await cutVersion(s, project);
    expect(v1.status).toBe('approved');
    await apply(s, project, [
      { item: `${project}-5`, label: 'eggs', confidence: 0.2 },
      { item: `${project}-6`, label: 'spam', confidence: 0.3 },
    ]);
    const v2 = await cutVersion(s, project);
    expect(v2.status).toBe('rejected');
    expect(v2.reasons).toEqual(['mean confidence 0.6833 is below 0.8', 'class "eggs" has 1 items, fewer than 2']);
    expect(v2.export_uri).toBe('');
    expect(v2.parent_version_id).toBe(v1.version_id);
    await apply(s, project, [
      { item: `${project}-5`, label: 'ham', confidence: 0.99 },
      { item: `${project}-6`, label: 'spam', confidence: 0.99 },
      { item: `${project}-7`, label: 'spam', confidence: 0.99 },
    ]);
    const v3 = await cutVersion(s, project);
    expect(v3.status).toBe('approved');
    expect(v3.previous_version_id).toBe(v2.version_id);
    expect(v3.parent_version_id).toBe(v1.version_id); // the last approved
    expect([v3.added_items, v3.changed_items, v3.new_items]).toEqual([3, 0, 3]); // since v1
    const announced = await outboxFor(project);
    expect(announced.map((a) => a.versionId)).toEqual([v1.version_id, v3.version_id]);
    expect(announced[1]).toMatchObject({ parentVersionId: v1.version_id, previousVersionId: v2.version_id, newItems: 3n });
  });

  it('fails the leakage gate when a group ends up in two splits', async () => {
    const s = services();
    const project = `leak-${run}`;
    // Two contents whose groups hash to different splits.
    const a = 0;
    let b = 1;
    const split = (i: number) => assignSplit(`sha256:${project}-c${i}`, false, 80, 10, 'spam');
    while (split(a) === split(b)) b++;
    await apply(s, project, [
      { item: `${project}-x`, label: 'spam', content: `sha256:${project}-c${a}` },
      { item: `${project}-y`, label: 'spam', content: `sha256:${project}-c${b}` },
    ]);
    expect((await cutVersion(s, project)).status).toBe('approved');
    // Item x now carries y's content: x keeps its split (items never move), so y's group spans two splits.
    await apply(s, project, [{ item: `${project}-x`, label: 'spam', content: `sha256:${project}-c${b}` }]);
    const v2 = await cutVersion(s, project);
    expect(v2.status).toBe('rejected');
    expect(v2.reasons).toEqual([
      `leakage: group sha256:${project}-c${b} is in ${[split(a), split(b)].sort().join(' and ')} (items ${project}-x, ${project}-y)`,
    ]);
    // The leak is remembered: the next cut still fails until the group is consistent again.
    await apply(s, project, [{ item: `${project}-z`, label: 'spam' }]);
    expect((await cutVersion(s, project)).reasons[0]).toMatch(/^leakage/);
    await apply(s, project, [{ item: `${project}-x`, label: 'spam', content: `sha256:${project}-c${a}` }]);
    expect((await cutVersion(s, project)).status).toBe('approved');
  });

  it('exports a stored version in every format, reading back what the trie holds', async () => {
    const s = services({ REGISTRY_EXPORT_FORMATS: 'jsonl,csv,coco,parquet' });
    const project = `export-${run}`;
    await apply(s, project, [
      ...Array.from({ length: 120 }, (_, i) => ({ item: `${project}-${i}`, label: i % 7 ? 'spam' : 'ham|spam', confidence: i / 120 })),
      // Box labels: the record keeps the boxes, the label is the sorted distinct box classes.
      {
        item: `${project}-boxes`,
        label: '',
        boxes: [
          { x: 1, y: 2, width: 3.5, height: 4, label: 'dog' },
          { x: 0, y: 0, width: 1, height: 1, label: 'cat' },
        ],
      },
    ]);
    const v = await cutVersion(s, project);
    expect(v.export_files.map((f) => f.format)).toEqual(['jsonl', 'csv', 'coco', 'parquet']);
    const expected = await records(v.version_id);
    const again = await writeExport(
      new LocalDirSink(dir),
      { datasetId: project, versionId: v.version_id, formats: ['jsonl', 'csv', 'coco', 'parquet'], categories: categoriesOf(v) },
      versionRecords(ds.manager, v.version_id),
    );
    expect(again.manifestSha256).toBe(v.manifest_sha256); // identical bytes on re-export
    for (const f of v.export_files) expect(await readExport(f.format as never, path.join(v.export_uri.slice(7), f.name))).toEqual(expected);
    const boxed = must(expected.find((r) => r.itemId === `${project}-boxes`));
    expect(boxed).toMatchObject({
      label: 'cat|dog',
      boxes: [
        { x: 1, y: 2, width: 3.5, height: 4, label: 'dog' },
        { x: 0, y: 0, width: 1, height: 1, label: 'cat' },
      ],
    });
    expect(Object.fromEntries(v.counts.map((c) => [`${c.split}/${c.label}`, c.count]))).toMatchObject({ [`${boxed.split}/cat`]: 1 });
  });

  it('keeps every label type with the item; a changed label of an item already in a version is one relabel, not a second item', async () => {
    const s = services();
    const project = `types-${run}`;
    const text = 'Ada Lovelace lived in London.';
    const pair = JSON.stringify({ prompt: 'Say hi', a: 'Hi!', b: 'Go away.' });
    const first: Label[] = [
      {
        item: `${project}-ner`,
        label: '',
        contentText: text,
        spans: [
          { start: 22, end: 28, label: 'LOC' },
          { start: 0, end: 12, label: 'PER' },
        ],
      },
      { item: `${project}-img`, label: '', size: [640, 480], boxes: [{ x: 10, y: 20, width: 100, height: 50, label: 'dog' }] },
      { item: `${project}-free`, label: '', contentText: 'Summarise: cats.', text: 'Cats are small.' },
      { item: `${project}-pref`, label: '', contentText: pair, chosen: 'a' },
      { item: `${project}-cls`, label: 'spam', contentText: 'Buy now' },
    ];
    await apply(s, project, first);
    const v1 = await cutVersion(s, project);
    expect(v1.status).toBe('approved');
    const r1 = new Map((await records(v1.version_id)).map((r) => [r.itemId, r]));
    expect(r1.get(`${project}-ner`)).toMatchObject({
      label: 'LOC|PER',
      contentText: text,
      spans: [
        { start: 0, end: 12, label: 'PER' },
        { start: 22, end: 28, label: 'LOC' },
      ],
    });
    expect(r1.get(`${project}-img`)).toMatchObject({ label: 'dog', imageWidth: 640, imageHeight: 480 });
    expect(r1.get(`${project}-free`)).toMatchObject({ label: '', text: 'Cats are small.', contentText: 'Summarise: cats.' });
    expect(r1.get(`${project}-pref`)).toMatchObject({ label: 'a', chosen: 'a', contentText: pair });
    expect(Object.fromEntries(v1.counts.map((c) => [c.label, c.count]))).toEqual({ LOC: 1, PER: 1, dog: 1, a: 1, spam: 1 });

    // Edits after acceptance: the span's type, the free text, the preferred side. The same item
    // arrives again (a second LabelAccepted), twice for the span item.
    await apply(s, project, [
      {
        ...first[0],
        spans: [
          { start: 0, end: 12, label: 'PER' },
          { start: 22, end: 28, label: 'GPE' },
        ],
      },
    ]);
    await apply(s, project, [
      {
        ...first[0],
        spans: [
          { start: 0, end: 12, label: 'PER' },
          { start: 22, end: 28, label: 'GPE' },
        ],
      },
      { ...first[2], text: 'Cats are small mammals.' },
      { ...first[3], chosen: 'b' },
      first[4], // unchanged: not a change
    ]);
    const v2 = await cutVersion(s, project);
    expect(v2.number).toBe(v1.number + 1);
    const recs2 = await records(v2.version_id);
    expect(recs2).toHaveLength(first.length);
    const d = await diff(new SqlNodeStore(ds), v1.version_id, v2.version_id);
    expect(d.added).toEqual([]);
    expect(d.changed.map((c) => c.itemId).sort()).toEqual([`${project}-free`, `${project}-ner`, `${project}-pref`]);
    expect([v2.added_items, v2.changed_items, v2.removed_items]).toEqual([0, 3, 0]);
    const r2 = new Map(recs2.map((r) => [r.itemId, r]));
    expect(r2.get(`${project}-ner`)?.label).toBe('GPE|PER');
    expect(r2.get(`${project}-free`)?.text).toBe('Cats are small mammals.');
    expect(r2.get(`${project}-pref`)?.chosen).toBe('b');
    expect(r2.get(`${project}-ner`)?.split).toBe(r1.get(`${project}-ner`)?.split);
    expect(Object.fromEntries(v2.counts.map((c) => [c.label, c.count]))).toEqual({ GPE: 1, PER: 1, dog: 1, b: 1, spam: 1 });
  });

  const deferred = () => {
    let resolve = () => undefined as void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };
  /** A sink whose uploads of `project` wait for `gate` (or fail while `failing`); others go through. */
  class FlakySink extends LocalDirSink {
    entered = deferred();
    gate = deferred();
    failing = false;
    constructor(private readonly project: string) {
      super(dir);
    }
    async publish(datasetId: string, versionId: string, stagedDir: string, files: string[]): Promise<string> {
      if (datasetId === this.project) {
        this.entered.resolve();
        if (this.failing) throw new Error('object store unavailable');
        await this.gate.promise;
      }
      return super.publish(datasetId, versionId, stagedDir, files);
    }
  }
  const intervalCutter = (sink: FlakySink) => {
    const config = configOf({ REGISTRY_CUT_INTERVAL_SECONDS: '1' });
    const cutter = new VersionCutter(config, new Outbox('labelloop/dataset-registry'), sink, quiet, new Metrics('registry-test'));
    return { writer: new ItemWriter(config, quiet), cutter, worker: new CutWorker(ds, config, quiet, cutter) };
  };

  it('uploads the export after the cut commits: a slow upload does not hold the dataset', async () => {
    const project = `slow-${run}`;
    const sink = new FlakySink(project);
    const s = intervalCutter(sink);
    await apply(s, project, [
      { item: `${project}-a`, label: 'spam' },
      { item: `${project}-b`, label: 'ham' },
    ]);
    await sleep(1100); // due: pending for REGISTRY_CUT_INTERVAL_SECONDS
    const cutting = s.worker.cutDue();
    const started = new AbortController();
    await Promise.race([
      sink.entered.promise,
      sleep(30_000, started.signal).then(() => {
        if (!started.signal.aborted) throw new Error('the upload never started');
      }),
    ]);
    started.abort();
    // The upload is under way: a label for the same dataset goes through without waiting for it.
    const applied = apply(s, project, [{ item: `${project}-c`, label: 'ham' }]).then(() => 'applied');
    const waited = new AbortController();
    const outcome = await Promise.race([applied, sleep(5000, waited.signal).then(() => 'still waiting for the upload')]);
    waited.abort();
    sink.gate.resolve();
    await cutting;
    await applied;
    expect(outcome).toBe('applied');
    const [v1] = await ds.manager.query('SELECT * FROM dataset_version WHERE dataset_id = $1 ORDER BY number', [project]);
    expect(v1).toMatchObject({ number: 1, item_count: 2, status: 'approved' });
    expect(v1.export_uri).toMatch(/^file:\/\//);
    const announced = await outboxFor(project);
    expect(announced.map((a) => [a.versionId, a.exportUri, a.manifestSha256])).toEqual([[v1.version_id, v1.export_uri, v1.manifest_sha256]]);
  });

  it('keeps the version when its upload fails, and announces it once when a later attempt succeeds', async () => {
    const project = `failing-${run}`;
    const sink = new FlakySink(project);
    sink.failing = true;
    sink.gate.resolve();
    const s = intervalCutter(sink);
    await apply(s, project, [
      { item: `${project}-a`, label: 'spam' },
      { item: `${project}-b`, label: 'ham' },
    ]);
    await sleep(1100);
    await s.worker.cutDue().catch(() => undefined);
    const versions = () => ds.manager.query('SELECT * FROM dataset_version WHERE dataset_id = $1 ORDER BY number', [project]) as Promise<VersionRow[]>;
    const [cut] = await versions();
    expect(cut).toMatchObject({ number: 1, status: 'approved', export_uri: '' }); // stored, not yet exported
    expect(await outboxFor(project)).toEqual([]); // nothing announced without an export
    sink.failing = false;
    await s.worker.cutDue();
    await s.worker.cutDue(); // a second pass finds nothing left to do
    const [done, ...more] = await versions();
    expect(more).toEqual([]);
    expect(done).toMatchObject({ version_id: cut.version_id, number: 1 });
    expect(done.export_uri).toMatch(/^file:\/\//);
    const announced = await outboxFor(project);
    expect(announced.map((a) => [a.versionId, a.exportUri])).toEqual([[cut.version_id, done.export_uri]]);
  });

  it('upgrades a dataset versioned before tries: the first cut builds its trie from all items', async () => {
    const legacySchema = `reglegacy_${run}`;
    const old = createServiceDataSource({ url: dbUrl, schema: legacySchema, migrations: [CreateRegistryTables1732360000000] });
    await old.initialize();
    try {
      await migrate(old);
      const recs: ItemRecord[] = ['a', 'b', 'c'].map((x, i) => ({
        itemId: x,
        inputUri: `u/${x}`,
        contentHash: `h${x}`,
        label: i ? 'spam' : 'ham',
        split: assignSplit(`h${x}`, false, 80, 10),
        confidence: 1,
        agreement: 1,
      }));
      for (const r of recs) {
        await old.query(
          `INSERT INTO dataset_item (item_id, dataset_id, record, record_hash, split, label, model_id, model_version, source_event_id, pending) VALUES ($1, 'legacy', $2, $3, $4, $5, 'm', '1', 'src', $6)`,
          [r.itemId, r, recordHash(r), r.split, r.label, r.itemId === 'c'],
        );
      }
      await old.query(
        `INSERT INTO dataset_version (version_id, dataset_id, number, parent_version_id, item_count, new_items, counts, export_uri, manifest_sha256, model_id, model_versions)
         VALUES ('flat-root', 'legacy', 1, NULL, 2, 2, '[]', 'file:///old', 'x', 'm', '{m@1}')`,
      );
      await old.destroy();
      const upgraded = createServiceDataSource({ url: dbUrl, schema: legacySchema, migrations });
      await upgraded.initialize();
      try {
        expect(await migrate(upgraded)).toEqual([
          'RegistryTrieVersions1732450000000',
          'RegistryItemFeatures1732540000000',
          'RegistryItemPerDataset1733460000000',
        ]);
        const config = configOf();
        const cutter = new VersionCutter(config, new Outbox('labelloop/dataset-registry'), new LocalDirSink(dir), quiet, new Metrics('registry-test'));
        const v2 = must((await upgraded.transaction((em) => cutter.cut(em, 'legacy', 'request'))).version);
        expect(v2).toMatchObject({ number: 2, previous_version_id: 'flat-root', parent_version_id: 'flat-root', item_count: 3, status: 'approved' });
        expect(v2.version_id).toBe(
          await fromEntries(
            new MemoryNodeStore(),
            recs.map((r) => ({ itemId: r.itemId, recordHash: recordHash(r) })),
          ),
        );
        expect(v2.qa).toMatchObject({ items: 3, meanConfidence: 1 });
      } finally {
        await upgraded.query(`DROP SCHEMA "${legacySchema}" CASCADE`).catch(() => undefined);
        await upgraded.destroy();
      }
    } finally {
      if (old.isInitialized) await old.destroy();
    }
  });
});
