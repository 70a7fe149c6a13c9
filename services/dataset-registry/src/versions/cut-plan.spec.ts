import type { PendingItem } from '../repositories/dataset-item.repository';
import type { VersionRow } from '../repositories/dataset-version.repository';
import { changesWithoutDiff, draftVersion, trieChanges, versionSources } from './cut-plan';

const pending = (...ids: string[]): PendingItem[] =>
  ids.map((id) => ({ item_id: id, record_hash: `h-${id}`, source_event_id: `src-${id}`, label_event_id: `la-${id}` }));
const version = (over: Partial<VersionRow>): VersionRow =>
  ({ version_id: 'v', dataset_id: 'ds', number: 1, root_hash: 'v', status: 'approved', reasons: [], counts: [], ...over }) as VersionRow;
const qa = { items: 3, meanConfidence: 0.9, meanAgreement: 1, auditItems: 0 };

describe('cut plan', () => {
  it('a cut applies the pending items; a dataset versioned before tries gets its trie from all items', () => {
    expect(trieChanges(pending('a'))).toEqual([{ itemId: 'a', recordHash: 'h-a' }]);
    expect(
      trieChanges(pending('a'), [
        { item_id: 'a', record_hash: 'h-a' },
        { item_id: 'b', record_hash: 'h-b' },
      ]).map((c) => c.itemId),
    ).toEqual(['a', 'b']);
  });

  it('the first version adds every item; after a version without a trie the pending items count as added; else a diff is needed', () => {
    expect(changesWithoutDiff(undefined, 10, 4)).toEqual({ added: 10, changed: 0, removed: 0 });
    expect(changesWithoutDiff(version({ root_hash: null }), 10, 4)).toEqual({ added: 4, changed: 0, removed: 0 });
    expect(changesWithoutDiff(version({ root_hash: 'r1' }), 10, 4)).toEqual({ diffFrom: 'r1' });
  });

  it("a version's sources are the pending items it added or changed; a relabel back to the previous record is not one", () => {
    const diff = { added: [{ itemId: 'new', recordHash: 'h' }], changed: [{ itemId: 'relabelled', before: 'h1', after: 'h2' }], removed: [] };
    const sources = versionSources(pending('new', 'relabelled', 'back-to-before'), { added: 1, changed: 1, removed: 0, diff });
    expect(sources).toEqual([
      { itemId: 'new', change: 'added', sourceEventId: 'src-new', labelEventId: 'la-new' },
      { itemId: 'relabelled', change: 'changed', sourceEventId: 'src-relabelled', labelEventId: 'la-relabelled' },
    ]);
    // Without a diff (first version, or after a version without a trie) every pending item is new.
    expect(versionSources(pending('a', 'b'), { added: 2, changed: 0, removed: 0 }).map((s) => s.change)).toEqual(['added', 'added']);
  });

  it('a version failing a gate is rejected with the reasons; new items count from the last approved version', () => {
    const previous = version({ version_id: 'v2', number: 2, status: 'rejected' });
    const parent = version({ version_id: 'v1', number: 1 });
    const v = draftVersion({
      datasetId: 'ds',
      root: 'v3',
      reason: 'count',
      previous,
      parent,
      itemCount: 7,
      vsPrevious: { added: 1, changed: 1, removed: 0 },
      vsParent: { added: 3, changed: 1, removed: 1 },
      qa,
      counts: [{ split: 'train', label: 'spam', count: 7 }],
      facets: {},
      sources: 2,
      reasons: ['mean confidence 0.5 is below 0.8'],
    });
    expect(v).toMatchObject({
      version_id: 'v3',
      number: 3,
      previous_version_id: 'v2',
      parent_version_id: 'v1',
      status: 'rejected',
      reasons: ['mean confidence 0.5 is below 0.8'],
      new_items: 4,
      added_items: 3,
      changed_items: 1,
      removed_items: 1,
      export_uri: '',
      cut_reason: 'count',
    });
    expect(v.lineage.previous).toEqual({ added: 1, changed: 1, removed: 0 });
  });

  it('an approved first version names the main model and every split; its export comes after the cut', () => {
    const v = draftVersion({
      datasetId: 'ds',
      root: 'r',
      reason: 'request',
      previous: undefined,
      parent: undefined,
      itemCount: 5,
      vsPrevious: { added: 5, changed: 0, removed: 0 },
      vsParent: { added: 5, changed: 0, removed: 0 },
      qa,
      counts: [],
      facets: {
        split: { train: 4, test: 1 },
        model_id: { b: 2, a: 2, c: 1 },
        model: { 'b@2': 2, 'a@1': 3 },
        guideline: { g2: 1, g1: 4 },
        annotator: { 'anon-1': 5 },
      },
      sources: 5,
      reasons: [],
    });
    expect(v).toMatchObject({
      number: 1,
      status: 'approved',
      previous_version_id: null,
      parent_version_id: null,
      export_uri: '',
      manifest_sha256: '',
      export_files: [],
    });
    expect(v.model_id).toBe('a'); // most items; a tie goes to the smallest id
    expect(v.split_counts).toEqual([
      { split: 'train', count: 4 },
      { split: 'validation', count: 0 },
      { split: 'test', count: 1 },
    ]);
    expect([v.model_versions, v.guideline_versions]).toEqual([
      ['a@1', 'b@2'],
      ['g1', 'g2'],
    ]);
    expect(v.lineage).toEqual({
      facets: { guideline: { g2: 1, g1: 4 }, model: { 'b@2': 2, 'a@1': 3 }, trigger: {}, strategy: {}, qa_policy: {}, annotator: { 'anon-1': 5 } },
      previous: { added: 5, changed: 0, removed: 0 },
      sourceEvents: 5,
    });
  });
});
