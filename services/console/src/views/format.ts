import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { html, SafeHtml } from './html';
import type { StageAnswer } from '../stages/stage-answer';

/** A number with `digits` decimals, or an em dash when absent. */
export function num(v: number | bigint | undefined, digits = 0): string {
  if (v === undefined) return '—';
  if (typeof v === 'bigint') return v.toString();
  return Number.isFinite(v) ? v.toFixed(digits) : '—';
}

/** A protobuf timestamp as ISO 8601 (UTC, seconds), or an em dash. */
export function when(t: Timestamp | undefined): string {
  return t
    ? timestampDate(t)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z')
    : '—';
}

/** The box that says why a stage's figures are not shown (refused, unreachable, not configured). */
export function refusal(a: Extract<StageAnswer<unknown>, { ok: false }>): SafeHtml {
  return html`<p class="refusal" role="alert" data-code="${a.code}">${a.message}</p>`;
}

/** A note naming the figures no stage API serves yet, instead of reading a stage's database. */
export function missingRpc(what: string, service: string): SafeHtml {
  return html`<p class="missing">No RPC serves ${what} yet (${service} has none); the console does not read a stage's database, so it is not shown.</p>`;
}
