import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { html, SafeHtml } from './html';
import type { StageAnswer } from '../stages/stage-answer';

/** A number with `digits` decimals, or an em dash when absent. */
export function num(v: number | bigint | undefined, digits = 0): string {
  if (v === undefined) return '—';
  if (typeof v === 'bigint') return v.toString();
  return Number.isFinite(v) ? v.toFixed(digits) : '—';
}

/** A share (0–1) as a percentage with one decimal, or an em dash when absent. */
export function percent(v: number | undefined): string {
  return v === undefined ? '—' : `${num(v * 100, 1)} %`;
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
