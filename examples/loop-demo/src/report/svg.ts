/**
 * Minimal SVG charts written as strings: line/step charts with reference lines and markers,
 * and grouped horizontal bars. No dependencies; the output opens in any browser or Markdown
 * viewer.
 */

/** One line of a line chart. */
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  /** Draw as a step function (value holds until the next point). */
  step?: boolean;
  dashed?: boolean;
  /** Draw a dot at every point. */
  dots?: boolean;
}

/** A vertical or horizontal reference line. */
export interface Rule {
  at: number;
  label: string;
  color: string;
}

/** A labelled marker. */
export interface Marker {
  x: number;
  y: number;
  label?: string;
  color: string;
  shape?: 'circle' | 'triangle' | 'cross';
}

/** A line chart. */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  x?: [number, number];
  y?: [number, number];
  hRules?: Rule[];
  vRules?: Rule[];
  markers?: Marker[];
  /** Format of y tick labels (default: the number). */
  yFormat?: (v: number) => string;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const r2 = (v: number) => Math.round(v * 100) / 100;

/** About `n` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, n = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function frame(title: string, width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<rect width="${width}" height="${height}" fill="#ffffff"/>
<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>
${body}
</svg>
`;
}

/** Renders a line chart. */
export function lineChart(c: LineChart): string {
  const width = c.width ?? 760;
  const height = c.height ?? 380;
  const m = { l: 62, r: 20, t: 34, b: 78 };
  const pw = width - m.l - m.r;
  const ph = height - m.t - m.b;
  const xs = c.series
    .flatMap((s) => s.points.map((p) => p[0]))
    .concat(
      (c.vRules ?? []).map((v) => v.at),
      (c.markers ?? []).map((p) => p.x),
    );
  const ys = c.series
    .flatMap((s) => s.points.map((p) => p[1]).filter(Number.isFinite))
    .concat(
      (c.hRules ?? []).map((h) => h.at),
      (c.markers ?? []).map((p) => p.y),
    );
  const [x0, x1] = c.x ?? [Math.min(...xs, 0), Math.max(...xs, 1)];
  let [y0, y1] = c.y ?? [Math.min(...ys), Math.max(...ys)];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y1 + 1];
  const X = (v: number) => r2(m.l + ((v - x0) / (x1 - x0 || 1)) * pw);
  const Y = (v: number) => r2(m.t + ph - ((Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0)) * ph);
  const fmt = c.yFormat ?? ((v: number) => String(v));
  const parts: string[] = [];
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end" fill="#444">${esc(fmt(t))}</text>`);
  }
  for (const t of ticks(x0, x1, 8)) {
    parts.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#444"/>`);
    parts.push(`<text x="${X(t)}" y="${m.t + ph + 17}" text-anchor="middle" fill="#444">${t}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 34}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`);
  for (const h of c.hRules ?? []) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(h.at)}" y2="${Y(h.at)}" stroke="${h.color}" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${m.l + pw - 4}" y="${Y(h.at) - 4}" text-anchor="end" fill="${h.color}">${esc(h.label)}</text>`);
  }
  (c.vRules ?? []).forEach((v, i) => {
    const right = X(v.at) > m.l + pw * 0.8;
    parts.push(`<line x1="${X(v.at)}" x2="${X(v.at)}" y1="${m.t}" y2="${m.t + ph}" stroke="${v.color}" stroke-dasharray="3 3"/>`);
    parts.push(
      `<text x="${X(v.at) + (right ? -3 : 3)}" y="${m.t + ph - 8 - (i % 5) * 13}" text-anchor="${right ? 'end' : 'start'}" fill="${v.color}" font-size="11">${esc(v.label)}</text>`,
    );
  });
  for (const s of c.series) {
    if (s.points.length === 0) continue;
    // A point with a NaN value breaks the line (a gap between segments).
    const runs: [number, number][][] = [[]];
    s.points.forEach((p, i) => {
      if (!Number.isFinite(p[1])) return void runs.push([]);
      const run = runs[runs.length - 1];
      if (s.step && run.length > 0) run.push([p[0], s.points[i - 1][1]]);
      run.push(p);
    });
    if (s.step) runs[runs.length - 1].push([x1, s.points[s.points.length - 1][1]]);
    for (const run of runs.filter((r) => r.length)) {
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="5 3"' : ''} points="${run.map((p) => `${X(p[0])},${Y(p[1])}`).join(' ')}"/>`,
      );
    }
    if (s.dots) for (const p of s.points.filter((q) => Number.isFinite(q[1]))) parts.push(`<circle cx="${X(p[0])}" cy="${Y(p[1])}" r="3" fill="${s.color}"/>`);
  }
  for (const p of c.markers ?? []) {
    const [x, y] = [X(p.x), Y(p.y)];
    if (p.shape === 'triangle') parts.push(`<path d="M${x},${y - 6} L${x + 6},${y + 5} L${x - 6},${y + 5} Z" fill="${p.color}"/>`);
    else if (p.shape === 'cross')
      parts.push(`<path d="M${x - 5},${y - 5} L${x + 5},${y + 5} M${x - 5},${y + 5} L${x + 5},${y - 5}" stroke="${p.color}" stroke-width="2"/>`);
    else parts.push(`<circle cx="${x}" cy="${y}" r="5" fill="none" stroke="${p.color}" stroke-width="2"/>`);
    const right = x > m.l + pw * 0.7;
    if (p.label)
      parts.push(
        `<text x="${right ? x - 7 : x + 7}" y="${y - 7}" text-anchor="${right ? 'end' : 'start'}" fill="${p.color}" font-size="11">${esc(p.label)}</text>`,
      );
  }
  // Legend below the plot, wrapping onto a second row when needed.
  let lx = m.l;
  let ly = height - 30;
  for (const l of c.series) {
    const w = 40 + l.name.length * 6.2;
    if (lx + w > width && lx > m.l) {
      lx = m.l;
      ly += 16;
    }
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${l.color}" stroke-width="2" ${l.dashed ? 'stroke-dasharray="5 3"' : ''}/>`,
    );
    parts.push(`<text x="${lx + 27}" y="${ly}">${esc(l.name)}</text>`);
    lx += w;
  }
  return frame(c.title, width, height, parts.join('\n'));
}

/** A group of horizontal bars (one row label, one bar per value). */
export interface BarRow {
  label: string;
  values: { name: string; value: number | null; color: string }[];
}

/** Renders grouped horizontal bars (missing values are drawn as "n/a"). */
export function hBarChart(c: { title: string; xLabel: string; rows: BarRow[]; max?: number; format?: (v: number) => string; width?: number }): string {
  const width = c.width ?? 860;
  const per = Math.max(...c.rows.map((r) => r.values.length), 1);
  const rowH = 8 + per * 14;
  const m = { l: 330, r: 60, t: 34, b: 56 };
  const height = m.t + m.b + c.rows.length * rowH;
  const pw = width - m.l - m.r;
  const all = c.rows.flatMap((r) => r.values.map((v) => v.value ?? 0));
  const max = c.max ?? Math.max(...all, 1e-9);
  const fmt = c.format ?? ((v: number) => String(v));
  const W = (v: number) => r2((Math.min(v, max) / max) * pw);
  const parts: string[] = [];
  for (const t of ticks(0, max)) {
    parts.push(`<line x1="${m.l + W(t)}" x2="${m.l + W(t)}" y1="${m.t}" y2="${height - m.b}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.l + W(t)}" y="${height - m.b + 15}" text-anchor="middle" fill="#444">${esc(fmt(t))}</text>`);
  }
  c.rows.forEach((r, i) => {
    const y = m.t + i * rowH + 4;
    parts.push(`<text x="${m.l - 8}" y="${y + (per * 14) / 2 + 4}" text-anchor="end">${esc(r.label)}</text>`);
    r.values.forEach((v, j) => {
      const yy = y + j * 14;
      if (v.value === null) parts.push(`<text x="${m.l + 4}" y="${yy + 10}" fill="#888" font-size="11">n/a</text>`);
      else {
        parts.push(`<rect x="${m.l}" y="${yy}" width="${Math.max(1, W(v.value))}" height="12" fill="${v.color}"/>`);
        parts.push(`<text x="${m.l + Math.max(1, W(v.value)) + 4}" y="${yy + 10}" font-size="11">${esc(fmt(v.value))}</text>`);
      }
    });
  });
  parts.push(`<text x="${m.l + pw / 2}" y="${height - m.b + 32}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  const names = c.rows[0]?.values ?? [];
  let lx = m.l;
  for (const n of names) {
    parts.push(`<rect x="${lx}" y="${height - 18}" width="14" height="10" fill="${n.color}"/>`);
    parts.push(`<text x="${lx + 19}" y="${height - 9}">${esc(n.name)}</text>`);
    lx += 40 + n.name.length * 6.5;
  }
  return frame(c.title, width, height, parts.join('\n'));
}
