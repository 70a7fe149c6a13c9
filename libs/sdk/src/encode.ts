import { randomUUID } from 'node:crypto';
import { clone, create, MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { Timestamp, timestampDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import { PredictionEventSchema, validatePredictionEvent } from '@labelloop/contracts';
import { envelopeHeaders } from '@labelloop/messaging';

/** What `record()` accepts: a PredictionEvent message or its plain-object initializer. */
export type PredictionEventInit = MessageInitShape<typeof PredictionEventSchema>;

/** One prediction as a Kafka record in LabelLoop's CloudEvents binary envelope. */
export interface PredictionRecord {
  /** The model id: predictions of one model stay in order on one partition. */
  key: string;
  /** Protobuf bytes of the PredictionEvent. */
  value: Buffer;
  /** `ce_id` (= event id), `ce_type`, `ce_source`, `ce_time` (= event timestamp), `ce_specversion`, `content-type`. */
  headers: Record<string, string>;
}

/** Outcome of encoding one prediction. */
export type EncodeResult = { ok: true; eventId: string; record: PredictionRecord } | { ok: false; eventId?: string; reason: string };

/**
 * Fills defaults (event id = random UUID when empty, timestamp = `nowMs` when unset), validates
 * with `validatePredictionEvent` and encodes one prediction as a Kafka record. `nowMs` is when
 * the prediction was recorded (ms since the epoch; default: now). Never throws:
 * any problem, including one raised by the protobuf or CloudEvents encoders, comes back as
 * `{ ok: false, reason }`. A message passed in is not modified (it is copied when a default
 * must be filled in).
 */
export function encodePrediction(prediction: PredictionEventInit, source: string, nowMs = Date.now()): EncodeResult {
  let eventId: string | undefined;
  try {
    let msg = create(PredictionEventSchema, prediction);
    if (!msg.eventId || !msg.timestamp) {
      if (msg === prediction) msg = clone(PredictionEventSchema, msg);
      if (!msg.eventId) msg.eventId = randomUUID();
      if (!msg.timestamp) msg.timestamp = timestampFromMs(nowMs);
    }
    eventId = msg.eventId;
    const problem = validatePredictionEvent(msg);
    if (problem) return { ok: false, eventId, reason: problem };
    const bytes = toBinary(PredictionEventSchema, msg);
    const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headers = envelopeHeaders(
      { id: eventId, type: PredictionEventSchema.typeName, source, time: timestampDate(msg.timestamp as Timestamp).toISOString() },
      bytes,
    );
    return { ok: true, eventId, record: { key: msg.modelId, value, headers } };
  } catch (err) {
    return { ok: false, eventId, reason: `cannot encode: ${(err as Error).message}` };
  }
}
