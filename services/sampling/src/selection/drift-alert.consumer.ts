import { Controller } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { DriftDetected, DriftDetectedSchema, PredictionEventSchema, Topics, Trigger } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';
import { PolicyRepository } from '../policy/policy.repository';
import { alertSpends } from '../policy/triggers';
import { choose, probsOf, scoreOf } from './choose';
import { driftAsks } from './drift-ask.repository';
import { ModelStateRepository } from './model-state.repository';
import { recentEvents } from './recent-event.repository';
import { RequestWriter } from './request.writer';

/**
 * A drift alert asks for labels from the drifted window: the representative events it names
 * come first, then the policy's strategy fills up to `drift_samples` from the window's other
 * recent events. Budget and deduplication apply as for any trigger. A policy with
 * `drift_needs_accuracy_drop` spends nothing on an alert whose estimated accuracy held.
 */
@Controller()
export class DriftAlertConsumer {
  constructor(
    private readonly policies: PolicyRepository,
    private readonly states: ModelStateRepository,
    private readonly writer: RequestWriter,
  ) {}

  validate(d: DriftDetected): string | undefined {
    return d.modelId ? undefined : 'model_id is required';
  }

  @Consumes(Topics.driftDetected, DriftDetectedSchema)
  async handle(events: ConsumedEvent<DriftDetected>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const d = ev.message;
      const policy = await this.policies.get(em, d.modelId);
      if (!alertSpends(policy, d)) continue;
      const state = await this.states.load(em, d.modelId, policy);
      const start = d.windowStart ? new Date(Number(d.windowStart.seconds) * 1000) : new Date(0);
      const end = d.windowEnd ? new Date(Number(d.windowEnd.seconds) * 1000 + 1000) : new Date();
      const rows = await recentEvents.namedOrBetween(em, d.modelId, d.representativeEventIds, start, end);
      const named = new Set(d.representativeEventIds);
      const found = new Set(rows.map((r) => r.event_id));
      const missing = d.representativeEventIds.filter((id) => !found.has(id));
      if (missing.length) await driftAsks.add(em, d.modelId, missing, d.alertId);
      const all = rows.map((r) => fromBinary(PredictionEventSchema, r.event));
      const known = await this.writer.alreadyRequested(
        em,
        all.map((e) => e.contentHash),
      );
      const fresh = all.filter((e) => !known.has(e.contentHash));
      const cands = fresh.map((e) => ({
        e,
        probs: probsOf(e.predictedLabel, e.confidence, e.classProbabilities),
        embedding: e.embedding.length ? Array.from(e.embedding) : undefined,
      }));
      const first = cands.filter((c) => named.has(c.e.eventId));
      const others = choose(
        policy.strategy,
        cands.filter((c) => !named.has(c.e.eventId)),
        Math.max(0, policy.drift.samples - first.length),
        { seed: 7, recent: state.recentEmbeddings },
      );
      const picked = [...first, ...others].slice(0, policy.drift.samples);
      const granted = state.budget.tryConsume(picked.length, Date.now());
      await this.writer.write(
        em,
        picked.slice(0, granted).map((c) => ({
          event: c.e,
          trigger: Trigger.DRIFT,
          strategy: named.has(c.e.eventId) ? 'drift_representative' : policy.strategy,
          score: scoreOf(policy.strategy, c),
          audit: false,
          traceparent: ev.traceparent,
        })),
        policy,
      );
      await this.states.save(em, d.modelId, state);
    }
  }
}
