import type { KafkaMessage } from 'kafkajs';
import { dlqTopic, unstorableField } from '@labelloop/contracts';
import type { Span } from '@labelloop/observability';
import { EnvelopeError, Envelope, headerString, readEnvelope } from './envelope';
import type { ConsumedEvent, EventHandler } from './event-handler';
import { failureReason, sqlState } from './failure';
import type { InboxEntry } from './inbox';
import type { RawOutboxRecord } from './outbox';

// What EventConsumer decides about a consumed message before any transaction: the event a
// handler gets, or why it goes to the dead-letter topic, and that dead letter. Pure: no I/O.

/** Header the DLQ replay tool sets on replayed messages. */
export const REPLAY_HEADER = 'labelloop-replay';

/** A consumed message, decoded: the event for the handler, or why it is dead-lettered. */
export type Decoded =
  | { ok: true; event: ConsumedEvent<unknown>; inboxId: string; span?: Span; replay: boolean }
  | { ok: false; inboxId: string; reason: string; raw: KafkaMessage; headers?: Record<string, string> };

/** Why an event is dead-lettered, once known (and extra dead-letter headers, such as its SQLSTATE). */
export interface Poison {
  reason: string;
  headers?: Record<string, string>;
}

/** The poison of an event the database alone refuses: the failure's reason, and its SQLSTATE in `dlq-sqlstate`. */
export function refusedByDatabase(err: unknown): Poison {
  const state = sqlState(err);
  return { reason: failureReason(err), headers: state ? { 'dlq-sqlstate': state } : undefined };
}

/** A topic's handler with the decoder of its schema. */
export interface Route {
  handler: EventHandler;
  decode: (bytes: Uint8Array) => unknown;
}

/**
 * Decodes `m` for `route`'s handler. Dead (`ok: false`) when its envelope is bad (its inbox id
 * then names the offset), its id is `poison`, its value is empty or not the schema's protobuf,
 * or the handler's `validate` (by default: every string storable in PostgreSQL) refuses it.
 */
export function decodeMessage(route: Route, topic: string, partition: number, m: KafkaMessage, poison: ReadonlyMap<string, Poison>): Decoded {
  const { handler } = route;
  let envelope: Envelope;
  try {
    envelope = readEnvelope(m.headers, handler.schema.typeName);
  } catch (e) {
    const reason = e instanceof EnvelopeError ? e.reason : `bad envelope: ${(e as Error).message}`;
    return { ok: false, inboxId: `kafka:${topic}/${partition}/${m.offset}`, reason, raw: m };
  }
  const inboxId = envelope.id;
  const known = poison.get(inboxId);
  if (known) return { ok: false, inboxId, reason: known.reason, raw: m, headers: known.headers };
  if (!m.value) return { ok: false, inboxId, reason: 'empty value', raw: m };
  let message: unknown;
  try {
    message = route.decode(m.value);
  } catch (e) {
    return { ok: false, inboxId, reason: `undecodable protobuf: ${(e as Error).message}`, raw: m };
  }
  const invalid = handler.validate?.(message as never) ?? unstorableField(handler.schema, message);
  if (invalid) return { ok: false, inboxId, reason: `invalid: ${invalid}`, raw: m };
  return {
    ok: true,
    inboxId,
    replay: headerString(m.headers, REPLAY_HEADER) !== undefined,
    event: {
      id: inboxId,
      envelope,
      topic,
      partition,
      offset: m.offset,
      key: m.key ? m.key.toString('utf8') : null,
      message,
      value: m.value,
      // The producer's trace context, until a processing span (if spans are exported) takes over.
      traceparent: envelope.traceparent,
    },
  };
}

/** Replayed from the DLQ (header labelloop-replay). */
export const isReplay = (d: Decoded): boolean => headerString(d.ok ? undefined : d.raw.headers, REPLAY_HEADER) !== undefined || (d.ok && d.replay);

/** `d` as its inbox sees it. */
export const inboxEntryOf = (d: Decoded): InboxEntry => ({ id: d.inboxId, offset: d.ok ? d.event.offset : d.raw.offset, dead: !d.ok, replay: isReplay(d) });

/** `v` as text PostgreSQL can store (no NUL, valid UTF-8), or undefined. */
export function storableText(v: Buffer | string): string | undefined {
  const text = Buffer.isBuffer(v) ? v.toString('utf8') : v;
  if (text.includes('\u0000')) return undefined;
  if (Buffer.isBuffer(v) && !Buffer.from(text, 'utf8').equals(v)) return undefined;
  return text;
}

/** Where a dead letter comes from and why. */
export interface DeadLetterCause {
  topic: string;
  /** The consumer group that gave up on it. */
  group: string;
  reason: string;
  /** More headers, such as `dlq-sqlstate`. */
  headers?: Record<string, string>;
}

/**
 * The dead letter of `m`: its bytes as they came, with the reason in headers. Header values
 * and a key that cannot be stored as text (a NUL, bytes that are not UTF-8) are kept in
 * base64, named in `dlq-base64-headers` (and `dlq-original-key-base64`), so the DLQ path never
 * fails on the bytes that made the event poison.
 */
export function deadLetter(m: KafkaMessage, cause: DeadLetterCause, failedAt = new Date()): RawOutboxRecord {
  const headers: Record<string, string> = {};
  const base64: string[] = [];
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first === undefined || storableText(k) === undefined) continue;
    const text = storableText(first);
    if (text !== undefined) headers[k] = text;
    else {
      headers[k] = Buffer.from(first).toString('base64');
      base64.push(k);
    }
  }
  const key = m.key ? (storableText(m.key) ?? null) : null;
  if (m.key && key === null) headers['dlq-original-key-base64'] = m.key.toString('base64');
  if (base64.length > 0) headers['dlq-base64-headers'] = base64.join(',');
  Object.assign(headers, cause.headers, {
    // JSON escapes make any character of the reason storable (a field name may hold a NUL).
    'dlq-reason': cause.reason.replaceAll('\u0000', '\\u0000').slice(0, 1000),
    'dlq-original-topic': cause.topic,
    'dlq-original-offset': m.offset,
    'dlq-consumer-group': cause.group,
    'dlq-failed-at': failedAt.toISOString(),
  });
  return { topic: dlqTopic(cause.topic), key, headers, payload: m.value ?? Buffer.alloc(0) };
}
