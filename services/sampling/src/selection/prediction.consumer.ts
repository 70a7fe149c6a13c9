import { Controller } from '@nestjs/common';
import { nearDuplicate } from '@labelloop/active-learning';
import { PredictionEvent, PredictionEventSchema, Topics, Trigger, validatePredictionEvent } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';
import type { ResolvedPolicy } from '../policy/policy';
import { PolicyRepository } from '../policy/policy.repository';
import { fireTriggers } from '../policy/triggers';
import { Candidate, choose, probsOf, scoreOf } from './choose';
import { driftAsks } from './drift-ask.repository';
import { ModelState, ModelStateRepository, RECENT_EVENTS } from './model-state.repository';
import { recentEvents } from './recent-event.repository';
import { RequestWriter, Selection } from './request.writer';
import { auditDraw } from './select';

/** Triggers that outrank the strategy: rare, and each one is news. */
const URGENT = new Set([Trigger.DRIFT, Trigger.NEW_CLASS, Trigger.PERFORMANCE_DECLINE, Trigger.EDGE_CASE_SPIKE]);

interface Cand extends Candidate {
  ev: ConsumedEvent<PredictionEvent>;
  trigger: Trigger;
}

/**
 * Turns predictions into annotation requests, one micro-batch (a consumed batch) at a time per
 * model: the audit sample is drawn from the event id alone; model-dependent triggers make
 * candidates; urgent ones go first, the rest are ranked by the policy's strategy; near-
 * duplicates of recent requests and items already requested are skipped; the budget caps what
 * is taken. Decisions, budget usage and the emitted requests commit together.
 */
@Controller()
export class PredictionConsumer {
  constructor(
    private readonly policies: PolicyRepository,
    private readonly states: ModelStateRepository,
    private readonly writer: RequestWriter,
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
    const policy = await this.policies.get(em, modelId);
    const state = await this.states.load(em, modelId, policy);
    await this.remember(em, modelId, evs, policy);

    // Events a drift alert asked for before they arrived here.
    const asked = new Set(
      (
        await driftAsks.take(
          em,
          modelId,
          evs.map((e) => e.message.eventId),
        )
      ).map((r) => r.event_id),
    );
    const audits: Selection[] = [];
    const urgent: Cand[] = [];
    const rest: Cand[] = [];
    const seen = new Set<string>();
    for (const ev of evs) {
      const e = ev.message;
      const triggers = fireTriggers(e, policy, state.signals);
      if (asked.has(e.eventId)) triggers.unshift(Trigger.DRIFT);
      if (seen.has(e.contentHash)) continue;
      if (auditDraw(e.eventId) < policy.auditRate) {
        seen.add(e.contentHash);
        audits.push({ event: e, trigger: Trigger.RANDOM_AUDIT, strategy: 'random', score: 0, audit: true, traceparent: ev.traceparent });
        continue;
      }
      if (triggers.length === 0) continue;
      seen.add(e.contentHash);
      const c: Cand = {
        ev,
        trigger: triggers[0],
        probs: probsOf(e.predictedLabel, e.confidence, e.classProbabilities),
        embedding: e.embedding.length ? Array.from(e.embedding) : undefined,
      };
      (URGENT.has(triggers[0]) ? urgent : rest).push(c);
    }
    const known = await this.writer.alreadyRequested(em, [...seen]);
    const fresh = (c: Cand) => !known.has(c.ev.message.contentHash);
    const picked = this.pick(policy, state, urgent.filter(fresh), rest.filter(fresh), evs[0].id);
    const granted = state.budget.tryConsume(picked.length, Date.now());
    const selections: Selection[] = [
      ...audits.filter((a) => !known.has(a.event.contentHash)), // audits keep evaluation honest: outside the label budget
      ...picked.slice(0, granted).map((c) => ({
        event: c.ev.message,
        trigger: c.trigger,
        strategy: c.trigger === Trigger.DRIFT ? 'drift_representative' : policy.strategy,
        score: scoreOf(policy.strategy, c),
        audit: false,
        traceparent: c.ev.traceparent,
      })),
    ];
    for (const c of picked.slice(0, granted)) if (c.embedding) state.recentEmbeddings.push(c.embedding);
    await this.writer.write(em, selections, policy);
    await this.states.save(em, modelId, state);
  }

  /** Urgent candidates first (most uncertain first), then the strategy's picks; near-duplicates dropped. */
  private pick(policy: ResolvedPolicy, state: ModelState, urgent: Cand[], rest: Cand[], seedFrom: string): Cand[] {
    const k = policy.microBatchSize;
    const out: Cand[] = [];
    const recent = [...state.recentEmbeddings];
    const accept = (c: Cand) => {
      if (out.length >= k) return;
      // An item a drift alert named explicitly is wanted even if it resembles a recent one.
      // Compared only with embeddings of its own dimension: a model whose embedding changed
      // size (or one odd event) must not fail the batch (cosine similarity needs equal lengths).
      if (c.trigger !== Trigger.DRIFT && c.embedding && nearDuplicate(c.embedding, sameDimension(recent, c.embedding.length), policy.nearDuplicateThreshold))
        return;
      out.push(c);
      if (c.embedding) recent.push(c.embedding);
    };
    urgent.sort((a, b) => scoreOf('entropy', b) - scoreOf('entropy', a)).forEach(accept);
    // Ask the strategy for a few spare picks so near-duplicates do not leave the batch short.
    const ranked = choose(policy.strategy, rest, Math.min(rest.length, 2 * (k - out.length)), { seed: hashSeed(seedFrom), recent });
    ranked.forEach(accept);
    return out;
  }

  /** Keeps the last RECENT_EVENTS events per model, so a DriftDetected alert can name them. */
  private async remember(em: EntityManager, modelId: string, evs: ConsumedEvent<PredictionEvent>[], policy: ResolvedPolicy): Promise<void> {
    if (!policy.drift.enabled) return;
    await recentEvents.append(em, modelId, evs);
    await recentEvents.keepLast(em, modelId, RECENT_EVENTS);
  }
}

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The vectors of `vectors` that have `dim` elements (all of them, without a copy, when they do). */
function sameDimension(vectors: number[][], dim: number): number[][] {
  return vectors.every((v) => v.length === dim) ? vectors : vectors.filter((v) => v.length === dim);
}
