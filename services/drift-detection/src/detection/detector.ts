import type { Sample, TestOutcome } from './window-test';
import { testWindow } from './window-test';

/** Persisted state of one model's detector; its size is bounded by the reference and window sizes. */
export interface DetectorState {
  reference: Sample & { size: number };
  window: Sample & { size: number; startMs: number; endMs: number; lowest: { id: string; c: number }[] };
  drifting: boolean;
  cleanWindows: number;
}

/** Detector settings. */
export interface DetectorConfig {
  referenceSize: number;
  windowSize: number;
  alpha: number;
  resolveAfter: number;
}

/** What a completed window decided. */
export type WindowVerdict =
  | { kind: 'opened'; tests: TestOutcome[]; window: DetectorState['window'] }
  | { kind: 'resolved'; tests: TestOutcome[]; window: DetectorState['window'] }
  | { kind: 'none' };

const REPRESENTATIVES = 20;

/** A detector with an empty reference. */
export function emptyState(): DetectorState {
  return {
    reference: { confidences: [], labelCounts: {}, size: 0 },
    window: { confidences: [], labelCounts: {}, size: 0, startMs: 0, endMs: 0, lowest: [] },
    drifting: false,
    cleanWindows: 0,
  };
}

/**
 * Feeds one prediction. The first `referenceSize` events of a model version form the
 * reference; then events fill tumbling windows of `windowSize`. A window that drifts while
 * no episode is open opens one; `resolveAfter` clean windows in a row close it — one alert
 * per episode, no storms.
 */
export function observe(
  s: DetectorState,
  cfg: DetectorConfig,
  ev: { id: string; confidence: number; label: string; timeMs: number },
): WindowVerdict {
  if (s.reference.size < cfg.referenceSize) {
    s.reference.confidences.push(ev.confidence);
    s.reference.labelCounts[ev.label] = (s.reference.labelCounts[ev.label] ?? 0) + 1;
    s.reference.size++;
    return { kind: 'none' };
  }
  const w = s.window;
  if (w.size === 0) w.startMs = ev.timeMs;
  w.endMs = Math.max(w.endMs, ev.timeMs);
  w.confidences.push(ev.confidence);
  w.labelCounts[ev.label] = (w.labelCounts[ev.label] ?? 0) + 1;
  w.size++;
  // Keep the least confident events as representatives for sampling.
  w.lowest.push({ id: ev.id, c: ev.confidence });
  w.lowest.sort((a, b) => a.c - b.c);
  if (w.lowest.length > REPRESENTATIVES) w.lowest.pop();
  if (w.size < cfg.windowSize) return { kind: 'none' };

  const tests = testWindow(s.reference, w, cfg.alpha);
  const closed = { ...w };
  s.window = emptyState().window;
  const drifted = tests.some((t) => t.drifted);
  if (drifted) {
    s.cleanWindows = 0;
    if (!s.drifting) {
      s.drifting = true;
      return { kind: 'opened', tests, window: closed };
    }
    return { kind: 'none' };
  }
  if (s.drifting && ++s.cleanWindows >= cfg.resolveAfter) {
    s.drifting = false;
    s.cleanWindows = 0;
    return { kind: 'resolved', tests, window: closed };
  }
  return { kind: 'none' };
}
