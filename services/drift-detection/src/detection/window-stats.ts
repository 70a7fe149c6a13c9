import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { FeatureDrift, WindowStatisticsSchema } from '@labelloop/contracts';
import type { WindowAccuracy } from './accuracy';
import type { EvaluatedWindow } from './detector';

/** One tested window as stored in drift_window_stats. */
export interface WindowStatsRow {
  modelId: string;
  modelVersion: string;
  windowStart: Date;
  windowEnd: Date;
  testedAt?: Date;
  features: Pick<FeatureDrift, 'feature' | 'method' | 'statistic' | 'pValue' | 'threshold' | 'drifted'>[];
  driftedShare: number;
  outcome: EvaluatedWindow['kind'];
  alertId: string | null;
  accuracy: WindowAccuracy;
}

/** A tested window as a row. */
export function windowStatsRow(modelId: string, modelVersion: string, w: EvaluatedWindow, alpha: number, alertId: string | null): WindowStatsRow {
  return {
    modelId,
    modelVersion,
    windowStart: new Date(w.window.start),
    windowEnd: new Date(w.window.end),
    features: featureDrifts(w, alpha),
    driftedShare: w.result.driftedShare,
    outcome: w.kind,
    alertId,
    accuracy: w.accuracy,
  };
}

/**
 * Each test's statistic with the threshold it was held to: alpha for p-value tests (as
 * DriftDetected reports it), the distance threshold otherwise.
 */
export function featureDrifts(w: EvaluatedWindow, alpha: number): WindowStatsRow['features'] {
  return w.result.tests.map((t) => ({
    feature: t.feature,
    method: t.method,
    statistic: t.statistic,
    pValue: t.pValue,
    threshold: t.pValue === undefined ? t.threshold : alpha,
    drifted: t.drifted,
  }));
}

/** A stored window as the RPC returns it. */
export function windowStatsToProto(r: WindowStatsRow): MessageInitShape<typeof WindowStatisticsSchema> {
  return {
    modelId: r.modelId,
    modelVersion: r.modelVersion,
    windowStart: timestampFromMs(r.windowStart.getTime()),
    windowEnd: timestampFromMs(r.windowEnd.getTime()),
    testedAt: r.testedAt ? timestampFromDate(r.testedAt) : undefined,
    features: r.features,
    driftedShare: r.driftedShare,
    outcome: r.outcome,
    alertId: r.alertId ?? '',
    estimatedAccuracy: r.accuracy.estimated,
    measuredAccuracy: r.accuracy.measured,
    labelledPredictions: r.accuracy.labelled,
    calibrationPredictions: r.accuracy.calibration,
  };
}
