import { readFile, readdir, rm, mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ItemRecord } from '../versions/content-address';
import { writeExport } from './exporter';
import { LocalDirSink } from './sink';

const base = { contentHash: 'sha256:x', confidence: 0.9, agreement: 1 };
/** One item of every task type, plus a box item without an image size. */
const items: ItemRecord[] = [
  {
    ...base,
    itemId: 'img/1',
    inputUri: 's3://b/cat.PNG',
    split: 'train',
    label: 'cat|dog',
    imageWidth: 640,
    imageHeight: 480,
    boxes: [
      { x: 0, y: 0, width: 320, height: 240, label: 'cat' },
      { x: 100, y: 40, width: 64, height: 48, label: 'dog' },
    ],
  },
  { ...base, itemId: 'img-2', inputUri: 's3://b/nosize', split: 'test', label: 'dog', boxes: [{ x: 1, y: 1, width: 2, height: 2, label: 'dog' }] },
  {
    ...base,
    itemId: 'ner-1',
    inputUri: 'corpus://1',
    split: 'validation',
    label: 'LOC|PER',
    contentText: 'Ada Lovelace lived in London.',
    spans: [
      { start: 0, end: 12, label: 'PER' },
      { start: 22, end: 28, label: 'LOC' },
    ],
  },
  { ...base, itemId: 'free-1', inputUri: 'corpus://2', split: 'train', label: '', contentText: 'Summarise: cats.', text: 'Cats are small.' },
  {
    ...base,
    itemId: 'pref-1',
    inputUri: 'corpus://3',
    split: 'train',
    label: 'b',
    chosen: 'b',
    contentText: JSON.stringify({ prompt: 'Say hi', a: 'Go away.', b: 'Hi!' }),
  },
  { ...base, itemId: 'cls-1', inputUri: 'corpus://4', split: 'test', label: 'spam', contentText: 'Buy now' },
];

async function* once(rs: ItemRecord[]) {
  yield rs;
}
const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('exports per task type', () => {
  let dir: string;
  let target: string;
  let manifest: { records: number; files: { name: string; format: string; records: number; skipped?: number; note?: string }[] };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'registry-task-export-'));
    const r = await writeExport(
      new LocalDirSink(dir),
      { datasetId: 'd', versionId: 'v', formats: ['coco', 'yolo', 'spans', 'hf', 'preference'], categories: ['LOC', 'PER', 'a', 'b', 'cat', 'dog', 'spam'] },
      once(items),
    );
    target = r.uri.slice('file://'.length);
    expect(r.manifestName).toBe('manifest.coco+yolo+spans+hf+preference.json');
    manifest = JSON.parse(await readFile(path.join(target, r.manifestName), 'utf8'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const file = (format: string, name: string) => manifest.files.find((f) => f.format === format && f.name === name);

  it('COCO carries the image size from the event and leaves out items that are not images', async () => {
    const coco = JSON.parse(await readFile(path.join(target, 'coco.json'), 'utf8'));
    expect(coco.images.map((i: { labelloop_item_id: string; width?: number; height?: number }) => [i.labelloop_item_id, i.width, i.height])).toEqual([
      ['img/1', 640, 480],
      ['img-2', undefined, undefined],
      ['cls-1', undefined, undefined],
    ]);
    expect(file('coco', 'coco.json')).toMatchObject({ records: 3, skipped: 3 });
  });

  it('YOLO: normalised cx cy w h per box, class ids by name, refuses box items without an image size', async () => {
    // Hand-worked: cat box [0,0,320,240] in 640×480 → centre (160,120)/(640,480) = 0.25 0.25, size 0.5 0.5;
    // dog box [100,40,64,48] → centre (132,64) → 0.20625 0.133333, size 0.1 0.1. Classes in name order: cat = 4, dog = 5.
    expect(await readFile(path.join(target, 'yolo/labels/train/img%2F1.txt'), 'utf8')).toBe(
      '4 0.250000 0.250000 0.500000 0.500000\n5 0.206250 0.133333 0.100000 0.100000\n',
    );
    expect(await readFile(path.join(target, 'yolo/train.txt'), 'utf8')).toBe('./images/train/img%2F1.png\n');
    expect(await readFile(path.join(target, 'yolo/refused.txt'), 'utf8')).toBe('img-2\tno image size (image_width/image_height) in its LabelAccepted\n');
    const yaml = await readFile(path.join(target, 'yolo/data.yaml'), 'utf8');
    expect(yaml).toContain('path: .\ntrain: train.txt\nnc: 7\nnames:\n  0: "LOC"\n');
    expect(yaml).toContain('  4: "cat"\n  5: "dog"\n');
    expect(await lines(path.join(target, 'yolo/sources.jsonl'))).toEqual([
      { image: 'images/train/img%2F1.png', input_uri: 's3://b/cat.PNG', item_id: 'img/1' },
    ]);
    expect(file('yolo', 'yolo/data.yaml')?.note).toBe(
      '1 box items refused: no image size (image_width/image_height) in their LabelAccepted; listed in yolo/refused.txt; 4 items are not box items',
    );
    expect((await readdir(path.join(target, 'yolo/labels'))).sort()).toEqual(['train']);
  });

  it('spans: {"text","spans":[{start,end,label}]} per span item, offsets into the text', async () => {
    const rows = await lines(path.join(target, 'spans.jsonl'));
    expect(rows).toEqual([
      {
        text: 'Ada Lovelace lived in London.',
        spans: [
          { start: 0, end: 12, label: 'PER' },
          { start: 22, end: 28, label: 'LOC' },
        ],
        item_id: 'ner-1',
        split: 'validation',
      },
    ]);
    expect(rows[0].text.slice(22, 28)).toBe('London');
  });

  it('preference pairs: prompt, chosen and rejected texts', async () => {
    expect(await lines(path.join(target, 'preference.jsonl'))).toEqual([
      { prompt: 'Say hi', chosen: 'Hi!', rejected: 'Go away.', item_id: 'pref-1', split: 'train' },
    ]);
    expect(file('preference', 'preference.jsonl')).toMatchObject({ records: 1, skipped: 5, note: '5 items are not preference items' });
  });

  it('Hugging Face: one JSONL per split with every key on every row, and a dataset card listing features and splits', async () => {
    expect((await readdir(path.join(target, 'hf/data'))).sort()).toEqual(['test.jsonl', 'train.jsonl', 'validation.jsonl']);
    const train = await lines(path.join(target, 'hf/data/train.jsonl'));
    expect(train.map((r) => [r.item_id, r.label_type])).toEqual([
      ['img/1', 'boxes'],
      ['free-1', 'text'],
      ['pref-1', 'preference'],
    ]);
    expect(train[1]).toMatchObject({ answer: 'Cats are small.', content_text: 'Summarise: cats.', spans: [], boxes: [], chosen: '', image_width: 0 });
    const card = await readFile(path.join(target, 'hf/README.md'), 'utf8');
    expect(card.startsWith('---\n')).toBe(true);
    expect(card).toContain(
      '  data_files:\n  - split: train\n    path: data/train.jsonl\n  - split: validation\n    path: data/validation.jsonl\n  - split: test\n',
    );
    expect(card).toContain('  - name: spans\n    list:\n    - name: start\n      dtype: int64\n');
    expect(card).toContain(
      '  splits:\n  - name: train\n    num_examples: 3\n  - name: validation\n    num_examples: 1\n  - name: test\n    num_examples: 2\n---\n',
    );
  });
});
