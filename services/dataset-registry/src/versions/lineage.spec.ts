import { openLineageEvent, runIdOf } from './lineage';
import type { VersionRow } from './version-row';

const row: VersionRow = {
  version_id: 'b'.repeat(64),
  dataset_id: 'proj',
  number: 3,
  parent_version_id: 'a'.repeat(64),
  previous_version_id: 'c'.repeat(64),
  item_count: 120,
  new_items: 20,
  added_items: 15,
  changed_items: 5,
  removed_items: 0,
  counts: [{ split: 'train', label: 'spam', count: 120 }],
  split_counts: [{ split: 'train', count: 120 }],
  qa: { items: 120, meanConfidence: 0.9, meanAgreement: 0.8, auditItems: 2 },
  export_uri: 'file:///x',
  manifest_sha256: 'm',
  export_files: [{ name: 'data.jsonl', format: 'jsonl', sha256: 's', bytes: 1000, records: 120 }],
  model_id: 'spam-filter',
  model_versions: ['spam-filter@1', 'spam-filter@2'],
  guideline_versions: ['g1'],
  root_hash: 'b'.repeat(64),
  status: 'approved',
  reasons: [],
  cut_reason: 'count',
  lineage: { facets: { guideline: { g1: 120 }, annotator: { 'anon-1': 120 }, trigger: { low_confidence: 100, audit: 20 } } },
  created_at: new Date('2024-11-23T10:00:00Z'),
};

describe('OpenLineage export', () => {
  it('derives a stable UUID run id per version', () => {
    const id = runIdOf('proj', row.version_id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(runIdOf('proj', row.version_id)).toBe(id);
    expect(runIdOf('proj', 'other')).not.toBe(id);
  });

  it('describes the cut as a RunEvent with inputs and output facets', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON under test
    type FreeJson = Record<string, any>;
    const ev = openLineageEvent(row, { sourceEventIds: ['p1'], labelEventIds: ['l1'], trainings: [{ modelId: 'spam-filter', modelVersion: '3' }] }) as FreeJson;
    expect(ev.eventType).toBe('COMPLETE');
    expect(ev.schemaURL).toBe('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent');
    expect(ev.eventTime).toBe('2024-11-23T10:00:00.000Z');
    expect(ev.job).toMatchObject({ namespace: 'labelloop', name: 'dataset-registry.cut.proj' });
    expect(ev.inputs.map((i: { namespace: string; name: string }) => `${i.namespace}/${i.name}`)).toEqual([
      'labelloop/proj',
      'kafka://labelloop/labelloop.label.accepted.v1',
      'labelloop.models/spam-filter',
      'labelloop.models/spam-filter',
    ]);
    expect(ev.inputs[0].facets.version.datasetVersion).toBe('c'.repeat(64));
    expect(ev.inputs[3].facets.version.datasetVersion).toBe('2');
    const out = ev.outputs[0];
    expect(out.facets.version.datasetVersion).toBe(row.version_id);
    expect(out.outputFacets.outputStatistics).toMatchObject({ rowCount: 120, size: 1000 });
    expect(out.facets.labelloop_lineage).toMatchObject({
      guidelineVersions: { g1: 120 },
      annotators: { 'anon-1': 120 },
      sourceEventIds: ['p1'],
      qa: { meanConfidence: 0.9 },
    });
    for (const f of [out.facets.version, out.facets.schema, out.facets.labelloop_lineage, ev.run.facets.labelloop_cut]) {
      expect(f._producer).toMatch(/^https:\/\//);
      expect(f._schemaURL).toMatch(/^https:\/\//);
    }
    expect(ev.run.facets.labelloop_trainings.trainings).toEqual([{ modelId: 'spam-filter', modelVersion: '3' }]);
    expect(JSON.parse(JSON.stringify(ev))).toEqual(ev);
  });
});
