import { Injectable } from '@nestjs/common';
import type { DiffVersionsResponse, VersionInfo } from '@labelloop/contracts';
import { httpStatusOf } from '../stages/stage-answer';
import { StageClients } from '../stages/stage-clients';
import { num, refusal } from '../views/format';
import { html, SafeHtml } from '../views/html';
import { table } from '../views/table';

/** Item ids listed per kind (added, removed, relabelled, changed); the counts are always exact. */
export const DIFF_ROWS = 50;

/** What the diff page shows, and the HTTP status it is sent with. */
export interface DiffView {
  status: number;
  title: string;
  body: SafeHtml;
}

/** Which versions to compare; unset ones default to the newest version and the one before it. */
export interface DiffQuery {
  dataset?: string;
  from?: string;
  to?: string;
}

/**
 * The difference between two versions of a dataset, as DatasetRegistryService.DiffVersions
 * computes it for the signed-in user: items added, removed, relabelled and otherwise changed,
 * the per-class counts of each split, and the first {@link DIFF_ROWS} items of each kind. A
 * form with two version selectors picks another pair. Versions never change, so the page has
 * no live refresh.
 */
@Injectable()
export class DatasetDiffPage {
  constructor(private readonly stages: StageClients) {}

  async render(token: string, q: DiffQuery): Promise<DiffView> {
    const datasetId = q.dataset ?? '';
    if (!datasetId) return { status: 400, title: 'Dataset diff', body: html`<p class="refusal" role="alert">Name a dataset to compare versions of.</p>` };
    const title = `Diff of ${datasetId}`;
    const versions = await this.stages.call('registry', token, (c, o) => c.listVersions({ datasetId }, o));
    if (!versions.ok) return { status: httpStatusOf(versions.code, 502), title, body: refusal(versions) };
    const infos = versions.value.infos;
    const ids = infos.map((i) => i.version?.versionId ?? '');
    const to = q.to || ids.at(-1) || '';
    const from = q.from || ids[ids.indexOf(to) - 1] || '';
    const form = pickForm(datasetId, infos, from, to);
    if (!from || !to) return { status: 200, title, body: html`${form}<p>${datasetId} has fewer than two versions: nothing to compare yet.</p>` };
    const d = await this.stages.call('registry', token, (c, o) => c.diffVersions({ datasetId, fromVersionId: from, toVersionId: to, maxItems: DIFF_ROWS }, o));
    if (!d.ok) return { status: httpStatusOf(d.code, 502), title, body: html`${form}${refusal(d)}` };
    const name = (id: string) => versionName(infos.find((i) => i.version?.versionId === id));
    return { status: 200, title, body: html`${form}${figures(name(from), name(to), d.value)}` };
  }
}

/** "version 3 (1a2b3c4d5e6f)", with "rejected" when the registry's gates refused it. */
function versionName(i: VersionInfo | undefined): string {
  const v = i?.version;
  if (!v) return 'unknown version';
  return `version ${num(v.versionNumber)} (${v.versionId.slice(0, 12)})${i.status === 'rejected' ? ', rejected' : ''}`;
}

/** Two labelled version selectors (GET, so a diff has an address to share). */
function pickForm(datasetId: string, infos: VersionInfo[], from: string, to: string): SafeHtml {
  const select = (name: string, label: string, chosen: string) => {
    const options = infos.map((i) => {
      const id = i.version?.versionId ?? '';
      return html`<option value="${id}"${id === chosen ? new SafeHtml(' selected') : ''}>${versionName(i)}</option>`;
    });
    return html`<label for="diff-${name}">${label}</label><select id="diff-${name}" name="${name}">${options}</select>`;
  };
  return html`<form method="get" action="/datasets/diff" class="pick">
<input type="hidden" name="dataset" value="${datasetId}">
${select('from', 'From version', from)}
${select('to', 'To version', to)}
<button type="submit">Compare</button>
</form>`;
}

/** The counts, the class deltas and the first items of each kind. */
function figures(from: string, to: string, d: DiffVersionsResponse): SafeHtml {
  const ids = (caption: string, list: string[], total: bigint) =>
    table(
      listed(caption, list.length, total),
      ['Item'],
      list.map((id) => [html`<code>${id}</code>`]),
      'none.',
    );
  return html`<section data-diff>
<h2>From ${from} to ${to}</h2>
${table(
  'Items changed',
  ['Added', 'Removed', 'Relabelled', 'Record changed, same label'],
  [
    [
      { num: num(d.addedCount), field: 'added_count' },
      { num: num(d.removedCount), field: 'removed_count' },
      { num: num(d.relabelledCount), field: 'relabelled_count' },
      { num: num(d.changedCount), field: 'changed_count' },
    ],
  ],
)}
${table(
  'Items per class and split',
  ['Split', 'Label', 'From', 'To', 'Change'],
  d.classCounts.map((c) => [c.split, c.label, { num: num(c.fromCount) }, { num: num(c.toCount) }, { num: (c.delta > 0n ? '+' : '') + num(c.delta) }]),
  'no labelled items in either version.',
)}
${table(
  listed('Relabelled items', d.relabelled.length, d.relabelledCount),
  ['Item', 'From label', 'To label'],
  d.relabelled.map((r) => [html`<code>${r.itemId}</code>`, r.fromLabel, r.toLabel]),
  'none.',
)}
${ids('Added items', d.added, d.addedCount)}
${ids('Removed items', d.removed, d.removedCount)}
${ids('Items whose record changed (QA figures, input reference)', d.changed, d.changedCount)}
</section>`;
}

/** A caption that says when only the first items of a kind are listed. */
function listed(caption: string, shown: number, total: bigint): string {
  return BigInt(shown) < total ? `${caption} (the first ${shown} of ${total})` : caption;
}
