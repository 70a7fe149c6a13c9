import type { PredictionEventInit, PredictionRecord } from './encode';

/**
 * One recorded prediction in the buffer: the caller's object and the time of `record()` until
 * the sender encodes it, then the Kafka record (the object is let go).
 */
export class Recorded {
  /** The Kafka record, once encoded: a retried batch sends the same bytes. */
  message?: PredictionRecord;
  /** Why the sender could not encode it (it leaves the buffer as rejected). */
  failure?: { reason: string; eventId?: string };

  constructor(
    public prediction: PredictionEventInit | undefined,
    /** When `record()` was called (ms since the epoch): the timestamp of an event without one. */
    readonly recordedAtMs: number,
    /** `directBytes(prediction)`, kept to learn how far the estimate is from the encoded size. */
    readonly directBytes: number,
  ) {}

  /** Whether the sender has encoded it or found it invalid. */
  get done(): boolean {
    return this.message !== undefined || this.failure !== undefined;
  }

  encoded(message: PredictionRecord): void {
    this.message = message;
    this.prediction = undefined;
  }

  failed(reason: string, eventId?: string): void {
    this.failure = { reason, eventId };
    this.prediction = undefined;
  }
}

const len = (s: unknown): number => (typeof s === 'string' ? s.length : 0);

/**
 * The part of an event's wire size that costs nothing to read: its top-level strings (the
 * model id twice: value and key) and 4 bytes per embedding value. The rest (maps, field tags,
 * headers) is estimated by the recorder from the events it has encoded, so `record()` never
 * walks a map.
 */
export function directBytes(p: PredictionEventInit): number {
  const emb = p.embedding;
  return (
    len(p.eventId) +
    2 * len(p.modelId) +
    len(p.modelVersion) +
    len(p.inputUri) +
    len(p.contentHash) +
    len(p.predictedLabel) +
    (Array.isArray(emb) ? 4 * emb.length : 0)
  );
}
