/**
 * Exports of a real version (items written and cut against the real PostgreSQL server, as the
 * consumer and CutVersion do) re-load with the libraries users load them with, from PyPI:
 * pycocotools reads COCO (and COCOeval scores the ground truth against itself at AP 1), the
 * Hugging Face `datasets` library loads the `hf` folder with the features its dataset card
 * declares, the span and preference JSONL through `load_dataset("json")`, `data.parquet` with
 * pyarrow and `data.csv` with pandas.
 * Python side: services/dataset-registry/python/check_exports.py, in the virtualenv that
 * python/venv.sh makes once (pinned requirements.txt; about 30–40 s of pip the first time).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { migrations } from '../migrations';
import { registryConfigSchema } from '../registry.config';
import { labelEvents, TestLabel } from '../testing/label-events';
import { ItemRecord, labelTypeOf, preferencePairOf } from '../versions/content-address';
import { ItemWriter } from '../versions/item-writer';
import { VersionCutter } from '../versions/version-cutter';
import { versionRecords } from '../versions/version-row';
import { LocalDirSink } from './sink';
import { parquetRowOf } from './formats';
import { hfRow } from './task-formats';

const noop = () => undefined;
const quiet = { log: noop, warn: noop, error: noop, debug: noop, verbose: noop };
const PYTHON_DIR = path.resolve(__dirname, '../../python');

interface Loaded {
  num_rows: number;
  features: Record<string, string>;
  rows: Record<string, unknown>[];
}
interface ReaderOutput {
  versions: Record<string, string>;
  coco: {
    images: { item_id: string; file_name: string; width: number | null; height: number | null; annotations: { category: string; bbox: number[] | null }[] }[];
    categories: string[];
    self_ap: number;
  };
  hf: Record<string, Loaded>;
  spans: Record<string, Loaded>;
  preference: Record<string, Loaded>;
  parquet: Record<string, unknown>[];
  csv: Record<string, string>[];
}

describe('registry exports re-load with pycocotools and datasets (real PostgreSQL, PyPI readers)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `regread_${run}`;
  const project = `readers-${run}`;
  let ds: DataSource;
  let dir: string;
  let records: ItemRecord[];
  let out: ReaderOutput;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'registry-readers-'));
    ds = createServiceDataSource({ url: process.env.DATABASE_URL ?? '', schema, migrations });
    await ds.initialize();
    await migrate(ds);
    const config = registryConfigSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: process.env.DATABASE_URL,
      REGISTRY_EXPORT_DIR: dir,
      REGISTRY_EXPORT_FORMATS: 'jsonl,csv,coco,parquet,yolo,spans,hf,preference',
    });
    const writer = new ItemWriter(config, quiet);
    const cutter = new VersionCutter(config, new Outbox('labelloop/dataset-registry'), new LocalDirSink(dir), quiet, new Metrics('registry-readers'));
    const event = labelEvents(run);
    const text = (i: number) => `Ada ${i} met Bo in Rome and Oslo.`; // PER at [0,3+), LOC "Rome" and "Oslo"
    const labels: TestLabel[] = [
      ...Array.from({ length: 12 }, (_, i): TestLabel => {
        const t = text(i);
        return {
          item: `${project}-ner-${i}`,
          label: '',
          contentText: t,
          spans: [
            { start: 0, end: 3, label: 'PER' },
            { start: t.indexOf('Rome'), end: t.indexOf('Rome') + 4, label: 'LOC' },
            ...(i % 3 ? [{ start: t.indexOf('Oslo'), end: t.indexOf('Oslo') + 4, label: 'LOC' }] : []),
          ],
        };
      }),
      ...Array.from({ length: 12 }, (_, i): TestLabel => ({
        item: `${project}-img-${i}`,
        label: '',
        inputUri: `s3://images/${i}.jpg`,
        size: [640 + i, 480],
        boxes: [{ x: 10 + i, y: 20, width: 100, height: 50.5, label: 'dog' }, ...(i % 2 ? [{ x: 300, y: 200 + i, width: 40, height: 30, label: 'cat' }] : [])],
      })),
      ...Array.from({ length: 6 }, (_, i): TestLabel => ({
        item: `${project}-free-${i}`,
        label: '',
        contentText: `Summarise item ${i}.`,
        text: `Summary ${i}: ok.`,
      })),
      ...Array.from({ length: 6 }, (_, i): TestLabel => ({
        item: `${project}-pref-${i}`,
        label: '',
        contentText: JSON.stringify({ prompt: `Question ${i}?`, a: `Answer A${i}`, b: `Answer B${i} — “quoted”` }),
        chosen: i % 2 ? 'a' : 'b',
      })),
      ...Array.from({ length: 6 }, (_, i): TestLabel => ({ item: `${project}-cls-${i}`, label: i % 2 ? 'spam' : 'ham', contentText: `Mail ${i}` })),
    ];
    await ds.transaction((em) =>
      writer.apply(
        em,
        labels.map((l) => event(project, l)),
      ),
    );
    const cut = await ds.transaction((em) => cutter.cut(em, project, 'request'));
    const version = await cutter.publish(ds, project, cut.version?.version_id ?? '');
    expect(version.status).toBe('approved');
    records = [];
    for await (const b of versionRecords(ds.manager, version.version_id)) records.push(...b);
    const python = execFileSync('bash', [path.join(PYTHON_DIR, 'venv.sh')], { encoding: 'utf8', timeout: 900_000 }).trim();
    const { stdout } = await promisify(execFile)(python, [path.join(PYTHON_DIR, 'check_exports.py'), version.export_uri.slice('file://'.length)], {
      maxBuffer: 64 << 20,
      timeout: 300_000,
    });
    out = JSON.parse(stdout) as ReaderOutput;
  }, 1_200_000);
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('pycocotools reads the boxes with the image sizes from the events, and COCOeval scores the ground truth at AP 1', () => {
    const images = records.filter((r) => r.boxes || (!r.spans && r.text === undefined && r.chosen === undefined));
    expect(out.coco.images.map((i) => i.item_id)).toEqual(images.map((r) => r.itemId));
    for (const [img, r] of out.coco.images.map((i, k) => [i, images[k]] as const)) {
      expect({ item: img.item_id, width: img.width, height: img.height }).toEqual({
        item: r.itemId,
        width: r.imageWidth ?? null,
        height: r.imageHeight ?? null,
      });
      expect(img.annotations).toEqual(
        r.boxes
          ? r.boxes.map((b) => ({ category: b.label, bbox: [b.x, b.y, b.width, b.height] }))
          : r.label.split('|').map((c) => ({ category: c, bbox: null })),
      );
    }
    expect(out.coco.images.flatMap((i) => (i.width ? [i.width] : [])).sort()).toEqual(Array.from({ length: 12 }, (_, i) => 640 + i));
    expect(out.coco.categories).toEqual(['LOC', 'PER', 'a', 'b', 'cat', 'dog', 'ham', 'spam']);
    expect(out.coco.self_ap).toBe(1);
  });

  it('datasets.load_dataset loads the hf folder: the splits and features of its card, every item as written', () => {
    const bySplit = new Map<string, ItemRecord[]>();
    for (const r of records) bySplit.set(r.split, [...(bySplit.get(r.split) ?? []), r]);
    expect(Object.keys(out.hf).sort()).toEqual([...bySplit.keys()].sort());
    for (const [split, rs] of bySplit) {
      expect(out.hf[split].num_rows).toBe(rs.length);
      expect(out.hf[split].rows).toEqual(rs.map(hfRow));
    }
    const features = out.hf.train.features;
    expect(features.confidence).toBe("Value('float64')");
    expect(features.spans).toBe("List({'start': Value('int64'), 'end': Value('int64'), 'label': Value('string')})");
    expect(features.boxes).toBe(
      "List({'x': Value('float64'), 'y': Value('float64'), 'width': Value('float64'), 'height': Value('float64'), 'label': Value('string')})",
    );
  });

  it('load_dataset("json") reads the span JSONL: texts and character offsets as stored', () => {
    const spanItems = records.filter((r) => r.spans);
    expect(out.spans.train.rows).toEqual(spanItems.map((r) => ({ text: r.contentText, spans: r.spans, item_id: r.itemId, split: r.split })));
    for (const row of out.spans.train.rows as { text: string; spans: { start: number; end: number; label: string }[] }[]) {
      expect(row.spans.map((s) => row.text.slice(s.start, s.end))).toEqual(
        row.spans.map((s) => (s.label === 'PER' ? 'Ada' : row.text.slice(s.start, s.start + 4))),
      );
      expect(row.spans.filter((s) => s.label === 'LOC').every((s) => ['Rome', 'Oslo'].includes(row.text.slice(s.start, s.end)))).toBe(true);
    }
  });

  it('load_dataset("json") reads the preference pairs: prompt, chosen and rejected texts', () => {
    const prefs = records.filter((r) => r.chosen !== undefined);
    expect(out.preference.train.num_rows).toBe(6);
    expect(out.preference.train.rows).toEqual(
      prefs.map((r) => {
        const p = preferencePairOf(r.contentText);
        return { prompt: p?.prompt, chosen: r.chosen === 'a' ? p?.a : p?.b, rejected: r.chosen === 'a' ? p?.b : p?.a, item_id: r.itemId, split: r.split };
      }),
    );
  });

  it('pyarrow reads data.parquet and pandas reads data.csv: every item with the label of its type', () => {
    const t = (r: ItemRecord) => labelTypeOf(r);
    // Columns an item does not have are null in the file.
    expect(out.parquet).toEqual(records.map((r) => Object.fromEntries(Object.entries(parquetRowOf(r)).map(([k, v]) => [k, v ?? null]))));
    expect(out.csv.map((c) => [c.item_id, c.label_type, c.text, c.chosen, c.content_text, c.image_width, c.spans && JSON.parse(c.spans)])).toEqual(
      records.map((r) => [r.itemId, t(r), r.text ?? '', r.chosen ?? '', r.contentText ?? '', String(r.imageWidth ?? ''), r.spans ?? '']),
    );
  });
});
