/**
 * Drift statistics over time for the report. The drift-detection service keeps only alerts,
 * not every window's statistics, so the report recomputes the same tests on the predictions it
 * saw, the way the detector windows them: the first `referenceSize` events of each served
 * model version form the reference, then tumbling windows of `windowSize` events are tested
 * against it (KS on confidence, chi-square on predicted labels, per-dimension KS on the
 * embedding with Bonferroni over dimensions). This is an approximation after a promotion: the
 * service then tests against the promoted model's training data, not its first events.
 */
import { chiSquareHomogeneity, ksTwoSample } from '@labelloop/drift-stats';
import type { Served } from './tap';

/** One tested window: its last event's index in the stream and each test's p-value. */
export interface WindowStat {
  endIndex: number;
  endTime: number;
  version: string;
  p: { confidence: number; predictedLabel: number; embedding: number };
}

const counts = (xs: Served[]) => xs.reduce<Record<string, number>>((m, s) => ((m[s.predicted] = (m[s.predicted] ?? 0) + 1), m), {});

function embeddingP(ref: Served[], win: Served[]): number {
  const dims = ref[0]?.embedding.length ?? 0;
  let minP = 1;
  for (let d = 0; d < dims; d++) {
    const r = ksTwoSample(
      ref.map((s) => s.embedding[d]),
      win.map((s) => s.embedding[d]),
    );
    minP = Math.min(minP, r.pValue);
  }
  return Math.min(1, minP * dims);
}

/** Recomputes the detector's window tests over the served stream. */
export function driftWindows(served: readonly Served[], referenceSize: number, windowSize: number): WindowStat[] {
  const out: WindowStat[] = [];
  let ref: Served[] = [];
  let win: Served[] = [];
  let version = '';
  served.forEach((s, i) => {
    if (s.version !== version) {
      version = s.version;
      ref = [];
      win = [];
    }
    if (ref.length < referenceSize) return void ref.push(s);
    win.push(s);
    if (win.length < windowSize) return;
    const labels = { ...counts(ref) };
    const cur = counts(win);
    out.push({
      endIndex: i,
      endTime: s.t,
      version,
      p: {
        confidence: ksTwoSample(
          ref.map((x) => x.confidence),
          win.map((x) => x.confidence),
        ).pValue,
        predictedLabel: Object.keys({ ...labels, ...cur }).length >= 2 ? chiSquareHomogeneity(labels, cur).pValue : 1,
        embedding: embeddingP(ref, win),
      },
    });
    win = [];
  });
  return out;
}
