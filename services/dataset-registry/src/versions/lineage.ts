import { createHash } from 'node:crypto';
import { HASH_SCHEME } from './content-address';
import type { VersionRow } from './version-row';

const PRODUCER = 'https://github.com/labelloop/labelloop/tree/main/services/dataset-registry';
const SPEC = 'https://openlineage.io/spec';
const facet = (schema: string, body: Record<string, unknown>) => ({ _producer: PRODUCER, _schemaURL: schema, ...body });
const custom = (name: string, body: Record<string, unknown>) => facet(`${PRODUCER}/lineage.ts#/$defs/${name}`, body);

/** A deterministic UUID (v5 layout) for the cut that produced a version. */
export function runIdOf(datasetId: string, versionId: string): string {
  const h = createHash('sha256').update(`labelloop:cut:${datasetId}:${versionId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** What OpenLineage export needs beyond the version row. */
export interface LineageExtras {
  sourceEventIds: string[];
  labelEventIds: string[];
  trainings: { modelId: string; modelVersion: string }[];
}

/**
 * The lineage of a version as an OpenLineage RunEvent (spec 2-0-2): the cut is the run, the
 * job is `dataset-registry.cut.<dataset>`; inputs are the previous version of the dataset, the
 * LabelAccepted topic and the model versions whose predictions chose the items; the output is
 * the new version with the standard `version`, `schema` and `outputStatistics` facets plus
 * `labelloop_lineage` (guidelines, triggers, strategies, QA report, pseudonymised annotators,
 * source events). Models trained on the version are listed in the run facet `labelloop_trainings`.
 */
export function openLineageEvent(v: VersionRow, extras: LineageExtras): Record<string, unknown> {
  const facets = v.lineage.facets ?? {};
  const inputs: Record<string, unknown>[] = [];
  if (v.previous_version_id) {
    inputs.push({
      namespace: 'labelloop',
      name: v.dataset_id,
      facets: { version: facet(`${SPEC}/facets/1-0-1/DatasetVersionDatasetFacet.json`, { datasetVersion: v.previous_version_id }) },
    });
  }
  inputs.push({ namespace: 'kafka://labelloop', name: 'labelloop.label.accepted.v1', facets: {} });
  for (const mv of v.model_versions) {
    const at = mv.lastIndexOf('@');
    inputs.push({
      namespace: 'labelloop.models',
      name: mv.slice(0, at),
      facets: { version: facet(`${SPEC}/facets/1-0-1/DatasetVersionDatasetFacet.json`, { datasetVersion: mv.slice(at + 1) }) },
    });
  }
  const fields = [
    ['itemId', 'string'],
    ['inputUri', 'string'],
    ['contentHash', 'string'],
    ['label', 'string'],
    ['split', 'string'],
    ['confidence', 'double'],
    ['agreement', 'double'],
    ['boxes', 'array<struct<x:double,y:double,width:double,height:double,label:string>>'],
  ].map(([name, type]) => ({ name, type }));
  return {
    eventType: 'COMPLETE',
    eventTime: new Date(v.created_at).toISOString(),
    producer: PRODUCER,
    schemaURL: `${SPEC}/2-0-2/OpenLineage.json#/$defs/RunEvent`,
    run: {
      runId: runIdOf(v.dataset_id, v.version_id),
      facets: {
        labelloop_cut: custom('CutRunFacet', { reason: v.cut_reason, status: v.status, reasons: v.reasons, versionNumber: v.number }),
        labelloop_trainings: custom('TrainingsRunFacet', { trainings: extras.trainings }),
      },
    },
    job: {
      namespace: 'labelloop',
      name: `dataset-registry.cut.${v.dataset_id}`,
      facets: {
        jobType: facet(`${SPEC}/facets/2-0-3/JobTypeJobFacet.json`, { processingType: 'STREAMING', integration: 'LABELLOOP', jobType: 'DATASET_VERSION' }),
      },
    },
    inputs,
    outputs: [
      {
        namespace: 'labelloop',
        name: v.dataset_id,
        facets: {
          version: facet(`${SPEC}/facets/1-0-1/DatasetVersionDatasetFacet.json`, { datasetVersion: v.version_id }),
          schema: facet(`${SPEC}/facets/1-1-1/SchemaDatasetFacet.json`, { fields }),
          labelloop_lineage: custom('LineageDatasetFacet', {
            hashScheme: v.root_hash ? HASH_SCHEME : 'labelloop-flat-merkle-v0',
            parentVersionId: v.parent_version_id,
            previousVersionId: v.previous_version_id,
            guidelineVersions: facets.guideline ?? {},
            modelVersions: facets.model ?? {},
            triggers: facets.trigger ?? {},
            strategies: facets.strategy ?? {},
            qaPolicyVersions: facets.qa_policy ?? {},
            annotators: facets.annotator ?? {},
            qa: v.qa,
            counts: v.counts,
            splitCounts: v.split_counts,
            changes: { added: v.added_items, changed: v.changed_items, removed: v.removed_items },
            sourceEventIds: extras.sourceEventIds,
            labelEventIds: extras.labelEventIds,
            exportUri: v.export_uri,
            manifestSha256: v.manifest_sha256,
          }),
        },
        outputFacets: {
          outputStatistics: facet(`${SPEC}/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json`, {
            rowCount: v.item_count,
            size: v.export_files.reduce((s, f) => s + f.bytes, 0),
          }),
        },
      },
    ],
  };
}
