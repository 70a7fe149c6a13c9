/**
 * The figures a run reports, computed from what the tap observed, the report's own held-out
 * evaluation, the workforce's ground truth and QA's scorecards.
 *
 * Accuracy is measured on fixed held-out sets (scenario.ts): "before the drift" is the first
 * model on the early held-out set, "after the drift" the same model on the later held-out set,
 * and each promoted model on the later held-out set. Served (stream) accuracy is reported next
 * to it. The recovery target is the pre-drift accuracy minus `recoveryGap`, capped at the
 * ceiling minus the gap (the ceiling: every later-stream message labelled, the registry's train
 * share of them used for training): the later groups are harder than the early ones, and a
 * target no amount of labels can reach would say nothing about sampling strategies.
 */
import type { WindowStatistics } from '@labelloop/contracts';
import type { ExportRecord } from './exports';
import type { Evaluator } from './evaluation';
import { isLater, recordOfUri } from './scenario';
import type { Tap } from './tap';
import type { AnnotatorProfile, AnnotatorStats } from './workforce';

/** p50 / p99 (nearest rank) of a set of durations in seconds. */
export interface Quantiles {
  n: number;
  p50: number | null;
  p99: number | null;
}

/** A promoted model. */
export interface PromotionFigure {
  version: string;
  datasetVersion: number;
  /** Accepted labels in the dataset version it was trained from, and those served after the drift onset. */
  labels: number;
  labelsAfterDrift: number;
  /** Seconds since the run started. */
  promotedAtS: number;
  heldOutLater: number;
  heldOutEarly: number;
  /** Accuracy of the predictions it served (null when it served none). */
  streamAccuracy: number | null;
  streamEvents: number;
  /** Last accepted label of its dataset version → ModelPromoted. */
  lastLabelToPromotedS: number | null;
}

/** A candidate the training job evaluated. */
export interface CandidateFigure {
  version: string;
  datasetVersion: number;
  labels: number;
  labelsAfterDrift: number;
  promoted: boolean;
  testItems: number;
  testAccuracy: number;
  championVersion: string;
  championTestAccuracy: number;
  heldOutLater: number;
  reasons: string[];
}

/** Per stage latency (seconds); `human` stages include simulated annotator time. */
export interface StageLatency extends Quantiles {
  stage: string;
  human?: boolean;
}

/** Everything a run reports. */
export interface MainJobFigures {
  run: string;
  strategy: string;
  seed: number;
  completed: boolean;
  /** Why the run stopped early, when it did. */
  problem?: string;
  seconds: number;
  reportDir: string;
  events: { total: number; served: number; driftAt: number };
  accuracy: {
    preDrift: number;
    preDriftStream: number | null;
    afterDrift: number;
    afterDriftStream: number | null;
    final: number;
    finalVersion: string;
    ceiling: number;
    gap: number;
    target: number;
  };
  promotions: PromotionFigure[];
  candidates: CandidateFigure[];
  recovery: {
    recovered: boolean;
    version: string | null;
    labels: number | null;
    labelsAfterDrift: number | null;
    heldOutLater: number | null;
    budgetAfterDrift: number;
  };
  /**
   * Label efficiency of the sampling strategy: the fewest post-drift labels of a trained
   * candidate (promoted or not) that reached the target on the held-out later groups. Unlike
   * `recovery`, it does not depend on the promotion rule, whose small test split (drawn from the
   * sampled items themselves) rejects some good candidates; the strategy-vs-random ratio uses it.
   */
  efficiency: { reached: boolean; version: string | null; labelsAfterDrift: number | null; heldOutLater: number | null };
  /** `answersWithText`: answers to tasks that showed the e-mail (resolved from its spamassassin:// URI by dispatch). */
  labels: {
    requests: number;
    accepted: number;
    acceptedAfterDrift: number;
    answers: number;
    answersWithText: number;
    rawAccuracy: number;
    acceptedAccuracy: number;
    /** People's answers per accepted label (the cost of a label in people). */
    humanAnswersPerLabel: number;
    /** Answers of machine annotators (annotator ids `machine:…`, from QA's scorecards). */
    machineAnswers: number;
  };
  annotators: { name: string; careless: boolean; configured: number; realized: number; answers: number; estimated: number | null; paused: boolean }[];
  /** Every careless annotator was paused by QA. */
  carelessDetected: boolean;
  /** Careful annotators QA paused (false alarms). */
  wronglyPaused: string[];
  /**
   * `referenceSource`: where drift detection's reference came from at the end of the run.
   * `windows`: tested windows drift detection stored (ListWindowStatistics, the drift chart);
   * `alertsWithoutWindow`: alerts on the topic that no stored window opened (0 unless the
   * service's retention dropped them). `alertsAfterRecovery`: alerts opened after the promotion
   * that recovered (null: none did); `driftingAtEnd`: the model's drift state when the run ended.
   */
  drift: {
    alerts: number;
    falseAlarmsBeforeOnset: number;
    resolved: number;
    referenceSource: string;
    windows: number;
    alertsWithoutWindow: number;
    alertsAfterRecovery: number | null;
    driftingAtEnd: boolean;
  };
  latency: {
    onsetToAlertS: number | null;
    windowToAlertS: number | null;
    alertToFirstTaskS: number | null;
    lastLabelToPromoted: Quantiles;
    stages: StageLatency[];
  };
}

/** What a finished run hands to {@link computeFigures}. */
export interface RunRecord {
  run: string;
  strategy: string;
  seed: number;
  recoveryGap: number;
  startedAt: number;
  finishedAt: number;
  completed: boolean;
  problem?: string;
  reportDir: string;
  streamLength: number;
  driftAt: number;
  tap: Tap;
  evaluator: Evaluator;
  ceiling: number;
  profiles: AnnotatorProfile[];
  stats: Map<string, AnnotatorStats>;
  scorecards: { annotatorId: string; estimatedAccuracy: number; paused: boolean; answers: number }[];
  /** First time a task of each item became available (dispatch). */
  taskCreated: Map<string, number>;
  /** Each dataset version's exported records. */
  exports: Map<string, ExportRecord[]>;
  /** Where the drift service's reference came from at the end, and whether it was drifting (GetDriftStatus). */
  referenceSource: string;
  driftingAtEnd: boolean;
  /** The drift service's stored window statistics at the end (ListWindowStatistics). */
  windows: readonly WindowStatistics[];
}

/** p50 / p99 by nearest rank. */
export function quantiles(values: number[]): Quantiles {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  const q = (p: number) => (v.length ? v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)] : null);
  return { n: v.length, p50: q(0.5), p99: q(0.99) };
}

const truthOf = (uri: string) => recordOfUri(uri)?.label;

/** Computes the figures of a run. */
export function computeFigures(r: RunRecord): MainJobFigures {
  const { tap, evaluator } = r;
  const served = tap.served;
  const onsetIdx = served.findIndex((s) => isLater(s.uri));
  const onsetT = onsetIdx >= 0 ? served[onsetIdx].t : Infinity;
  const streamAcc = (xs: typeof served) => (xs.length ? xs.filter((s) => s.predicted === truthOf(s.uri)).length / xs.length : null);
  const initial = served[0]?.version ?? 'v1';
  const v1 = evaluator.version(initial);
  const versionById = new Map(tap.versions.map((v) => [v.versionId, v]));
  const labelsOf = (datasetVersionId: string) => {
    const items = r.exports.get(datasetVersionId) ?? [];
    return {
      number: versionById.get(datasetVersionId)?.number ?? 0,
      labels: items.length,
      labelsAfterDrift: items.filter((i) => isLater(i.inputUri)).length,
      lastLabelAt: Math.max(...items.map((i) => tap.accepted.get(i.itemId)?.at ?? -Infinity)),
    };
  };

  const promotions: PromotionFigure[] = tap.promoted.map((p) => {
    const l = labelsOf(p.datasetVersionId);
    const h = evaluator.version(p.version);
    const mine = served.filter((s) => s.version === p.version);
    return {
      version: p.version,
      datasetVersion: l.number,
      labels: l.labels,
      labelsAfterDrift: l.labelsAfterDrift,
      promotedAtS: (p.at - r.startedAt) / 1000,
      heldOutLater: h.later,
      heldOutEarly: h.early,
      streamAccuracy: streamAcc(mine),
      streamEvents: mine.length,
      lastLabelToPromotedS: Number.isFinite(l.lastLabelAt) ? (p.at - l.lastLabelAt) / 1000 : null,
    };
  });
  const decided = new Map<string, { promoted: boolean; reasons: string[] }>();
  for (const p of tap.promoted) decided.set(p.version, { promoted: true, reasons: [] });
  for (const x of tap.rejected) decided.set(x.candidate, { promoted: false, reasons: x.reasons });
  const candidates: CandidateFigure[] = tap.evaluated.map((e) => {
    const l = labelsOf(e.datasetVersionId);
    return {
      version: e.candidate,
      datasetVersion: l.number,
      labels: l.labels,
      labelsAfterDrift: l.labelsAfterDrift,
      promoted: decided.get(e.candidate)?.promoted ?? false,
      testItems: Object.entries(e.slices)
        .filter(([k]) => k === 'ham' || k === 'spam')
        .reduce((a, [, s]) => a + (s.items ?? 0), 0),
      testAccuracy: e.metrics.accuracy,
      championVersion: e.champion,
      championTestAccuracy: e.championMetrics.accuracy,
      heldOutLater: evaluator.version(e.candidate).later,
      reasons: decided.get(e.candidate)?.reasons ?? [],
    };
  });

  const preDrift = v1.early;
  const target = Math.min(preDrift, r.ceiling) - r.recoveryGap;
  const rec = promotions.find((p) => p.heldOutLater >= target);
  const eff = [...candidates].sort((a, b) => a.labelsAfterDrift - b.labelsAfterDrift).find((c) => c.heldOutLater >= target);
  const acceptedList = [...tap.accepted.entries()];
  const recoveredAt = rec ? tap.promoted.find((p) => p.version === rec.version)?.at : undefined;
  const finalVersion = tap.promoted.at(-1)?.version ?? initial;

  // Drift: the first alert whose window reaches past the onset, and the first drift-asked task.
  const alert = tap.alerts.find((a) => a.windowEnd >= onsetT);
  // The alerts the stored window statistics show (the windows that opened an episode).
  const openedBy = new Set(r.windows.filter((w) => w.outcome === 'opened').map((w) => w.alertId));
  const driftTasks = tap.requests
    .filter((q) => q.trigger === 'DRIFT' && alert && q.requestedAt >= alert.at - 1000)
    .map((q) => r.taskCreated.get(q.itemId) ?? NaN)
    .filter(Number.isFinite);
  const firstTask = driftTasks.length ? Math.min(...driftTasks) : NaN;

  // Stage latencies.
  const s = (xs: number[]) => xs.map((x) => x / 1000);
  const lastAnswer = new Map<string, number>();
  for (const x of tap.submissions) lastAnswer.set(x.itemId, Math.max(lastAnswer.get(x.itemId) ?? 0, x.at));
  const firstServed = (v: string) => served.find((x) => x.version === v)?.t ?? NaN;
  const approvedOf = new Map(tap.versions.map((v) => [v.versionId, v.approvedAt]));
  const retrainOf = new Map(tap.retrains.map((x) => [x.runId, x.at]));
  const evaluatedOf = new Map(tap.evaluated.map((e) => [e.candidate, e.at]));
  const stages: StageLatency[] = [
    { stage: 'drift window closed → alert', ...quantiles(s(tap.alerts.map((a) => a.at - a.windowEnd))) },
    { stage: 'prediction → annotation request', ...quantiles(s(tap.requests.map((q) => q.requestedAt - q.predictedAt))) },
    { stage: 'request → task available', ...quantiles(s(tap.requests.map((q) => (r.taskCreated.get(q.itemId) ?? NaN) - q.requestedAt))) },
    {
      stage: 'task available → last answer',
      human: true,
      ...quantiles(s(tap.requests.map((q) => (lastAnswer.get(q.itemId) ?? NaN) - (r.taskCreated.get(q.itemId) ?? NaN)))),
    },
    { stage: 'last answer → label accepted', ...quantiles(s(acceptedList.map(([id, a]) => a.at - (lastAnswer.get(id) ?? NaN)))) },
    { stage: 'last label → dataset version', ...quantiles(s(tap.versions.map((v) => v.approvedAt - labelsOf(v.versionId).lastLabelAt))) },
    { stage: 'dataset version → retrain requested', ...quantiles(s(tap.retrains.map((x) => x.at - (approvedOf.get(x.datasetVersionId) ?? NaN)))) },
    { stage: 'retrain requested → evaluated', ...quantiles(s(tap.evaluated.map((e) => e.at - (retrainOf.get(e.runId) ?? NaN)))) },
    { stage: 'evaluated → promoted', ...quantiles(s(tap.promoted.map((p) => p.at - (evaluatedOf.get(p.version) ?? NaN)))) },
    { stage: 'promoted → serving', ...quantiles(s(tap.promoted.map((p) => firstServed(p.version) - p.at))) },
  ];

  const totals = [...r.stats.values()].reduce(
    (a, x) => ({ answers: a.answers + x.answers, correct: a.correct + x.correct, shownText: a.shownText + (x.shownText ?? 0) }),
    { answers: 0, correct: 0, shownText: 0 },
  );
  const annotators = r.profiles.map((p) => {
    const st = r.stats.get(p.name) ?? { answers: 0, correct: 0 };
    const card = r.scorecards.find((c) => c.annotatorId === p.name);
    return {
      name: p.name,
      careless: !!p.careless,
      configured: p.accuracy,
      realized: st.answers ? st.correct / st.answers : NaN,
      answers: st.answers,
      estimated: card ? card.estimatedAccuracy : null,
      paused: card?.paused ?? false,
    };
  });
  const budgetAfterDrift = acceptedList.filter(([, a]) => isLater(a.uri)).length;

  return {
    run: r.run,
    strategy: r.strategy,
    seed: r.seed,
    completed: r.completed,
    problem: r.problem,
    seconds: (r.finishedAt - r.startedAt) / 1000,
    reportDir: r.reportDir,
    events: { total: r.streamLength, served: served.length, driftAt: r.driftAt },
    accuracy: {
      preDrift,
      preDriftStream: streamAcc(onsetIdx >= 0 ? served.slice(0, onsetIdx) : served),
      afterDrift: v1.later,
      afterDriftStream:
        onsetIdx >= 0
          ? streamAcc(
              served
                .slice(onsetIdx)
                .filter((x) => x.version === initial)
                .slice(0, 300),
            )
          : null,
      final: evaluator.version(finalVersion).later,
      finalVersion,
      ceiling: r.ceiling,
      gap: r.recoveryGap,
      target,
    },
    promotions,
    candidates,
    recovery: {
      recovered: !!rec,
      version: rec?.version ?? null,
      labels: rec?.labels ?? null,
      labelsAfterDrift: rec?.labelsAfterDrift ?? null,
      heldOutLater: rec?.heldOutLater ?? null,
      budgetAfterDrift,
    },
    efficiency: { reached: !!eff, version: eff?.version ?? null, labelsAfterDrift: eff?.labelsAfterDrift ?? null, heldOutLater: eff?.heldOutLater ?? null },
    labels: {
      requests: tap.requests.length,
      accepted: acceptedList.length,
      acceptedAfterDrift: budgetAfterDrift,
      answers: totals.answers,
      answersWithText: totals.shownText,
      rawAccuracy: totals.answers ? totals.correct / totals.answers : NaN,
      acceptedAccuracy: acceptedList.length ? acceptedList.filter(([, a]) => a.label === truthOf(a.uri)).length / acceptedList.length : NaN,
      humanAnswersPerLabel: acceptedList.length ? totals.answers / acceptedList.length : NaN,
      machineAnswers: r.scorecards.filter((c) => c.annotatorId.startsWith('machine:')).reduce((n, c) => n + c.answers, 0),
    },
    annotators,
    carelessDetected: annotators.filter((a) => a.careless).every((a) => a.paused),
    wronglyPaused: annotators.filter((a) => !a.careless && a.paused).map((a) => a.name),
    drift: {
      alerts: tap.alerts.length,
      falseAlarmsBeforeOnset: tap.alerts.filter((a) => a.windowEnd < onsetT).length,
      resolved: tap.resolved.length,
      referenceSource: r.referenceSource,
      windows: r.windows.length,
      alertsWithoutWindow: new Set(tap.alerts.map((a) => a.alertId).filter((id) => !openedBy.has(id))).size,
      alertsAfterRecovery: recoveredAt === undefined ? null : tap.alerts.filter((a) => a.at > recoveredAt).length,
      driftingAtEnd: r.driftingAtEnd,
    },
    latency: {
      onsetToAlertS: alert && Number.isFinite(onsetT) ? (alert.at - onsetT) / 1000 : null,
      windowToAlertS: alert ? (alert.at - alert.windowEnd) / 1000 : null,
      alertToFirstTaskS: alert && Number.isFinite(firstTask) ? (firstTask - alert.at) / 1000 : null,
      lastLabelToPromoted: quantiles(promotions.map((p) => p.lastLabelToPromotedS ?? NaN)),
      stages,
    },
  };
}
