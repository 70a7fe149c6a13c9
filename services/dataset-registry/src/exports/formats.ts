import { createReadStream } from 'node:fs';
import { FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ExportFormat } from '../registry.config';
import { BoxRecord, canonicalJson, ItemRecord, LabelType, labelTypeOf, SpanRecord } from '../versions/content-address';
import { HfWriter, PreferenceWriter, SpansWriter, YoloWriter } from './task-formats';

/** The single-file formats that hold every record, and their file names in a version's export directory. */
export type RecordFormat = 'jsonl' | 'csv' | 'coco' | 'parquet';
export const FILE_NAMES: Record<RecordFormat, string> = {
  jsonl: 'data.jsonl',
  csv: 'data.csv',
  coco: 'coco.json',
  parquet: 'data.parquet',
};

/** What a format wrote: its files (paths relative to the export directory) and the items it left out. */
export interface WrittenFormat {
  files: { name: string; records: number }[];
  skipped?: number;
  /** Why items were left out (e.g. YOLO: box items without an image size). */
  note?: string;
}

/** Streams records of one version into the files of one format. */
export interface FormatWriter {
  readonly format: ExportFormat;
  write(records: ItemRecord[]): Promise<void>;
  /** Finishes the files. */
  close(): Promise<WrittenFormat>;
}

/** Buffered text output to a file. */
export class TextOut {
  private parts: string[] = [];
  private pending = 0;
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}
  static async open(file: string): Promise<TextOut> {
    await mkdir(path.dirname(file), { recursive: true });
    return new TextOut(file, await open(file, 'w'));
  }
  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    await this.fh.write(this.parts.join(''));
    this.parts = [];
    this.pending = 0;
  }
  async close(): Promise<void> {
    await this.flush();
    await this.fh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// JSONL: one canonical-JSON record per line, so sha256(line) is the record hash in the trie.

class JsonlWriter implements FormatWriter {
  readonly format = 'jsonl' as const;
  private n = 0;
  constructor(private readonly out: TextOut) {}
  async write(records: ItemRecord[]): Promise<void> {
    for (const r of records) await this.out.write(canonicalJson(r) + '\n');
    this.n += records.length;
  }
  async close(): Promise<WrittenFormat> {
    await this.out.close();
    return { files: [{ name: FILE_NAMES[this.format], records: this.n }] };
  }
}

export async function readJsonl(file: string): Promise<ItemRecord[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ItemRecord);
}

// ---------------------------------------------------------------------------------------------
// The label fields of the task types other than classification and boxes, as flat columns
// (CSV and Parquet): the task type, spans, free-text answer, chosen side, item text, image size.

interface TypeColumns {
  label_type: LabelType;
  spans?: SpanRecord[];
  text?: string;
  chosen?: string;
  content_text?: string;
  image_width?: number;
  image_height?: number;
}

function typeColumnsOf(r: ItemRecord): TypeColumns {
  return {
    label_type: labelTypeOf(r),
    spans: r.spans,
    text: r.text,
    chosen: r.chosen,
    content_text: r.contentText,
    image_width: r.imageWidth,
    image_height: r.imageHeight,
  };
}

/** Puts the columns of `typeColumnsOf` back on a record (absent or empty columns stay absent, except the type's own field). */
function withTypeColumns(r: ItemRecord, c: TypeColumns): ItemRecord {
  if (c.label_type === 'spans') r.spans = (c.spans ?? []).map((s) => ({ start: s.start, end: s.end, label: s.label }));
  if (c.label_type === 'text') r.text = c.text ?? '';
  if (c.label_type === 'preference') r.chosen = c.chosen ?? '';
  if (c.content_text) r.contentText = c.content_text;
  if (c.image_width && c.image_height) {
    r.imageWidth = c.image_width;
    r.imageHeight = c.image_height;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180): numbers in shortest round-trip form, boxes and spans as JSON arrays (empty
// cells for items without them), then the task type, free-text answer, chosen side, item text
// and image size.

export const CSV_COLUMNS = [
  'item_id',
  'input_uri',
  'content_hash',
  'label',
  'split',
  'confidence',
  'agreement',
  'boxes',
  'label_type',
  'spans',
  'text',
  'chosen',
  'content_text',
  'image_width',
  'image_height',
] as const;

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

class CsvWriter implements FormatWriter {
  readonly format = 'csv' as const;
  private n = 0;
  constructor(private readonly out: TextOut) {}
  async start(): Promise<this> {
    await this.out.write(CSV_COLUMNS.join(',') + '\r\n');
    return this;
  }
  async write(records: ItemRecord[]): Promise<void> {
    for (const r of records) {
      const t = typeColumnsOf(r);
      const cells = [
        ...[r.itemId, r.inputUri, r.contentHash, r.label, r.split, String(r.confidence), String(r.agreement), r.boxes ? JSON.stringify(r.boxes) : ''],
        ...[
          t.label_type,
          t.spans ? JSON.stringify(t.spans) : '',
          t.text ?? '',
          t.chosen ?? '',
          t.content_text ?? '',
          String(t.image_width ?? ''),
          String(t.image_height ?? ''),
        ],
      ];
      await this.out.write(cells.map(csvCell).join(',') + '\r\n');
    }
    this.n += records.length;
  }
  async close(): Promise<WrittenFormat> {
    await this.out.close();
    return { files: [{ name: FILE_NAMES[this.format], records: this.n }] };
  }
}

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export async function readCsv(file: string): Promise<ItemRecord[]> {
  const [header, ...rows] = parseCsv(await readFile(file, 'utf8'));
  if (header.join(',') !== CSV_COLUMNS.join(',')) throw new Error(`unexpected CSV header ${header.join(',')}`);
  return rows.map((c) => {
    const r: ItemRecord = { itemId: c[0], inputUri: c[1], contentHash: c[2], label: c[3], split: c[4], confidence: Number(c[5]), agreement: Number(c[6]) };
    if (c[7]) r.boxes = JSON.parse(c[7]) as BoxRecord[];
    return withTypeColumns(r, {
      label_type: c[8] as LabelType,
      spans: c[9] ? (JSON.parse(c[9]) as SpanRecord[]) : undefined,
      text: c[10],
      chosen: c[11],
      content_text: c[12],
      image_width: Number(c[13]) || undefined,
      image_height: Number(c[14]) || undefined,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// COCO: one image per classification or box item (file_name = input URI; width/height from the
// LabelAccepted event when it carried them, else omitted), one category per class (ids 1..K in
// name order). Span, free-text and preference items are left out (counted as skipped). Box items get one
// annotation per box with `bbox` [x, y, width, height] and `area`; classification items get
// one annotation per class with only `category_id` (no bbox: a COCO-style image-level label).
// LabelLoop fields ride along as `labelloop_*` keys on images so the file round-trips.

interface CocoImage {
  id: number;
  file_name: string;
  labelloop_item_id: string;
  labelloop_content_hash: string;
  labelloop_split: string;
  labelloop_confidence: number;
  labelloop_agreement: number;
  labelloop_label_type: 'classification' | 'boxes';
  labelloop_content_text?: string;
  width?: number;
  height?: number;
}
interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  iscrowd: 0;
  bbox?: [number, number, number, number];
  area?: number;
}
export interface CocoDataset {
  info: Record<string, string>;
  licenses: unknown[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: { id: number; name: string; supercategory: string }[];
}

class CocoWriter implements FormatWriter {
  readonly format = 'coco' as const;
  private n = 0;
  private annId = 0;
  private readonly categories = new Map<string, number>();
  private firstImage = true;
  private firstAnn = true;

  constructor(
    private readonly out: TextOut,
    private readonly side: TextOut,
    private readonly info: Record<string, string>,
    categories: string[],
  ) {
    [...new Set(categories)].sort().forEach((c, i) => this.categories.set(c, i + 1));
  }

  async start(): Promise<this> {
    await this.out.write(`{"info":${JSON.stringify(this.info)},"licenses":[],"images":[`);
    return this;
  }

  private category(name: string): number {
    let id = this.categories.get(name);
    if (id === undefined) {
      id = this.categories.size + 1;
      this.categories.set(name, id);
    }
    return id;
  }

  private skipped = 0;

  async write(records: ItemRecord[]): Promise<void> {
    for (const r of records) {
      if (r.spans || r.text !== undefined || r.chosen !== undefined) {
        this.skipped++;
        continue;
      }
      const imageId = ++this.n;
      const boxes = r.boxes && r.boxes.length > 0 ? r.boxes : undefined;
      const image: CocoImage = {
        id: imageId,
        file_name: r.inputUri,
        labelloop_item_id: r.itemId,
        labelloop_content_hash: r.contentHash,
        labelloop_split: r.split,
        labelloop_confidence: r.confidence,
        labelloop_agreement: r.agreement,
        labelloop_label_type: boxes ? 'boxes' : 'classification',
        ...(r.contentText ? { labelloop_content_text: r.contentText } : {}),
        ...(r.imageWidth && r.imageHeight ? { width: r.imageWidth, height: r.imageHeight } : {}),
      };
      await this.out.write((this.firstImage ? '' : ',') + JSON.stringify(image));
      this.firstImage = false;
      const anns: CocoAnnotation[] = boxes
        ? boxes.map((b) => ({
            id: ++this.annId,
            image_id: imageId,
            category_id: this.category(b.label),
            iscrowd: 0,
            bbox: [b.x, b.y, b.width, b.height],
            area: b.width * b.height,
          }))
        : r.label.split('|').map((c) => ({ id: ++this.annId, image_id: imageId, category_id: this.category(c), iscrowd: 0 }));
      for (const a of anns) {
        await this.side.write((this.firstAnn ? '' : ',') + JSON.stringify(a));
        this.firstAnn = false;
      }
    }
  }

  async close(): Promise<WrittenFormat> {
    await this.side.close();
    await this.out.write('],"annotations":[');
    await this.out.flush();
    for await (const chunk of createReadStream(this.side.path, { encoding: 'utf8' })) await this.out.write(chunk as string);
    const cats = [...this.categories].sort((a, b) => a[1] - b[1]).map(([name, id]) => ({ id, name, supercategory: 'label' }));
    await this.out.write(`],"categories":${JSON.stringify(cats)}}`);
    await this.out.close();
    const { rm } = await import('node:fs/promises');
    await rm(this.side.path, { force: true });
    return {
      files: [{ name: FILE_NAMES.coco, records: this.n }],
      ...(this.skipped ? { skipped: this.skipped, note: 'span, free-text and preference items are not images: left out of COCO' } : {}),
    };
  }
}

export async function readCoco(file: string): Promise<ItemRecord[]> {
  const coco = JSON.parse(await readFile(file, 'utf8')) as CocoDataset;
  const names = new Map(coco.categories.map((c) => [c.id, c.name]));
  const name = (id: number) => {
    const n = names.get(id);
    if (n === undefined) throw new Error(`COCO annotation refers to unknown category ${id}`);
    return n;
  };
  const byImage = new Map<number, CocoAnnotation[]>();
  for (const a of coco.annotations) byImage.set(a.image_id, [...(byImage.get(a.image_id) ?? []), a]);
  return coco.images.map((img) => {
    const anns = byImage.get(img.id) ?? [];
    const r: ItemRecord = {
      itemId: img.labelloop_item_id,
      inputUri: img.file_name,
      contentHash: img.labelloop_content_hash,
      label: '',
      split: img.labelloop_split,
      confidence: img.labelloop_confidence,
      agreement: img.labelloop_agreement,
    };
    if (img.labelloop_content_text) r.contentText = img.labelloop_content_text;
    if (img.width && img.height) {
      r.imageWidth = img.width;
      r.imageHeight = img.height;
    }
    if (img.labelloop_label_type === 'boxes') {
      r.boxes = anns.map((a) => {
        const [x, y, width, height] = a.bbox ?? [0, 0, 0, 0];
        return { x, y, width, height, label: name(a.category_id) };
      });
      r.label = [...new Set(r.boxes.map((b) => b.label))].sort().join('|');
    } else {
      r.label = anns.map((a) => name(a.category_id)).join('|');
    }
    return r;
  });
}

// ---------------------------------------------------------------------------------------------
// Parquet (via @dsnp/parquetjs): the CSV's columns, with `boxes` as a repeated group
// {x, y, width, height, label} and `spans` as a repeated group {start, end, label} (empty for
// items without them), the others optional; SNAPPY-compressed.

type Parquet = typeof import('@dsnp/parquetjs');
let parquetModule: Promise<Parquet> | undefined;
// Loaded on first use: it is large and only exports need it.
const parquet = () => (parquetModule ??= import('@dsnp/parquetjs'));

async function parquetSchema() {
  const { ParquetSchema } = await parquet();
  return new ParquetSchema({
    item_id: { type: 'UTF8', compression: 'SNAPPY' },
    input_uri: { type: 'UTF8', compression: 'SNAPPY' },
    content_hash: { type: 'UTF8', compression: 'SNAPPY' },
    label: { type: 'UTF8', compression: 'SNAPPY' },
    split: { type: 'UTF8', compression: 'SNAPPY' },
    confidence: { type: 'DOUBLE' },
    agreement: { type: 'DOUBLE' },
    boxes: {
      repeated: true,
      fields: {
        x: { type: 'DOUBLE' },
        y: { type: 'DOUBLE' },
        width: { type: 'DOUBLE' },
        height: { type: 'DOUBLE' },
        label: { type: 'UTF8' },
      },
    },
    label_type: { type: 'UTF8' },
    spans: {
      repeated: true,
      fields: {
        start: { type: 'INT32' },
        end: { type: 'INT32' },
        label: { type: 'UTF8' },
      },
    },
    text: { type: 'UTF8', optional: true, compression: 'SNAPPY' },
    chosen: { type: 'UTF8', optional: true },
    content_text: { type: 'UTF8', optional: true, compression: 'SNAPPY' },
    image_width: { type: 'INT32', optional: true },
    image_height: { type: 'INT32', optional: true },
  });
}

/** The Parquet row of a record (columns an item does not have are undefined: null in the file). */
export function parquetRowOf(r: ItemRecord): Record<string, unknown> {
  return {
    item_id: r.itemId,
    input_uri: r.inputUri,
    content_hash: r.contentHash,
    label: r.label,
    split: r.split,
    confidence: r.confidence,
    agreement: r.agreement,
    boxes: r.boxes ?? [],
    ...typeColumnsOf(r),
    spans: r.spans ?? [],
  };
}

class ParquetFileWriter implements FormatWriter {
  readonly format = 'parquet' as const;
  private n = 0;
  constructor(private readonly w: Awaited<ReturnType<Parquet['ParquetWriter']['openFile']>>) {}
  static async open(file: string): Promise<ParquetFileWriter> {
    const { ParquetWriter } = await parquet();
    return new ParquetFileWriter(await ParquetWriter.openFile(await parquetSchema(), file, { rowGroupSize: 8192 }));
  }
  async write(records: ItemRecord[]): Promise<void> {
    for (const r of records) {
      await this.w.appendRow(parquetRowOf(r));
    }
    this.n += records.length;
  }
  async close(): Promise<WrittenFormat> {
    await this.w.close();
    return { files: [{ name: FILE_NAMES.parquet, records: this.n }] };
  }
}

export async function readParquet(file: string): Promise<ItemRecord[]> {
  const { ParquetReader } = await parquet();
  const reader = await ParquetReader.openFile(file);
  const out: ItemRecord[] = [];
  try {
    const cursor = reader.getCursor();
    for (let row = (await cursor.next()) as Record<string, unknown> | null; row; row = (await cursor.next()) as Record<string, unknown> | null) {
      const r: ItemRecord = {
        itemId: row.item_id as string,
        inputUri: row.input_uri as string,
        contentHash: row.content_hash as string,
        label: row.label as string,
        split: row.split as string,
        confidence: row.confidence as number,
        agreement: row.agreement as number,
      };
      const boxes = (row.boxes as BoxRecord[] | undefined) ?? [];
      if (boxes.length > 0) r.boxes = boxes.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height, label: b.label }));
      out.push(withTypeColumns(r, row as unknown as TypeColumns));
    }
  } finally {
    await reader.close();
  }
  return out;
}

/** Opens a writer of `format` whose files go into `dir` (a temporary directory; the caller moves them into place). */
export async function openWriter(format: ExportFormat, dir: string, ctx: { info: Record<string, string>; categories: string[] }): Promise<FormatWriter> {
  const file = format in FILE_NAMES ? path.join(dir, FILE_NAMES[format as RecordFormat]) : '';
  switch (format) {
    case 'jsonl':
      return new JsonlWriter(await TextOut.open(file));
    case 'csv':
      return new CsvWriter(await TextOut.open(file)).start();
    case 'coco':
      return new CocoWriter(await TextOut.open(file), await TextOut.open(`${file}.annotations`), ctx.info, ctx.categories).start();
    case 'parquet':
      return ParquetFileWriter.open(file);
    case 'yolo':
      return new YoloWriter(dir, ctx.categories);
    case 'spans':
      return new SpansWriter(await TextOut.open(path.join(dir, 'spans.jsonl')));
    case 'hf':
      return new HfWriter(dir, ctx.info);
    case 'preference':
      return new PreferenceWriter(await TextOut.open(path.join(dir, 'preference.jsonl')));
  }
}

/** Reads back a file written by `openWriter` (used by the round-trip tests and by tools). */
export function readExport(format: RecordFormat, file: string): Promise<ItemRecord[]> {
  switch (format) {
    case 'jsonl':
      return readJsonl(file);
    case 'csv':
      return readCsv(file);
    case 'coco':
      return readCoco(file);
    case 'parquet':
      return readParquet(file);
  }
}
