import { html, SafeHtml } from './html';

/** A cell: text, or markup; `num` cells are right-aligned. */
export type Cell = string | SafeHtml | { num: string; field?: string };

/** A data table with a caption and column headers (what screen readers announce). */
export function table(caption: string, headers: string[], rows: Cell[][], empty = 'None yet.'): SafeHtml {
  if (rows.length === 0) return html`<p>${caption}: ${empty}</p>`;
  const cell = (c: Cell) =>
    typeof c === 'object' && !(c instanceof SafeHtml)
      ? html`<td class="num"${c.field ? html` data-field="${c.field}"` : ''}>${c.num}</td>`
      : html`<td>${c}</td>`;
  return html`<table>
<caption>${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map(cell)}</tr>`)}</tbody>
</table>`;
}
