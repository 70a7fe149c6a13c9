import { randomUUID } from 'node:crypto';
import { Controller, Inject, Optional } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { timestampDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  DriftDetectedSchema,
  DriftResolvedSchema,
  GroundTruth_Source,
  PredictionEvent,
  PredictionEventSchema,
  Severity,
  Topics,
  validatePredictionEvent,
} from '@labelloop/contracts';
import { ConsumedEvent, Outbox, PoisonMessageError } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, LOGGER, OUTBOX, Consumes } from '@labelloop/runtime';
import type { DriftConfig } from '../drift.config';
import { MAX_CBPE_CLASSES } from './accuracy';
import { Detector, emptyState, EvaluatedWindow } from './detector';
import { driftAlerts } from './drift-alert.repository';
import type { Snap } from './snapshot';
import { LoadedModel, StateRepository } from './state.repository';
import { featureDrifts, windowStatsRow } from './window-stats';
import { WindowStatsRepository } from './window-stats.repository';

/**
 * The detector's view of a prediction. `calibrates`: its ground truth may calibrate the accuracy
 * estimate (not when it was served by another version than the detector's: a pinned reference
 * still sees the old version's last predictions after a promotion).
 */
export function toSnap(e: PredictionEvent, calibrates = true): Snap {
  const s: Snap = {
    id: e.eventId,
    t: e.timestamp ? timestampDate(e.timestamp).getTime() : Date.now(),
    num: e.numericFeatures,
    cat: e.categoricalFeatures,
    conf: e.confidence,
    label: e.predictedLabel,
  };
  if (e.embedding.length) s.emb = Array.from(e.embedding);
  if (e.groundTruth && e.groundTruth.source !== GroundTruth_Source.UNSPECIFIED) {
    s.correct = e.groundTruth.label === e.predictedLabel ? 1 : 0;
    if (calibrates) s.truth = e.groundTruth.label;
  }
  let classes = 0;
  for (const k in e.classProbabilities) if (k && ++classes > MAX_CBPE_CLASSES) break;
  if (classes >= 2 && classes <= MAX_CBPE_CLASSES) s.probs = e.classProbabilities;
  return s;
}

/**
 * Runs each model's detector over its predictions, in the batch's transaction: a restart
 * loses neither reference nor window, and the compact inbox (consumed offsets and a row of ids
 * per chunk, no row per prediction) keeps a redelivered event from being counted twice. A new
 * model version starts a new reference (unless one was uploaded).
 */
@Controller()
export class DriftPredictionConsumer {
  constructor(
    private readonly repo: StateRepository,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly logger: LoggerService,
    @Inject(CONFIG) private readonly config: Pick<DriftConfig, 'DRIFT_MAX_FUTURE_SKEW_SECONDS'>,
    /** Where each tested window's statistics go (ListWindowStatistics); absent: not kept. */
    @Optional() private readonly windowStats?: WindowStatsRepository,
  ) {}

  validate(e: PredictionEvent): string | undefined {
    return validatePredictionEvent(e);
  }

  @Consumes(Topics.predictionRecorded, PredictionEventSchema)
  async handle(events: ConsumedEvent<PredictionEvent>[], em: EntityManager): Promise<void> {
    const byModel = new Map<string, ConsumedEvent<PredictionEvent>[]>();
    for (const ev of events) {
      const list = byModel.get(ev.message.modelId);
      if (list) list.push(ev);
      else byModel.set(ev.message.modelId, [ev]);
    }
    for (const [modelId, evs] of byModel) await this.handleModel(em, modelId, evs);
  }

  private async handleModel(em: EntityManager, modelId: string, evs: ConsumedEvent<PredictionEvent>[]): Promise<void> {
    const cfg = await this.repo.config(em, modelId);
    const m = await this.repo.load(em, modelId, evs[0].message.modelVersion);
    const skewMs = this.config.DRIFT_MAX_FUTURE_SKEW_SECONDS * 1000;
    const arrivalMs = Date.now();
    let retimed = 0;
    let detector = new Detector(m.state, cfg, skewMs);
    // The reference's embedding length, found once per chunk, not per event. While the
    // reference fills, the event it grew by is the first with an embedding if none was before.
    let dim = m.state.reference.find((r) => r.emb)?.emb?.length;
    for (const ev of evs) {
      const e = ev.message;
      if (e.modelVersion !== m.state.version && !m.state.pinned) {
        m.state = emptyState(e.modelVersion);
        m.openAlert = null;
        m.referenceDirty = true;
        retimed += detector.retimed;
        detector = new Detector(m.state, cfg, skewMs);
        dim = undefined;
      }
      if (dim && e.embedding.length && e.embedding.length !== dim) {
        throw new PoisonMessageError(ev.id, `embedding has length ${e.embedding.length}, model ${modelId} expects ${dim}`);
      }
      const before = m.state.reference.length;
      const verdict = detector.observe(toSnap(e, e.modelVersion === m.state.version), arrivalMs);
      if (m.state.reference.length !== before) {
        m.referenceDirty = true;
        dim ||= e.embedding.length || undefined;
      }
      if (verdict.kind !== 'none' && verdict.result.errors.length) {
        this.logger.warn(
          { msg: 'drift tests left out of a window: they gave no answer', modelId, modelVersion: m.state.version, errors: verdict.result.errors },
          'DriftPredictionConsumer',
        );
      }
      if (verdict.kind === 'opened') await this.open(em, m, modelId, verdict, cfg.alpha, ev.traceparent);
      else if (verdict.kind === 'resolved') await this.resolve(em, m, modelId, ev.traceparent);
      if (verdict.kind !== 'none') await this.windowStats?.record(em, windowStatsRow(modelId, m.state.version, verdict, cfg.alpha, m.openAlert));
    }
    retimed += detector.retimed;
    if (retimed > 0) {
      this.logger.warn(
        { msg: 'events timestamped beyond arrival + DRIFT_MAX_FUTURE_SKEW_SECONDS: windowed with the events they arrived with', modelId, events: retimed },
        'DriftPredictionConsumer',
      );
    }
    await this.repo.save(em, modelId, m);
  }

  private async open(em: EntityManager, m: LoadedModel, modelId: string, v: EvaluatedWindow, alpha: number, traceparent?: string): Promise<void> {
    const alertId = randomUUID();
    m.openAlert = alertId;
    const drifted = v.result.tests.filter((t) => t.drifted);
    const minP = Math.min(...drifted.map((t) => t.pValue ?? 0));
    const severity = v.result.driftedShare >= 0.5 || minP < 1e-6 ? Severity.HIGH : minP < 1e-3 ? Severity.MEDIUM : Severity.LOW;
    const message = {
      alertId,
      modelId,
      modelVersion: m.state.version,
      features: featureDrifts(v, alpha),
      severity,
      windowStart: timestampFromMs(v.window.start),
      windowEnd: timestampFromMs(v.window.end),
      representativeEventIds: v.window.representatives,
      driftedShare: v.result.driftedShare,
    };
    await driftAlerts.open(em, alertId, modelId, {
      features: message.features,
      severity: Severity[severity],
      window: v.window,
      driftedShare: v.result.driftedShare,
      testErrors: v.result.errors,
    });
    await this.outbox.emit(em, {
      topic: Topics.driftDetected,
      key: modelId,
      schema: DriftDetectedSchema,
      id: `drift-detected:${alertId}`,
      traceparent,
      message,
    });
  }

  private async resolve(em: EntityManager, m: LoadedModel, modelId: string, traceparent?: string): Promise<void> {
    if (!m.openAlert) return;
    await driftAlerts.resolve(em, m.openAlert);
    await this.outbox.emit(em, {
      topic: Topics.driftResolved,
      key: modelId,
      schema: DriftResolvedSchema,
      id: `drift-resolved:${m.openAlert}`,
      traceparent,
      message: { alertId: m.openAlert, modelId, resolvedAt: timestampFromMs(Date.now()) },
    });
    m.openAlert = null;
  }
}
