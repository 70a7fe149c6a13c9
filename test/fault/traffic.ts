import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Kafka, Producer } from 'kafkajs';
import { PredictionEventSchema, Topics } from '@labelloop/contracts';
import { sleep } from '@labelloop/messaging';
import { eventRecord } from '@labelloop/testing';
import { hashUnit, prng } from './profile';

/** What the run's synthetic inference service sends. */
export interface TrafficPlan {
  run: string;
  modelId: string;
  projectId: string;
  events: number;
  /** Indices of events with a confidence below the sampling threshold. */
  lowConfidence: Set<number>;
  /** Event id of index i. */
  eventId(i: number): string;
  contentHash(i: number): string;
  inputUri(i: number): string;
}

/** Sampling's default threshold (SAMPLING_CONFIDENCE_THRESHOLD); the suite sets it explicitly. */
export const CONFIDENCE_THRESHOLD = 0.6;

/** The true class of an input: a function of its URI alone, so annotators can be simulated. */
export function truthOf(inputUri: string): 'ham' | 'spam' {
  return hashUnit(`truth:${inputUri}`) < 0.35 ? 'spam' : 'ham';
}

export function planTraffic(run: string, modelId: string, projectId: string, events: number, selectShare: number, seed: number): TrafficPlan {
  const rnd = prng(seed);
  const low = new Set<number>();
  for (let i = 0; i < events; i++) if (rnd() < selectShare) low.add(i);
  return {
    run,
    modelId,
    projectId,
    events,
    lowConfidence: low,
    eventId: (i) => `${run}-p${i}`,
    contentHash: (i) => `sha256:${run}:${i}`,
    inputUri: (i) => `fault://${run}/mail/${i}`,
  };
}

/** Record of prediction i: a stationary stream (drift alerts only by chance). */
export function predictionRecord(plan: TrafficPlan, i: number) {
  const r = (k: string) => hashUnit(`${plan.run}:${k}:${i}`);
  const truth = truthOf(plan.inputUri(i));
  const correct = r('correct') < 0.9;
  const predicted = correct ? truth : truth === 'spam' ? 'ham' : 'spam';
  const low = plan.lowConfidence.has(i);
  // Low: [0.50, 0.59); high: [0.62, 1.0): well clear of the threshold on both sides.
  const confidence = low ? 0.5 + 0.09 * r('conf') : 0.62 + 0.38 * r('conf');
  const id = plan.eventId(i);
  return eventRecord(
    PredictionEventSchema,
    {
      eventId: id,
      modelId: plan.modelId,
      modelVersion: '1',
      timestamp: timestampFromDate(new Date()),
      inputUri: plan.inputUri(i),
      contentHash: plan.contentHash(i),
      predictedLabel: predicted,
      classProbabilities: { [predicted]: confidence, [predicted === 'spam' ? 'ham' : 'spam']: 1 - confidence },
      confidence,
      metadata: { project_id: plan.projectId, source: 'fault-injection' },
    },
    // The contract: key = model id (one model's predictions stay in order).
    { id, key: plan.modelId, source: 'fault-injection/inference' },
  );
}

/** Progress of the sender, read by the harness. */
export interface SenderState {
  sent: number;
  resent: number;
  sendErrors: number;
  producerRecreated: number;
  done: boolean;
}

/**
 * Sends the plan's events in batches at an even pace over `seconds`, plus `resendShare` of them
 * again (a producer retry: same ce_id, same bytes). A failed send (broker restarting) is retried
 * with the same records until it succeeds; the producer is recreated after repeated failures.
 */
export async function sendTraffic(
  kafka: Kafka,
  plan: TrafficPlan,
  opts: { seconds: number; resendShare: number; batch?: number; log: (m: string) => void; halted: () => boolean },
  state: SenderState,
): Promise<void> {
  const batchSize = opts.batch ?? 200;
  let producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  await producer.connect();
  const t0 = Date.now();
  const perMs = plan.events / (opts.seconds * 1000);
  const resendEvery = opts.resendShare > 0 ? Math.round(1 / opts.resendShare) : 0;
  try {
    for (let start = 0; start < plan.events; start += batchSize) {
      const idx = Array.from({ length: Math.min(batchSize, plan.events - start) }, (_, k) => start + k);
      const messages = idx.map((i) => predictionRecord(plan, i));
      // A few of the batch's events again, as a producer retry would.
      const again = resendEvery ? idx.filter((i) => i % resendEvery === 0).map((i) => messages[i - start]) : [];
      let failures = 0;
      for (;;) {
        try {
          await producer.send({ topic: Topics.predictionRecorded, acks: -1, messages: [...messages, ...again] });
          break;
        } catch (e) {
          if (opts.halted()) throw new Error(`sending halted after ${state.sent} events: ${(e as Error).message}`);
          state.sendErrors++;
          failures++;
          if (failures === 1 || failures % 10 === 0) opts.log(`send failed (${failures}x), retrying the same batch: ${(e as Error).message}`);
          if (failures % 3 === 0) {
            await producer.disconnect().catch(() => undefined);
            producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 } });
            state.producerRecreated++;
            await producer.connect().catch(() => undefined);
          }
          await sleep(1000);
        }
      }
      // Every failed attempt may have been written anyway: those are extra copies on the wire, harmless by design.
      state.sent = start + idx.length;
      state.resent += again.length;
      const due = t0 + state.sent / perMs;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (opts.halted()) throw new Error(`sending halted after ${state.sent} events`);
    }
  } finally {
    state.done = true;
    await producer.disconnect().catch(() => undefined);
  }
}
