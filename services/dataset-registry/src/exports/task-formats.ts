import * as path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { ItemRecord, labelTypeOf, preferencePairOf, SPLITS } from '../versions/content-address';
import { segment } from './sink';
import type { FormatWriter, WrittenFormat } from './formats';
import { TextOut } from './formats';

// Exports for one task type each (README, "Exports"): YOLO detection labels, span JSONL,
// preference pairs, and a Hugging Face `datasets` folder with every item. Each writes only the
// items its format can hold and reports the others as skipped, with a note in the manifest.

/** What a writer wrote, with the items it left out (count and reason per cause) summed into `skipped` and `note`. */
function written(files: WrittenFormat['files'], left: [number, string][]): WrittenFormat {
  const causes = left.filter(([n]) => n > 0);
  if (causes.length === 0) return { files };
  return { files, skipped: causes.reduce((a, [n]) => a + n, 0), note: causes.map(([n, why]) => `${n} ${why}`).join('; ') };
}

// ---------------------------------------------------------------------------------------------
// YOLO (Ultralytics layout): `yolo/labels/<split>/<stem>.txt` per box image, one line
// `class cx cy w h` per box, normalised by the image size (6 decimals); `yolo/<split>.txt`
// lists the image paths `images/<split>/<stem><ext>` (put the images there; `yolo/sources.jsonl`
// maps each to its input URI and item id); `yolo/data.yaml` and `yolo/classes.txt` name the
// classes (ids 0..K-1 in name order). The stem is the item id, percent-encoded. Box items
// without an image size are refused (listed in `yolo/refused.txt`): YOLO coordinates cannot
// be computed without it.

const IMAGE_EXT = /\.(jpe?g|png|bmp|webp|tiff?)$/i;

export class YoloWriter implements FormatWriter {
  readonly format = 'yolo' as const;
  private readonly classes = new Map<string, number>();
  private readonly perSplit = new Map<string, number>();
  private readonly lists = new Map<string, TextOut>();
  private readonly files: { name: string; records: number }[] = [];
  private sources?: TextOut;
  private refused?: TextOut;
  private nRefused = 0;
  private notBoxes = 0;

  constructor(
    private readonly dir: string,
    categories: string[],
  ) {
    [...new Set(categories)].sort().forEach((c, i) => this.classes.set(c, i));
  }

  private classId(name: string): number {
    let id = this.classes.get(name);
    if (id === undefined) this.classes.set(name, (id = this.classes.size));
    return id;
  }

  private async list(split: string): Promise<TextOut> {
    let out = this.lists.get(split);
    if (!out) this.lists.set(split, (out = await TextOut.open(path.join(this.dir, 'yolo', `${split}.txt`))));
    return out;
  }

  async write(records: ItemRecord[]): Promise<void> {
    for (const r of records) {
      if (!r.boxes) {
        this.notBoxes++;
        continue;
      }
      const w = r.imageWidth;
      const h = r.imageHeight;
      if (!w || !h) {
        this.refused ??= await TextOut.open(path.join(this.dir, 'yolo', 'refused.txt'));
        await this.refused.write(`${r.itemId}\tno image size (image_width/image_height) in its LabelAccepted\n`);
        this.nRefused++;
        continue;
      }
      const stem = segment(r.itemId);
      const ext = IMAGE_EXT.exec(r.inputUri.split(/[?#]/)[0])?.[0].toLowerCase() ?? '.jpg';
      const image = `images/${r.split}/${stem}${ext}`;
      const lines = r.boxes.map((b) =>
        [this.classId(b.label), (b.x + b.width / 2) / w, (b.y + b.height / 2) / h, b.width / w, b.height / h]
          .map((v, i) => (i === 0 ? String(v) : v.toFixed(6)))
          .join(' '),
      );
      const name = `yolo/labels/${r.split}/${stem}.txt`;
      if (!this.perSplit.has(r.split)) await mkdir(path.join(this.dir, 'yolo', 'labels', r.split), { recursive: true });
      await writeFile(path.join(this.dir, name), lines.map((l) => l + '\n').join(''));
      this.files.push({ name, records: 1 });
      await (await this.list(r.split)).write(`./${image}\n`);
      this.sources ??= await TextOut.open(path.join(this.dir, 'yolo', 'sources.jsonl'));
      await this.sources.write(JSON.stringify({ image, input_uri: r.inputUri, item_id: r.itemId }) + '\n');
      this.perSplit.set(r.split, (this.perSplit.get(r.split) ?? 0) + 1);
    }
  }

  async close(): Promise<WrittenFormat> {
    const out: { name: string; records: number }[] = [];
    for (const split of SPLITS) {
      const l = this.lists.get(split);
      if (!l) continue;
      await l.close();
      out.push({ name: `yolo/${split}.txt`, records: this.perSplit.get(split) ?? 0 });
    }
    const images = [...this.perSplit.values()].reduce((a, b) => a + b, 0);
    if (this.sources) {
      await this.sources.close();
      out.push({ name: 'yolo/sources.jsonl', records: images });
    }
    if (this.refused) {
      await this.refused.close();
      out.push({ name: 'yolo/refused.txt', records: this.nRefused });
    }
    const names = [...this.classes].sort((a, b) => a[1] - b[1]).map(([n]) => n);
    const splitKey: Record<string, string> = { train: 'train', validation: 'val', test: 'test' };
    const yaml = [
      '# YOLO detection labels written by the LabelLoop dataset registry.',
      '# Images go to images/<split>/ under the names listed in <split>.txt (sources.jsonl maps them to their input URIs).',
      'path: .',
      ...SPLITS.filter((s) => this.lists.has(s)).map((s) => `${splitKey[s]}: ${s}.txt`),
      `nc: ${names.length}`,
      'names:',
      ...names.map((n, i) => `  ${i}: ${JSON.stringify(n)}`),
      '',
    ].join('\n');
    await writeFile(path.join(this.dir, 'yolo', 'data.yaml'), yaml);
    await writeFile(path.join(this.dir, 'yolo', 'classes.txt'), names.map((n) => n + '\n').join(''));
    out.push({ name: 'yolo/data.yaml', records: images }, { name: 'yolo/classes.txt', records: names.length });
    return written(
      [...out, ...this.files],
      [
        [this.nRefused, 'box items refused: no image size (image_width/image_height) in their LabelAccepted; listed in yolo/refused.txt'],
        [this.notBoxes, 'items are not box items'],
      ],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Spans: `spans.jsonl`, one line per span item: {"text", "spans": [{"start","end","label"}],
// "item_id", "split"} with character offsets [start, end) into text (JavaScript string
// indices: UTF-16 code units, equal to Python's for text without characters beyond U+FFFF).
// The layout of spaCy's / Prodigy's JSONL with character-offset spans.

export class SpansWriter implements FormatWriter {
  readonly format = 'spans' as const;
  private n = 0;
  private skipped = 0;
  constructor(private readonly out: TextOut) {}
  async write(records: ItemRecord[]): Promise<void> {
    for (const r of records) {
      if (!r.spans) {
        this.skipped++;
        continue;
      }
      const spans = r.spans.map((s) => ({ start: s.start, end: s.end, label: s.label }));
      await this.out.write(JSON.stringify({ text: r.contentText ?? '', spans, item_id: r.itemId, split: r.split }) + '\n');
      this.n++;
    }
  }
  async close(): Promise<WrittenFormat> {
    await this.out.close();
    return {
      files: [{ name: 'spans.jsonl', records: this.n }],
      ...(this.skipped ? { skipped: this.skipped, note: `${this.skipped} items are not span items` } : {}),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Preference pairs: `preference.jsonl`, one line per preference item: {"prompt", "chosen",
// "rejected", "item_id", "split"}: the texts of the chosen and the other output (the layout
// TRL's DPO trainer reads).

export class PreferenceWriter implements FormatWriter {
  readonly format = 'preference' as const;
  private n = 0;
  private notPreference = 0;
  private unreadable = 0;
  constructor(private readonly out: TextOut) {}
  async write(records: ItemRecord[]): Promise<void> {
    for (const r of records) {
      if (r.chosen === undefined) {
        this.notPreference++;
        continue;
      }
      const pair = preferencePairOf(r.contentText);
      if (!pair || (r.chosen !== 'a' && r.chosen !== 'b')) {
        this.unreadable++;
        continue;
      }
      const [chosen, rejected] = r.chosen === 'a' ? [pair.a, pair.b] : [pair.b, pair.a];
      await this.out.write(JSON.stringify({ prompt: pair.prompt, chosen, rejected, item_id: r.itemId, split: r.split }) + '\n');
      this.n++;
    }
  }
  async close(): Promise<WrittenFormat> {
    await this.out.close();
    return written(
      [{ name: 'preference.jsonl', records: this.n }],
      [
        [this.notPreference, 'items are not preference items'],
        [this.unreadable, 'preference items without a {"prompt","a","b"} content text'],
      ],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Hugging Face: `hf/data/<split>.jsonl` (every item, every key on every row) and `hf/README.md`,
// a dataset card whose YAML front matter lists the data files per split (`configs`) and the
// features (`dataset_info`), so `datasets.load_dataset("<export>/hf")` loads it with these types.

/** The features of a row of the Hugging Face export, as the dataset card declares them. */
export const HF_FEATURES: [name: string, dtype: string | [string, string][]][] = [
  ['item_id', 'string'],
  ['input_uri', 'string'],
  ['content_hash', 'string'],
  ['split', 'string'],
  ['label_type', 'string'],
  ['label', 'string'],
  ['confidence', 'float64'],
  ['agreement', 'float64'],
  ['content_text', 'string'],
  ['answer', 'string'],
  ['chosen', 'string'],
  [
    'spans',
    [
      ['start', 'int64'],
      ['end', 'int64'],
      ['label', 'string'],
    ],
  ],
  [
    'boxes',
    [
      ['x', 'float64'],
      ['y', 'float64'],
      ['width', 'float64'],
      ['height', 'float64'],
      ['label', 'string'],
    ],
  ],
  ['image_width', 'int64'],
  ['image_height', 'int64'],
];

/** One row of the Hugging Face export. */
export function hfRow(r: ItemRecord): Record<string, unknown> {
  return {
    item_id: r.itemId,
    input_uri: r.inputUri,
    content_hash: r.contentHash,
    split: r.split,
    label_type: labelTypeOf(r),
    label: r.label,
    confidence: r.confidence,
    agreement: r.agreement,
    content_text: r.contentText ?? '',
    answer: r.text ?? '',
    chosen: r.chosen ?? '',
    spans: (r.spans ?? []).map((s) => ({ start: s.start, end: s.end, label: s.label })),
    boxes: (r.boxes ?? []).map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height, label: b.label })),
    image_width: r.imageWidth ?? 0,
    image_height: r.imageHeight ?? 0,
  };
}

export class HfWriter implements FormatWriter {
  readonly format = 'hf' as const;
  private readonly outs = new Map<string, TextOut>();
  private readonly counts = new Map<string, number>();
  constructor(
    private readonly dir: string,
    private readonly info: Record<string, string>,
  ) {}
  async write(records: ItemRecord[]): Promise<void> {
    for (const r of records) {
      let out = this.outs.get(r.split);
      if (!out) this.outs.set(r.split, (out = await TextOut.open(path.join(this.dir, 'hf', 'data', `${r.split}.jsonl`))));
      await out.write(JSON.stringify(hfRow(r)) + '\n');
      this.counts.set(r.split, (this.counts.get(r.split) ?? 0) + 1);
    }
  }
  async close(): Promise<WrittenFormat> {
    const splits = [...this.outs.keys()].sort((a, b) => SPLITS.indexOf(a as never) - SPLITS.indexOf(b as never) || (a < b ? -1 : 1));
    for (const s of splits) await this.outs.get(s)?.close();
    const feature = ([name, t]: (typeof HF_FEATURES)[number]) =>
      typeof t === 'string'
        ? [`  - name: ${name}`, `    dtype: ${t}`]
        : [`  - name: ${name}`, '    list:', ...t.flatMap(([n, d]) => [`    - name: ${n}`, `      dtype: ${d}`])];
    const card = [
      '---',
      `pretty_name: ${JSON.stringify(this.info.description ?? 'LabelLoop dataset')}`,
      'configs:',
      '- config_name: default',
      '  data_files:',
      ...splits.flatMap((s) => [`  - split: ${s}`, `    path: data/${s}.jsonl`]),
      'dataset_info:',
      '  features:',
      ...HF_FEATURES.flatMap(feature),
      '  splits:',
      ...splits.flatMap((s) => [`  - name: ${s}`, `    num_examples: ${this.counts.get(s)}`]),
      '---',
      '',
      `# ${this.info.description ?? 'LabelLoop dataset'}`,
      '',
      `Version \`${this.info.version ?? ''}\` (${this.info.hash_scheme ?? ''}), written by the LabelLoop dataset registry.`,
      'Load it with `datasets.load_dataset("<this folder>")`.',
      '',
      'One row per item. `label_type` is classification, spans, boxes, text or preference;',
      '`label` holds the classes (joined with `|`; for spans and boxes the distinct span or box labels, for a preference the chosen side `a` or `b`).',
      '`content_text` is the item text (span offsets are character offsets into it; for a preference it is the JSON `{"prompt","a","b"}`),',
      '`answer` the free-text label, `chosen` the preferred side, `spans` and `boxes` (pixels, `x`,`y` top-left) the structured labels,',
      '`image_width`/`image_height` the image size in pixels (0: unknown). `confidence` and `agreement` are the QA figures of the accepted label.',
      '',
    ].join('\n');
    await writeFile(path.join(this.dir, 'hf', 'README.md'), card);
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    return { files: [{ name: 'hf/README.md', records: total }, ...splits.map((s) => ({ name: `hf/data/${s}.jsonl`, records: this.counts.get(s) ?? 0 }))] };
  }
}
