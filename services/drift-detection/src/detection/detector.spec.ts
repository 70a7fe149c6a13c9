import { DetectorConfig, emptyState, observe, WindowVerdict } from './detector';

const cfg: DetectorConfig = { referenceSize: 200, windowSize: 200, alpha: 0.01, resolveAfter: 2 };
const frac = (i: number) => Math.abs((Math.sin(i * 12.9898) * 43758.5453) % 1);

function feed(state = emptyState(), n: number, offset: number, conf: (i: number) => number): WindowVerdict[] {
  const out: WindowVerdict[] = [];
  for (let i = 0; i < n; i++) {
    const c = conf(i + offset);
    out.push(observe(state, cfg, { id: `e${i + offset}`, confidence: c, label: c > 0.85 ? 'ham' : 'spam', timeMs: i + offset }));
  }
  return out.filter((v) => v.kind !== 'none');
}

describe('drift detector episodes', () => {
  it('opens one episode for a sustained shift and resolves it after clean windows', () => {
    const s = emptyState();
    expect(feed(s, 1000, 0, (i) => 0.7 + 0.3 * frac(i))).toEqual([]);
    const during = feed(s, 1000, 1000, (i) => 0.3 + 0.3 * frac(i)); // five drifted windows
    expect(during.map((v) => v.kind)).toEqual(['opened']);
    const opened = during[0] as Extract<WindowVerdict, { kind: 'opened' }>;
    expect(opened.window.lowest).toHaveLength(20);
    expect(opened.window.lowest.every((r) => r.c <= 0.35)).toBe(true);
    const after = feed(s, 600, 2000, (i) => 0.7 + 0.3 * frac(i));
    expect(after.map((v) => v.kind)).toEqual(['resolved']);
  });

  it('keeps memory bounded however long the stream runs', () => {
    const s = emptyState();
    feed(s, 20_000, 0, (i) => 0.7 + 0.3 * frac(i));
    expect(s.reference.confidences.length).toBe(200);
    expect(s.window.confidences.length).toBeLessThan(200);
  });
});
