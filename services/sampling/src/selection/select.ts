import { createHash } from 'node:crypto';
import type { PredictionEvent } from '@labelloop/contracts';
import { Trigger } from '@labelloop/contracts';

/** Why and how strongly an item was selected. */
export interface Selection {
  trigger: Trigger;
  strategy: string;
  score: number;
  audit: boolean;
  priority: number;
}

/** Thresholds of the triggers. */
export interface SelectionPolicy {
  confidenceThreshold: number;
  auditRate: number;
}

/**
 * A number in [0, 1) drawn from the event id alone: the audit sample depends on nothing
 * the model produced, so evaluation sets built from it stay unbiased, and a redelivered
 * event draws the same number.
 */
export function auditDraw(eventId: string): number {
  return createHash('sha256').update(eventId).digest().readUInt32BE(0) / 2 ** 32;
}

/** Stable item id of an input: the same content is one item, whatever model saw it. */
export function itemIdOf(contentHash: string): string {
  return `item-${createHash('sha256').update(contentHash).digest('hex').slice(0, 32)}`;
}

/**
 * Decides whether a prediction is worth a human label. The audit draw is checked first and
 * independently of the model's output.
 */
export function select(e: PredictionEvent, policy: SelectionPolicy): Selection | undefined {
  if (auditDraw(e.eventId) < policy.auditRate) {
    return { trigger: Trigger.RANDOM_AUDIT, strategy: 'random', score: 0, audit: true, priority: 0 };
  }
  if (e.confidence < policy.confidenceThreshold) {
    const score = 1 - e.confidence;
    return { trigger: Trigger.LOW_CONFIDENCE, strategy: 'least_confidence', score, audit: false, priority: Math.round(score * 100) };
  }
  return undefined;
}
