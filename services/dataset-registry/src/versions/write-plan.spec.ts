import type { LabelAccepted } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { ItemRow } from '../repositories/dataset-item.repository';
import { labelEvents, TestLabel } from '../testing/label-events';
import { assignSplit, ItemRecord, recordHash } from './content-address';
import { groupsOf, planWrites, touchedDatasets, WritePolicy } from './write-plan';

const policy: WritePolicy = { trainPct: 80, validationPct: 10, pseudonymSecret: 'test-secret' };
const build = labelEvents('write-plan');
const event = (l: TestLabel & { project?: string; traceparent?: string }): ConsumedEvent<LabelAccepted> => ({
  ...build(l.project ?? 'ds', { annotators: ['alice'], ...l }),
  traceparent: l.traceparent,
});
/** The stored row of an item written earlier with `label` into `split`. */
const storedRow = (item: string, label: string, split: string, over: Partial<ItemRow> = {}): ItemRow => {
  const record: ItemRecord = { itemId: item, inputUri: `corpus://${item}`, contentHash: `sha256:${item}`, label, split, confidence: 0.9, agreement: 1 };
  return {
    item_id: item,
    dataset_id: 'ds',
    record,
    record_hash: recordHash(record),
    split,
    group_key: `sha256:${item}`,
    confidence: 0.9,
    agreement: 1,
    audit_sample: false,
    guideline_version: 'g1',
    model_id: 'm',
    model_version: '1',
    trigger: 'low_confidence',
    strategy: 'uncertainty',
    qa_policy_version: 'qa1',
    annotators: [],
    pending: false,
    ...over,
  };
};

describe('planWrites', () => {
  it('a later label of the same item in one batch supersedes the earlier one: one row, counted once', () => {
    const plan = planWrites([event({ item: 'a', label: 'ham' }), event({ item: 'a', label: 'spam' })], [], [], policy);
    expect(plan.items.map((i) => [i.item_id, i.label])).toEqual([['a', 'spam']]);
    expect(plan.classCounts).toEqual([{ datasetId: 'ds', split: plan.items[0].split, label: 'spam', delta: 1 }]);
    expect(plan.stats).toEqual([{ datasetId: 'ds', items: 1, confidence: '0.9', agreement: '1', auditItems: 0 }]);
    expect(plan.becamePending).toEqual(['ds']);
  });

  it('a relabel of a stored item moves its class count from the old class to the new one and keeps its split', () => {
    const relabel = event({ item: 'a', label: 'spam', confidence: 0.5 });
    const plan = planWrites([relabel], [storedRow('a', 'ham', 'validation')], [], policy);
    expect(plan.items).toHaveLength(1);
    expect(plan.items[0]).toMatchObject({ label: 'spam', split: 'validation', pending: true, label_event_id: relabel.id });
    expect(plan.classCounts).toEqual([
      { datasetId: 'ds', split: 'validation', label: 'ham', delta: -1 },
      { datasetId: 'ds', split: 'validation', label: 'spam', delta: 1 },
    ]);
    // The QA sums take the old row out and put the new one in: the item is counted once.
    expect(plan.stats.map((s) => [s.items, s.confidence])).toEqual([
      [-1, '-0.9'],
      [1, '0.5'],
    ]);
  });

  it('the same record accepted again changes no figure and leaves nothing pending', () => {
    const plan = planWrites(
      [event({ item: 'a', label: 'ham', annotators: [] })],
      [storedRow('a', 'ham', 'train')],
      [{ datasetId: 'ds', groupKey: 'sha256:a', split: 'train' }],
      policy,
    );
    expect(plan.items[0].pending).toBe(false);
    expect(plan.becamePending).toEqual([]);
    expect(plan.classCounts).toEqual([]);
    expect(plan.facets).toEqual([]);
    expect(plan.newGroups).toEqual([]);
  });

  it('items with the same content share the split of their group, decided by the first label of the group', () => {
    const plan = planWrites(
      [event({ item: 'x', label: 'ham', content: 'sha256:same' }), event({ item: 'y', label: 'spam', content: 'sha256:same' })],
      [],
      [],
      policy,
    );
    const split = assignSplit('sha256:same', false, 80, 10, 'ham'); // the stratum of x, the first event of the group
    expect(plan.newGroups).toEqual([{ datasetId: 'ds', groupKey: 'sha256:same', split }]);
    expect(plan.items.map((i) => i.split)).toEqual([split, split]);
    // Both records are stored (different items), each once.
    expect(plan.records.map(([h]) => h)).toEqual(plan.items.map((i) => i.record_hash));
  });

  it('a stored group keeps its split', () => {
    const plan = planWrites([event({ item: 'n', label: 'ham', content: 'sha256:g' })], [], [{ datasetId: 'ds', groupKey: 'sha256:g', split: 'test' }], policy);
    expect(plan.items[0].split).toBe('test');
    expect(plan.newGroups).toEqual([]);
  });

  it('takes the same item id in another dataset as another item, leaving the stored one alone', () => {
    // Item ids come from the content alone: the same input accepted in project `other` too.
    const plan = planWrites([event({ item: 'a', label: 'spam', project: 'other' })], [storedRow('a', 'ham', 'train')], [], policy);
    expect(plan.items.map((i) => [i.dataset_id, i.item_id, i.pending])).toEqual([['other', 'a', true]]);
    expect(plan.becamePending).toEqual(['other']);
    // Nothing is taken out of dataset `ds`.
    expect(plan.stats.map((c) => [c.datasetId, c.items])).toEqual([['other', 1]]);
    expect(plan.classCounts.every((c) => c.datasetId === 'other' && c.delta === 1)).toBe(true);
  });

  it('stores annotators as sorted, distinct pseudonyms, never their ids', () => {
    const plan = planWrites([event({ item: 'a', label: 'ham', annotators: ['bob', 'alice', 'bob'] })], [], [], policy);
    expect(plan.items[0].annotators).toHaveLength(2);
    expect(plan.items[0].annotators.every((a) => /^anon-[0-9a-f]{20}$/.test(a))).toBe(true);
    expect([...plan.items[0].annotators].sort()).toEqual(plan.items[0].annotators);
    expect(plan.facets.filter((f) => f.facet === 'annotator').map((f) => f.value)).toEqual(plan.items[0].annotators);
  });
});

describe('batch keys', () => {
  it('touched datasets carry the traceparent of their last event; groups are listed once', () => {
    const events = [
      event({ item: 'a', label: 'ham', traceparent: 't1' }),
      event({ item: 'b', label: 'ham', project: 'ds2', traceparent: 't2' }),
      event({ item: 'c', label: 'ham', traceparent: 't3', content: 'sha256:a' }),
    ];
    expect([...touchedDatasets(events)]).toEqual([
      ['ds', 't3'],
      ['ds2', 't2'],
    ]);
    expect(groupsOf(events)).toEqual([
      { datasetId: 'ds', groupKey: 'sha256:a' },
      { datasetId: 'ds2', groupKey: 'sha256:b' },
    ]);
  });
});
