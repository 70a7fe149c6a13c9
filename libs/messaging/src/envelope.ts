import { CloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import type { IHeaders } from 'kafkajs';
import { STORABLE_LIMITS, stringProblem } from '@labelloop/contracts';

/** Content type of every LabelLoop event value. */
export const PROTOBUF_CONTENT_TYPE = 'application/protobuf';

/** Envelope attributes of one event (CloudEvents 1.0 + W3C trace context). */
export interface Envelope {
  id: string;
  type: string;
  source: string;
  time: string;
  traceparent?: string;
}

const templates = new Map<string, Record<string, string>>();

/**
 * Kafka headers for one event in CloudEvents *binary* mode: `ce_id`, `ce_type`,
 * `ce_source`, `ce_specversion`, `ce_time`, `content-type`, plus W3C `traceparent`.
 * The attributes that repeat (type, source, spec version, content type) go through the
 * CloudEvents SDK once per (type, source), so they are validated against the spec where they
 * are produced; per event only the id and time change (building a CloudEvent per event cost
 * ~18 µs, most of an SDK `record()` call).
 */
export function envelopeHeaders(env: Envelope, payload: Uint8Array): Record<string, string> {
  if (!env.id) throw new EnvelopeError('ce_id must not be empty');
  if (Number.isNaN(Date.parse(env.time))) throw new EnvelopeError(`ce_time ${JSON.stringify(env.time)} is not a timestamp`);
  const key = `${env.type}\u0000${env.source}`;
  let template = templates.get(key);
  if (!template) {
    const event = new CloudEvent<Uint8Array>({
      id: env.id,
      type: env.type,
      source: env.source,
      time: env.time,
      datacontenttype: PROTOBUF_CONTENT_TYPE,
      data: payload,
    });
    const headers = CloudEventsKafka.binary(event).headers as Record<string, string>;
    // Binary mode carries datacontenttype in `content-type`; the SDK also copies it as a
    // ce_ header, which the Kafka binding does not define.
    delete headers.ce_datacontenttype;
    template = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) template[k] = String(v);
    templates.set(key, template);
  }
  const out: Record<string, string> = { ...template, ce_id: env.id, ce_time: new Date(env.time).toISOString() };
  if (env.traceparent) out.traceparent = env.traceparent;
  return out;
}

/** Why an incoming message is not a valid LabelLoop event. */
export class EnvelopeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'EnvelopeError';
  }
}

/** Kafka header value as a string (kafkajs hands out Buffers). */
export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined || v === null) return undefined;
  const first = Array.isArray(v) ? v[0] : v;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

const expectedBytes = new Map<string, Buffer>();

/** Whether a header is exactly `expected`, compared as bytes (no string per message on the hot path). */
function headerIs(headers: IHeaders | undefined, name: string, expected: string): boolean {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (!Buffer.isBuffer(first)) return first === expected;
  let b = expectedBytes.get(expected);
  if (!b) expectedBytes.set(expected, (b = Buffer.from(expected, 'utf8')));
  return first.equals(b);
}

/**
 * Reads and checks the binary-mode envelope of a consumed message. The consumer side reads
 * the headers directly (no CloudEvent object per message) because it is the hot path of
 * every stage; the checks are the ones the spec requires plus the expected event type. The
 * fixed attributes (spec version, type, content type) are compared as bytes and decoded only
 * to say what was wrong.
 */
export function readEnvelope(headers: IHeaders | undefined, expectedType: string): Envelope {
  const id = headerString(headers, 'ce_id');
  const source = headerString(headers, 'ce_source');
  if (!id) throw new EnvelopeError('missing ce_id header');
  const idProblem = stringProblem(id, 'ce_id', STORABLE_LIMITS.maxIdLength);
  if (idProblem) throw new EnvelopeError(idProblem);
  if (!source) throw new EnvelopeError('missing ce_source header');
  if (!headerIs(headers, 'ce_specversion', '1.0'))
    throw new EnvelopeError(`unsupported ce_specversion ${JSON.stringify(headerString(headers, 'ce_specversion'))}`);
  if (!headerIs(headers, 'ce_type', expectedType)) {
    const type = headerString(headers, 'ce_type');
    if (!type) throw new EnvelopeError('missing ce_type header');
    throw new EnvelopeError(`unexpected event type ${JSON.stringify(type)}, this topic carries ${expectedType}`);
  }
  if (!headerIs(headers, 'content-type', PROTOBUF_CONTENT_TYPE)) {
    throw new EnvelopeError(`unsupported content-type ${JSON.stringify(headerString(headers, 'content-type'))}`);
  }
  return {
    id,
    type: expectedType,
    source,
    time: headerString(headers, 'ce_time') ?? new Date().toISOString(),
    traceparent: headerString(headers, 'traceparent'),
  };
}
