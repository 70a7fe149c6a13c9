import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_EXPORT_FORMATS } from '../registry.config';
import { ItemRecord, recordHash } from '../versions/content-address';
import { manifestNameOf, normaliseFormats, writeExport } from './exporter';
import { FILE_NAMES, parseCsv, readExport } from './formats';
import { LocalDirSink } from './sink';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Records of every task type (classification single and multi-label, boxes with and without an image size, spans, free text, preference) with awkward text. */
function records(n: number): ItemRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const base = {
      itemId: i === 1 ? 'item,"quoted"\nline' : `item-${i}`,
      inputUri: i === 2 ? 'file:///a b/ç,ü.png' : `s3://bucket/img-${i}.png`,
      contentHash: `sha256:${sha(String(i))}`,
      split: ['train', 'validation', 'test'][i % 3],
      confidence: i === 3 ? 0.1 + 0.2 : (i % 97) / 97,
      agreement: i === 4 ? 1e-7 : 1 - (i % 13) / 13,
    };
    if (i % 5 === 0) {
      const boxes = [
        { x: i + 0.5, y: 2, width: 10.25, height: 3, label: 'dog' },
        { x: 1, y: 1 / 3, width: 0, height: 7, label: i % 2 ? 'car' : 'dog' },
      ];
      const size = i % 10 === 0 ? { imageWidth: 640, imageHeight: 480 + i } : {};
      return { ...base, label: [...new Set(boxes.map((b) => b.label))].sort().join('|'), boxes, ...size };
    }
    const text = `Ada, "Bo"\n${i} in Rome — ç`;
    if (i > 11 && i % 11 === 1) return { ...base, label: i % 2 ? 'LOC' : '', contentText: text, spans: i % 2 ? [{ start: 13, end: 17, label: 'LOC' }] : [] };
    if (i > 11 && i % 11 === 2) return { ...base, label: '', contentText: text, text: i % 4 ? `Answer, "${i}"\r\n` : '' };
    if (i > 11 && i % 11 === 3) return { ...base, label: 'a', chosen: 'a', contentText: JSON.stringify({ prompt: 'p', a: 'x', b: 'y' }) };
    if (i > 11 && i % 11 === 4) return { ...base, label: 'spam', contentText: text };
    return { ...base, label: i % 7 === 0 ? 'ham|spam' : i % 2 ? 'spam' : 'ham' };
  });
}

async function* batches(rs: ItemRecord[], size: number) {
  for (let i = 0; i < rs.length; i += size) yield rs.slice(i, i + size);
}

describe('exports', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'registry-export-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('round-trips every format: read back equals written', async () => {
    const rs = records(2503);
    const r = await writeExport(new LocalDirSink(dir), { datasetId: 'proj/1', versionId: 'v1', formats: [...DEFAULT_EXPORT_FORMATS] }, batches(rs, 700));
    expect(r.uri).toBe(`file://${path.join(dir, 'proj%2F1', 'v1')}`);
    expect(r.manifestName).toBe('manifest.json');
    const target = r.uri.slice('file://'.length);
    for (const f of DEFAULT_EXPORT_FORMATS) {
      const back = await readExport(f, path.join(target, FILE_NAMES[f]));
      // COCO holds the images (classification and box items) only.
      const expected = f === 'coco' ? rs.filter((r) => !r.spans && r.text === undefined && r.chosen === undefined) : rs;
      expect({ format: f, back }).toEqual({ format: f, back: expected });
      // Record hashes survive the trip too (the numbers are bit-identical).
      expect(back.map(recordHash)).toEqual(expected.map(recordHash));
    }
    // JSONL lines are the canonical JSON of each record: sha256(line) is its record hash.
    const lines = (await readFile(path.join(target, 'data.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(lines.map(sha)).toEqual(rs.map(recordHash));
    // No temporary files are left behind.
    expect((await readdir(target)).sort()).toEqual(['coco.json', 'data.csv', 'data.jsonl', 'data.parquet', 'manifest.json']);
  });

  it('writes a manifest of sha256 checksums that match the files, deterministically', async () => {
    const rs = records(300);
    const a = await writeExport(new LocalDirSink(dir), { datasetId: 'd', versionId: 'v', formats: [] }, batches(rs, 64));
    const target = a.uri.slice('file://'.length);
    const manifestBytes = await readFile(path.join(target, a.manifestName));
    expect(sha(manifestBytes)).toBe(a.manifestSha256);
    const manifest = JSON.parse(manifestBytes.toString('utf8'));
    expect(manifest).toMatchObject({ datasetId: 'd', versionId: 'v', records: 300, hashScheme: 'labelloop-merkle-v1' });
    for (const f of manifest.files) {
      const bytes = await readFile(path.join(target, f.name));
      expect(sha(bytes)).toBe(f.sha256);
      expect(bytes.length).toBe(f.bytes);
      expect(f.records).toBe(f.format === 'coco' ? rs.filter((r) => !r.spans && r.text === undefined && r.chosen === undefined).length : 300);
    }
    // Exporting the same version again produces identical bytes (a retried transaction is harmless).
    const b = await writeExport(new LocalDirSink(dir), { datasetId: 'd', versionId: 'v', formats: [] }, batches(rs, 17));
    expect(b.manifestSha256).toBe(a.manifestSha256);
    expect(b.files).toEqual(a.files);
  });

  it('names partial exports apart so they never overwrite the announced manifest', async () => {
    expect(normaliseFormats(['parquet', 'jsonl', 'jsonl'])).toEqual(['jsonl', 'parquet']);
    expect(manifestNameOf(['jsonl', 'parquet'])).toBe('manifest.jsonl+parquet.json');
    expect(manifestNameOf([...DEFAULT_EXPORT_FORMATS])).toBe('manifest.json');
    expect(() => normaliseFormats(['xml'])).toThrow('unknown export format "xml"');
    const r = await writeExport(new LocalDirSink(dir), { datasetId: 'd', versionId: 'v', formats: ['csv'] }, batches(records(10), 4));
    expect(r.manifestName).toBe('manifest.csv.json');
    expect(r.files.map((f) => f.name)).toEqual(['data.csv']);
  });

  it('exports COCO with categories, images and annotation category ids (boxes and classification)', async () => {
    const rs = records(11);
    const r = await writeExport(
      new LocalDirSink(dir),
      { datasetId: 'd', versionId: 'v', formats: ['coco'], categories: ['spam', 'ham', 'dog', 'car'] },
      batches(rs, 5),
    );
    const coco = JSON.parse(await readFile(path.join(r.uri.slice(7), 'coco.json'), 'utf8'));
    expect(coco.categories).toEqual([
      { id: 1, name: 'car', supercategory: 'label' },
      { id: 2, name: 'dog', supercategory: 'label' },
      { id: 3, name: 'ham', supercategory: 'label' },
      { id: 4, name: 'spam', supercategory: 'label' },
    ]);
    expect(coco.images).toHaveLength(11);
    expect(coco.images[0]).toMatchObject({ id: 1, file_name: 's3://bucket/img-0.png', labelloop_item_id: 'item-0', labelloop_label_type: 'boxes' });
    // Item 0 has two boxes (dog, dog); item 1 is one class; item 7 is multi-label (ham|spam).
    expect(coco.annotations.filter((a: { image_id: number }) => a.image_id === 1)).toEqual([
      { id: 1, image_id: 1, category_id: 2, iscrowd: 0, bbox: [0.5, 2, 10.25, 3], area: 30.75 },
      { id: 2, image_id: 1, category_id: 2, iscrowd: 0, bbox: [1, 1 / 3, 0, 7], area: 0 },
    ]);
    expect(coco.annotations.filter((a: { image_id: number }) => a.image_id === 2)).toEqual([{ id: 3, image_id: 2, category_id: 4, iscrowd: 0 }]);
    expect(coco.annotations.filter((a: { image_id: number }) => a.image_id === 8).map((a: { category_id: number }) => a.category_id)).toEqual([3, 4]);
  });

  it('parses RFC 4180 CSV', () => {
    expect(parseCsv('a,b\r\n"x,""y""\nz",2\r\n,\r\n')).toEqual([
      ['a', 'b'],
      ['x,"y"\nz', '2'],
      ['', ''],
    ]);
  });
});
