import { addCalibration, Calibration, windowAccuracy, WindowAccuracy } from './accuracy';
import { MAX_EMBEDDING_SAMPLE, MAX_EVENTS, ResolvedConfig } from './drift-config';
import { testWindow, WindowResult } from './feature-tests';
import { columns, Columns, Snap } from './snapshot';

/**
 * Persisted state of one model's detector. Its size is bounded by the configuration, not by
 * the stream: the reference holds at most `reference_size` (≤ 5000) events, the window at most
 * `window_size` (≤ 5000) events — for time windows the most recent 5000 — so per model the
 * state is O((reference + window) × features).
 */
export interface DetectorState {
  version: string;
  reference: Snap[];
  window: Snap[];
  /** Events (count windows) or the event time (ms, time windows) at the last evaluation. */
  sinceEval: number;
  lastEvalT: number;
  drifting: boolean;
  cleanWindows: number;
  windowsTested: number;
  /**
   * Set when the reference was given (uploaded, a dataset version, a promoted model's training
   * data): it is not replaced by the first events of a version.
   */
  pinned?: boolean;
  /** Where a pinned reference came from (shown by GetDriftStatus). */
  source?: string;
  /** This version's labelled predictions that calibrate its accuracy estimate (see accuracy.ts). */
  calibration?: Calibration;
}

/** What an evaluated window decided. */
export interface EvaluatedWindow {
  kind: 'opened' | 'resolved' | 'tested';
  result: WindowResult;
  accuracy: WindowAccuracy;
  window: { start: number; end: number; representatives: string[] };
}

/** What `observe` decided: a window was evaluated, or nothing happened yet. */
export type Verdict = EvaluatedWindow | { kind: 'none' };

const REPRESENTATIVES = 20;

/** How far ahead of its arrival an event's time may be before it is windowed by its neighbours (DRIFT_MAX_FUTURE_SKEW_SECONDS). */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 300_000;

/** An empty detector for a model version. */
export function emptyState(version: string): DetectorState {
  return { version, reference: [], window: [], sinceEval: 0, lastEvalT: 0, drifting: false, cleanWindows: 0, windowsTested: 0 };
}

/** A detector for a model version whose reference is given, not taken from its first events. */
export function pinnedState(version: string, reference: Snap[], source: string): DetectorState {
  return { ...emptyState(version), reference, pinned: true, source };
}

/** Where the state's reference came from, for people. */
export function referenceSource(st: DetectorState): string {
  return st.pinned ? (st.source ?? 'uploaded') : `first events of version ${st.version}`;
}

/**
 * Column views of references, by reference array: a reference changes only while it fills up
 * (checked by length) or when it is replaced (a new array), so its columns are built and sorted
 * once, not once per window. Sorted columns make every later sort in the tests a linear pass.
 */
const referenceColumns = new WeakMap<Snap[], { length: number; cols: Columns }>();

function columnsOfReference(reference: Snap[]): Columns {
  const hit = referenceColumns.get(reference);
  if (hit && hit.length === reference.length) return hit.cols;
  const cols = columns(reference, MAX_EMBEDDING_SAMPLE);
  for (const v of Object.values(cols.num)) v.sort((a, b) => a - b);
  cols.conf.sort((a, b) => a - b);
  referenceColumns.set(reference, { length: reference.length, cols });
  return cols;
}

/** A reference event keeps the inputs and the prediction, not the class probabilities or the truth. */
export function withoutOutputs(s: Snap): Snap {
  const r = { ...s };
  delete r.probs;
  delete r.truth;
  return r;
}

/** Runs one model's windows against its reference. */
export class Detector {
  /** Events whose time lay beyond their arrival + the allowed skew (see `observe`). */
  retimed = 0;

  constructor(
    readonly state: DetectorState,
    private readonly cfg: ResolvedConfig,
    private readonly maxFutureSkewMs = DEFAULT_MAX_FUTURE_SKEW_MS,
  ) {}

  /**
   * Feeds one event that arrived at `arrivalMs`; returns a verdict when a window was evaluated.
   *
   * An event whose time lies beyond its arrival + the allowed skew (a producer's clock far
   * ahead), or is no time at all, would move a time window's clock there: every later event
   * would look older than the last evaluation and the model's windows would stop being tested
   * until that date came. Such an event is kept and counted, at the time of the events it
   * arrived with (the window's latest event time; its arrival when the detector has seen
   * none). Refusing it would take a valid prediction out of the window; taking its arrival
   * time would still move the clock ahead of a stream being replayed hours late.
   */
  observe(event: Snap, arrivalMs = Date.now()): Verdict {
    const st = this.state;
    let s = event;
    if (!(s.t <= arrivalMs + this.maxFutureSkewMs)) {
      s = { ...s, t: st.window.at(-1)?.t ?? (st.lastEvalT || arrivalMs) };
      this.retimed++;
    }
    addCalibration(st, s);
    if (st.reference.length < this.cfg.referenceSize && !st.pinned) {
      st.reference.push(s.probs || s.truth !== undefined ? withoutOutputs(s) : s);
      return { kind: 'none' };
    }
    st.window.push(s);
    if (this.cfg.windowKind === 'count') {
      if (st.window.length > this.cfg.windowSize) st.window.splice(0, st.window.length - this.cfg.windowSize);
      st.sinceEval++;
      if (st.window.length < this.cfg.windowSize || st.sinceEval < this.cfg.windowSlide) return { kind: 'none' };
      return this.evaluate(this.cfg.windowSlide === this.cfg.windowSize);
    }
    // Time windows, by event time.
    if (st.lastEvalT === 0) st.lastEvalT = s.t;
    const horizon = s.t - this.cfg.windowSeconds * 1000;
    let drop = 0;
    while (drop < st.window.length && st.window[drop].t <= horizon) drop++;
    if (drop > 0) st.window.splice(0, drop);
    if (st.window.length > MAX_EVENTS) st.window.splice(0, st.window.length - MAX_EVENTS);
    if (s.t - st.lastEvalT < this.cfg.slideSeconds * 1000) return { kind: 'none' };
    st.lastEvalT = s.t;
    return this.evaluate(this.cfg.slideSeconds === this.cfg.windowSeconds);
  }

  private evaluate(tumbling: boolean): Verdict {
    const st = this.state;
    const win = st.window;
    const cols = columns(win, MAX_EMBEDDING_SAMPLE);
    const accuracy = windowAccuracy(st.calibration, win, cols.correct);
    const result = testWindow(columnsOfReference(st.reference), cols, this.cfg, accuracy);
    const representatives = [...win]
      .sort((a, b) => (a.conf ?? 1) - (b.conf ?? 1))
      .slice(0, REPRESENTATIVES)
      .map((e) => e.id);
    const bounds = { start: win[0]?.t ?? 0, end: win[win.length - 1]?.t ?? 0, representatives };
    st.sinceEval = 0;
    st.windowsTested++;
    if (tumbling) st.window = [];
    if (result.drifted) {
      st.cleanWindows = 0;
      if (!st.drifting) {
        st.drifting = true;
        return { kind: 'opened', result, accuracy, window: bounds };
      }
      return { kind: 'tested', result, accuracy, window: bounds };
    }
    if (st.drifting && ++st.cleanWindows >= this.cfg.resolveAfter) {
      st.drifting = false;
      st.cleanWindows = 0;
      return { kind: 'resolved', result, accuracy, window: bounds };
    }
    return { kind: 'tested', result, accuracy, window: bounds };
  }
}
