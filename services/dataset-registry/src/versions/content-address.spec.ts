import { assignSplit, canonicalJson, ItemRecord, merkleRoot, recordHash } from './content-address';

const rec = (i: number, label = i % 2 ? 'spam' : 'ham'): ItemRecord => ({
  itemId: `item-${i}`, inputUri: `file:///${i}`, contentHash: `h${i}`, label, split: 'train', confidence: 1, agreement: 1,
});

describe('content addressing', () => {
  const items = Array.from({ length: 101 }, (_, i) => rec(i));
  const root = (rs: ItemRecord[]) => merkleRoot(rs.map((r) => ({ itemId: r.itemId, hash: recordHash(r) })));

  it('gives the same id for the same content, in any order', () => {
    expect(root(items)).toBe(root([...items].reverse()));
    // Pinned: a change of hashing would silently change every published version id.
    expect(canonicalJson({ b: 1, a: [2, { d: 'x', c: null }] })).toBe('{"a":[2,{"c":null,"d":"x"}],"b":1}');
  });

  it('changes the id on any single relabel, addition or removal', () => {
    const base = root(items);
    const relabelled = items.map((r, i) => (i === 57 ? { ...r, label: r.label === 'spam' ? 'ham' : 'spam' } : r));
    expect(root(relabelled)).not.toBe(base);
    expect(root(items.slice(1))).not.toBe(base);
    expect(root([...items, rec(1000)])).not.toBe(base);
  });

  it('assigns splits deterministically in roughly the configured shares', () => {
    const counts = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < 10000; i++) counts[assignSplit(`g${i}`, false, 80, 10)]++;
    expect(counts.train / 10000).toBeCloseTo(0.8, 1);
    expect(counts.validation / 10000).toBeCloseTo(0.1, 1);
    expect(assignSplit('g1', false, 80, 10)).toBe(assignSplit('g1', false, 80, 10));
    expect(assignSplit('g1', true, 80, 10)).toBe('test');
  });
});
