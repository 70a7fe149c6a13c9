import { Injectable } from '@nestjs/common';
import type { VersionInfo } from '@labelloop/contracts';
import { num, refusal, when } from '../views/format';
import { html, SafeHtml } from '../views/html';
import { table } from '../views/table';
import { SectionedPage } from './page';

/**
 * Datasets (one per project): versions with sizes and exports, each linked to its diff against
 * the version before it, and the newest version's lineage.
 */
@Injectable()
export class DatasetsPage extends SectionedPage {
  readonly path = '/datasets';
  readonly title = 'Datasets';

  protected readonly of = 'CONSOLE_PROJECTS';

  protected async section(datasetId: string, token: string): Promise<SafeHtml> {
    const versions = await this.stages.call('registry', token, (c, o) => c.listVersions({ datasetId }, o));
    if (!versions.ok) return html`<section data-dataset="${datasetId}"><h2>${datasetId}</h2>${refusal(versions)}</section>`;
    const infos = versions.value.infos;
    const newest = infos.at(-1)?.version;
    const lineage = newest ? await this.stages.call('registry', token, (c, o) => c.getLineage({ datasetId, versionId: newest.versionId }, o)) : undefined;
    let lineageHtml = html``;
    if (lineage && !lineage.ok) lineageHtml = refusal(lineage);
    else if (lineage?.ok && lineage.value.lineage) {
      const l = lineage.value.lineage;
      const facets = (name: string, m: Record<string, bigint>) => Object.entries(m).map(([k, v]) => [name, k, { num: num(v) }]);
      lineageHtml = table(
        `Lineage of version ${num(l.versionNumber)} of ${datasetId} (parent ${l.parentVersionId ? l.parentVersionId.slice(0, 12) : 'none'})`,
        ['Facet', 'Value', 'Items'],
        [
          ...facets('model version', l.modelVersions),
          ...facets('trigger', l.triggers),
          ...facets('strategy', l.strategies),
          ...facets('guideline version', l.guidelineVersions),
          ...facets('QA policy version', l.qaPolicyVersions),
        ],
      );
    }
    return html`<section data-dataset="${datasetId}"><h2>${datasetId}</h2>
${table(
  `Versions of ${datasetId}`,
  ['Version', 'Id', 'Status', 'Items', 'New items', 'Splits', 'Created', 'Export', 'Changes'],
  infos.map((i, k) => row(i, infos[k - 1])),
  'no versions yet.',
)}
${lineageHtml}</section>`;
  }
}

function row(i: VersionInfo, previous: VersionInfo | undefined): (string | SafeHtml | { num: string; field?: string })[] {
  const v = i.version;
  const from = previous?.version;
  const splits = (v?.splitCounts ?? []).map((s) => `${s.split} ${s.count}`).join(', ');
  const uri = v?.exportUri ?? '';
  const link = /^https?:\/\//.test(uri) ? html`<a href="${uri}">${uri}</a>` : uri ? html`<code>${uri}</code>` : '—';
  return [
    { num: num(v?.versionNumber), field: 'version_number' },
    html`<code>${(v?.versionId ?? '').slice(0, 12)}</code>`,
    i.status + (i.reasons.length ? `: ${i.reasons.join('; ')}` : ''),
    { num: num(v?.itemCount), field: 'item_count' },
    { num: num(v?.newItems) },
    splits || '—',
    when(i.createdAt),
    link,
    from && v ? diffLink(v.datasetId, from.versionId, v.versionId, `diff against version ${num(from.versionNumber)}`) : '—',
  ];
}

/** A link to the diff page (DiffVersions) of two versions; `data-diff` names the later one. */
function diffLink(datasetId: string, from: string, to: string, text: string): SafeHtml {
  const query = new URLSearchParams({ dataset: datasetId, from, to });
  return html`<a href="/datasets/diff?${query.toString()}" data-diff="${to}">${text}</a>`;
}
