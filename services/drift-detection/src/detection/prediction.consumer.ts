import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { timestampDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  DriftDetectedSchema,
  DriftResolvedSchema,
  PredictionEvent,
  PredictionEventSchema,
  Severity,
  Topics,
  validatePredictionEvent,
} from '@labelloop/contracts';
import type { ConsumedEvent, EventHandler, Outbox } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, OUTBOX } from '@labelloop/runtime';
import type { DriftConfig } from '../drift.config';
import { DetectorConfig, DetectorState, emptyState, observe } from './detector';

/**
 * Runs each model's detector over its predictions. State is loaded and saved once per model
 * per batch, in the batch's transaction, so a restart loses neither reference nor window and
 * a redelivered batch is not counted twice (the inbox filters it before this runs).
 */
@Injectable()
export class DriftPredictionConsumer implements EventHandler<typeof PredictionEventSchema> {
  readonly topic = Topics.predictionRecorded;
  readonly schema = PredictionEventSchema;
  private readonly cfg: DetectorConfig;

  constructor(
    @Inject(CONFIG) config: DriftConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {
    this.cfg = { referenceSize: config.DRIFT_REFERENCE_SIZE, windowSize: config.DRIFT_WINDOW_SIZE, alpha: config.DRIFT_ALPHA, resolveAfter: config.DRIFT_RESOLVE_AFTER };
  }

  validate(e: PredictionEvent): string | undefined {
    return validatePredictionEvent(e);
  }

  async handle(events: ConsumedEvent<PredictionEvent>[], em: EntityManager): Promise<void> {
    const byModel = new Map<string, ConsumedEvent<PredictionEvent>[]>();
    for (const ev of events) {
      const list = byModel.get(ev.message.modelId) ?? [];
      list.push(ev);
      byModel.set(ev.message.modelId, list);
    }
    for (const [modelId, evs] of byModel) await this.handleModel(em, modelId, evs);
  }

  private async handleModel(em: EntityManager, modelId: string, evs: ConsumedEvent<PredictionEvent>[]): Promise<void> {
    const [row]: { model_version: string; state: DetectorState; open_alert_id: string | null }[] = await em.query(
      'SELECT model_version, state, open_alert_id FROM drift_model_state WHERE model_id = $1 FOR UPDATE',
      [modelId],
    );
    let state = row?.state ?? emptyState();
    let version = row?.model_version ?? evs[0].message.modelVersion;
    let openAlert = row?.open_alert_id ?? null;
    let tested = 0;
    for (const ev of evs) {
      const e = ev.message;
      if (e.modelVersion !== version) {
        // A new model version starts a new reference.
        state = emptyState();
        version = e.modelVersion;
        openAlert = null;
      }
      const verdict = observe(state, this.cfg, {
        id: e.eventId,
        confidence: e.confidence,
        label: e.predictedLabel,
        timeMs: e.timestamp ? timestampDate(e.timestamp).getTime() : Date.now(),
      });
      if (verdict.kind === 'none') continue;
      tested++;
      if (verdict.kind === 'opened') {
        openAlert = randomUUID();
        const drifted = verdict.tests.filter((t) => t.drifted);
        const minP = Math.min(...drifted.map((t) => t.pValue));
        const severity = minP < 1e-6 ? Severity.HIGH : minP < 1e-3 ? Severity.MEDIUM : Severity.LOW;
        const message = {
          alertId: openAlert,
          modelId,
          modelVersion: version,
          features: verdict.tests.map((t) => ({ feature: t.feature, method: t.method, statistic: t.statistic, pValue: t.pValue, threshold: this.cfg.alpha, drifted: t.drifted })),
          severity,
          windowStart: timestampFromMs(verdict.window.startMs),
          windowEnd: timestampFromMs(verdict.window.endMs),
          representativeEventIds: verdict.window.lowest.map((r) => r.id),
          driftedShare: drifted.length / verdict.tests.length,
        };
        await em.query('INSERT INTO drift_alert (alert_id, model_id, detail) VALUES ($1, $2, $3)', [openAlert, modelId, JSON.stringify({ ...message, windowStart: verdict.window.startMs, windowEnd: verdict.window.endMs, severity: Severity[severity] })]);
        await this.outbox.emit(em, { topic: Topics.driftDetected, key: modelId, schema: DriftDetectedSchema, id: `drift-detected:${openAlert}`, traceparent: ev.traceparent, message });
      } else if (openAlert) {
        await em.query('UPDATE drift_alert SET resolved_at = now() WHERE alert_id = $1', [openAlert]);
        await this.outbox.emit(em, {
          topic: Topics.driftResolved,
          key: modelId,
          schema: DriftResolvedSchema,
          id: `drift-resolved:${openAlert}`,
          traceparent: ev.traceparent,
          message: { alertId: openAlert, modelId, resolvedAt: timestampFromMs(Date.now()) },
        });
        openAlert = null;
      }
    }
    await em.query(
      `INSERT INTO drift_model_state (model_id, model_version, state, open_alert_id, windows_tested, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (model_id) DO UPDATE SET model_version = EXCLUDED.model_version, state = EXCLUDED.state, open_alert_id = EXCLUDED.open_alert_id,
         windows_tested = drift_model_state.windows_tested + EXCLUDED.windows_tested, updated_at = now()`,
      [modelId, version, JSON.stringify(state), openAlert, tested],
    );
  }
}
