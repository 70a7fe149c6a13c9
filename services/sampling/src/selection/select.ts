import { createHash } from 'node:crypto';

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
