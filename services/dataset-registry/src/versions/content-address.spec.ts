import { applyChanges, diff, fromEntries, MemoryNodeStore } from '@labelloop/merkle-dataset';
import { assignSplit, canonicalJson, classesOf, groupKeyOf, ItemRecord, labelKeyOf, labelTypeOf, pseudonymise, recordHash } from './content-address';

const rec = (i: number, label = i % 2 ? 'spam' : 'ham'): ItemRecord => ({
  itemId: `item-${i}`,
  inputUri: `file:///${i}`,
  contentHash: `h${i}`,
  label,
  split: assignSplit(`h${i}`, false, 80, 10, label),
  confidence: 0.5 + (i % 50) / 100,
  agreement: 1,
});

const versionId = (rs: ItemRecord[]) =>
  fromEntries(
    new MemoryNodeStore(),
    rs.map((r) => ({ itemId: r.itemId, recordHash: recordHash(r) })),
  );

describe('content addressing', () => {
  const items = Array.from({ length: 101 }, (_, i) => rec(i));

  it('gives the same version id for the same content, in any order, across runs (pinned)', async () => {
    expect(await versionId(items)).toBe(await versionId([...items].reverse()));
    // Pinned: a change of record hashing, split hashing or trie layout would silently change
    // every published version id. This value was computed once and must never change.
    expect(await versionId(items)).toBe('569fbcc20965baf3fdd88f794aaf7a171440fbaed0a7f25a2e8d1e7231d07366');
    // A record hash is sha256 of the record's canonical JSON (keys sorted), i.e. of its JSONL line.
    expect(canonicalJson(items[0])).toBe(
      '{"agreement":1,"confidence":0.5,"contentHash":"h0","inputUri":"file:///0","itemId":"item-0","label":"ham","split":"train"}',
    );
    expect(recordHash(items[0])).toBe('dd1a87acbaeac598c0cee211eaf9a9c36b0a3569531113b38d911e569f0b61d0');
    expect(canonicalJson({ b: 1, a: [2, { d: 'x', c: null }], u: undefined })).toBe('{"a":[2,{"c":null,"d":"x"}],"b":1}');
  });

  it('changes the id on any single relabel, addition or removal', async () => {
    const base = await versionId(items);
    const relabelled = items.map((r, i) => (i === 57 ? { ...r, label: r.label === 'spam' ? 'ham' : 'spam' } : r));
    expect(await versionId(relabelled)).not.toBe(base);
    expect(await versionId(items.map((r, i) => (i === 3 ? { ...r, confidence: r.confidence + 1e-9 } : r)))).not.toBe(base);
    expect(await versionId(items.slice(1))).not.toBe(base);
    expect(await versionId([...items, rec(1000)])).not.toBe(base);
  });

  it('builds version N+1 from version N plus the changes, to the same id as from scratch', async () => {
    const store = new MemoryNodeStore();
    const v1 = await fromEntries(
      store,
      items.map((r) => ({ itemId: r.itemId, recordHash: recordHash(r) })),
    );
    const changed = [{ ...rec(3), label: 'ham' }, rec(500), rec(501)];
    const v2 = await applyChanges(
      store,
      v1,
      changed.map((r) => ({ itemId: r.itemId, recordHash: recordHash(r) })),
    );
    const all = new Map(items.map((r) => [r.itemId, r]));
    for (const r of changed) all.set(r.itemId, r);
    expect(v2).toBe(await versionId([...all.values()]));
    const d = await diff(store, v1, v2);
    expect(d.added.map((e) => e.itemId)).toEqual(['item-500', 'item-501']);
    expect(d.changed.map((e) => e.itemId)).toEqual(['item-3']);
    expect(d.removed).toEqual([]);
  });

  it('assigns splits deterministically in roughly the configured shares, per class', () => {
    for (const stratum of [undefined, 'spam', 'ham']) {
      const counts = { train: 0, validation: 0, test: 0 };
      for (let i = 0; i < 10000; i++) counts[assignSplit(`g${i}`, false, 80, 10, stratum)]++;
      expect(counts.train / 10000).toBeCloseTo(0.8, 1);
      expect(counts.validation / 10000).toBeCloseTo(0.1, 1);
      expect(counts.test / 10000).toBeCloseTo(0.1, 1);
    }
    expect(assignSplit('g1', false, 80, 10)).toBe(assignSplit('g1', false, 80, 10));
    expect(assignSplit('g1', true, 80, 10)).toBe('test');
    expect(assignSplit('g1', true, 80, 10, 'spam')).toBe('test');
    // The original (unstratified) semantics are unchanged: computed with the previous implementation.
    const letter = { train: 'T', validation: 'V', test: 'E' };
    expect(Array.from({ length: 40 }, (_, i) => letter[assignSplit(`g${i}`, false, 50, 25)]).join('')).toBe(PINNED_UNSTRATIFIED);
  });

  it('derives groups, classes and pseudonyms', () => {
    expect(groupKeyOf({ contentHash: 'sha256:1', itemId: 'i' })).toBe('sha256:1');
    expect(groupKeyOf({ contentHash: '', itemId: 'i' })).toBe('item:i');
    expect(groupKeyOf({ contentHash: 'x', source: 'cam-7', itemId: 'i' })).toBe('source:cam-7');
    expect(classesOf({ label: 'a|b' })).toEqual(['a|b']);
    expect(
      classesOf({
        label: 'car|dog',
        boxes: [
          { x: 0, y: 0, width: 1, height: 1, label: 'dog' },
          { x: 0, y: 0, width: 1, height: 1, label: 'car' },
          { x: 1, y: 1, width: 1, height: 1, label: 'dog' },
        ],
      }),
    ).toEqual(['car', 'dog']);
    const p = pseudonymise('secret', 'alice');
    expect(p).toMatch(/^anon-[0-9a-f]{20}$/);
    expect(p).toBe(pseudonymise('secret', 'alice'));
    expect(p).not.toBe(pseudonymise('other-secret', 'alice'));
    expect(p).not.toContain('alice');
  });
});

describe('records of every task type', () => {
  const base: ItemRecord = { itemId: 'i', inputUri: 'u', contentHash: 'h', label: '', split: 'train', confidence: 1, agreement: 1 };
  const spans: ItemRecord = {
    ...base,
    label: 'LOC|PER',
    contentText: 'Ada in Rome',
    spans: [
      { start: 0, end: 3, label: 'PER' },
      { start: 7, end: 11, label: 'LOC' },
    ],
  };
  const text: ItemRecord = { ...base, contentText: 'Summarise.', text: '' };
  const pref: ItemRecord = { ...base, label: 'a', chosen: 'a', contentText: '{"prompt":"p","a":"x","b":"y"}' };

  it('a classification record without the new fields hashes as before: absent fields are not part of its JSON', () => {
    const r: ItemRecord = { ...base, label: 'spam' };
    expect(canonicalJson(r)).toBe('{"agreement":1,"confidence":1,"contentHash":"h","inputUri":"u","itemId":"i","label":"spam","split":"train"}');
    expect(recordHash({ ...r, spans: undefined, text: undefined })).toBe(recordHash(r));
  });

  it('any change of a label is a change of the label key and of the record hash (a relabel), not of the other fields', () => {
    const variants = [
      {
        ...spans,
        spans: [
          { start: 0, end: 3, label: 'PER' },
          { start: 7, end: 11, label: 'GPE' },
        ],
      },
      {
        ...spans,
        spans: [
          { start: 0, end: 2, label: 'PER' },
          { start: 7, end: 11, label: 'LOC' },
        ],
      },
      { ...text, text: 'Short.' },
      { ...pref, label: 'b', chosen: 'b' },
    ];
    for (const [before, after] of [
      [spans, variants[0]],
      [spans, variants[1]],
      [text, variants[2]],
      [pref, variants[3]],
    ]) {
      expect(labelKeyOf(after)).not.toBe(labelKeyOf(before));
      expect(recordHash(after)).not.toBe(recordHash(before));
    }
    expect(labelKeyOf({ ...spans, confidence: 0.5 })).toBe(labelKeyOf(spans)); // a QA figure is not a relabel
    expect(labelKeyOf(text)).not.toBe(labelKeyOf({ ...base })); // an empty answer is an answer, not no label
  });

  it('names the task type and the classes an item counts towards', () => {
    expect([base, spans, text, pref].map(labelTypeOf)).toEqual(['classification', 'spans', 'text', 'preference']);
    expect([spans, text, pref, { ...spans, spans: [] }].map(classesOf)).toEqual([['LOC', 'PER'], [], ['a'], []]);
  });
});

const PINNED_UNSTRATIFIED = 'TTETVTTTTVTEVVTTTTTVTTTETTTTTTVEETTTTVTE';
