import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { GroundTruthSchema, PredictionEventSchema, type GroundTruth, type PredictionEvent } from './gen/labelloop/inference/v1/prediction_pb';

/**
 * A decoder specialised for `PredictionEvent`, the message every prediction-reading stage
 * decodes once per event. It reads the common, well-formed encoding directly; on anything else
 * (an unknown field, an unexpected wire type, a group, a map key `__proto__`, text that is not
 * UTF-8, a truncated buffer) it gives the whole message to protobuf-es's `fromBinary`, so its
 * result and its errors are protobuf-es's in every case. `prediction-decoder.spec.ts` checks
 * that on generated and on mutated encodings.
 */
export function decodePredictionEvent(bytes: Uint8Array): PredictionEvent {
  try {
    return new FastReader(bytes).predictionEvent();
  } catch (e) {
    if (e !== FALLBACK) throw e;
    return fromBinary(PredictionEventSchema, bytes);
  }
}

/** Thrown inside the fast path to hand the message to protobuf-es. */
const FALLBACK = new Error('prediction decoder: not the common encoding');

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class FastReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  predictionEvent(): PredictionEvent {
    const e: PredictionEvent = {
      $typeName: 'labelloop.inference.v1.PredictionEvent',
      eventId: '',
      modelId: '',
      modelVersion: '',
      inputUri: '',
      contentHash: '',
      numericFeatures: {},
      categoricalFeatures: {},
      embedding: [],
      predictedLabel: '',
      classProbabilities: {},
      confidence: 0,
      metadata: {},
    };
    // Message fields are set only when present (no own property when absent), as protobuf-es does.
    const end = this.buf.length;
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case (1 << 3) | 2:
          e.eventId = this.string();
          break;
        case (2 << 3) | 2:
          e.modelId = this.string();
          break;
        case (3 << 3) | 2:
          e.modelVersion = this.string();
          break;
        case (4 << 3) | 2:
          e.timestamp = this.timestamp(e.timestamp);
          break;
        case (5 << 3) | 2:
          e.inputUri = this.string();
          break;
        case (6 << 3) | 2:
          e.contentHash = this.string();
          break;
        case (7 << 3) | 2:
          this.doubleEntry(e.numericFeatures);
          break;
        case (8 << 3) | 2:
          this.stringEntry(e.categoricalFeatures);
          break;
        case (9 << 3) | 2:
          this.packedFloats(e.embedding);
          break;
        case (9 << 3) | 5:
          e.embedding.push(this.float());
          break;
        case (10 << 3) | 2:
          e.predictedLabel = this.string();
          break;
        case (11 << 3) | 2:
          this.doubleEntry(e.classProbabilities);
          break;
        case (12 << 3) | 1:
          e.confidence = this.double();
          break;
        case (13 << 3) | 2:
          e.groundTruth = this.groundTruth(e.groundTruth);
          break;
        case (14 << 3) | 2:
          this.stringEntry(e.metadata);
          break;
        default:
          throw FALLBACK;
      }
    }
    if (this.pos !== end) throw FALLBACK;
    return e;
  }

  /** A varint that fits 32 bits unsigned (tags, lengths); anything longer goes to protobuf-es. */
  private varint32(): number {
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= this.buf.length) throw FALLBACK;
      const b = this.buf[this.pos++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    if (this.pos >= this.buf.length) throw FALLBACK;
    const b = this.buf[this.pos++];
    if (b > 0x0f) throw FALLBACK;
    return (result | (b << 28)) >>> 0;
  }

  /** The end of a length-delimited field that starts here. */
  private limit(): number {
    const len = this.varint32();
    const end = this.pos + len;
    if (end > this.buf.length) throw FALLBACK;
    return end;
  }

  private string(): string {
    const end = this.limit();
    const start = this.pos;
    this.pos = end;
    // ASCII, the common case, without the TextDecoder call.
    const len = end - start;
    if (len <= 256) {
      const codes = new Array<number>(len);
      let ascii = true;
      for (let i = 0; i < len; i++) {
        const b = this.buf[start + i];
        if (b > 0x7f) {
          ascii = false;
          break;
        }
        codes[i] = b;
      }
      if (ascii) return String.fromCharCode(...codes);
    }
    try {
      return utf8.decode(this.buf.subarray(start, end));
    } catch {
      throw FALLBACK;
    }
  }

  private double(): number {
    if (this.pos + 8 > this.buf.length) throw FALLBACK;
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  private float(): number {
    if (this.pos + 4 > this.buf.length) throw FALLBACK;
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private packedFloats(into: number[]): void {
    const end = this.limit();
    if ((end - this.pos) % 4 !== 0) throw FALLBACK;
    while (this.pos < end) into.push(this.float());
  }

  /** One entry of a map<string, double>. */
  private doubleEntry(map: Record<string, number>): void {
    const end = this.limit();
    let key = '';
    let value = 0;
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === ((1 << 3) | 2)) key = this.string();
      else if (tag === ((2 << 3) | 1)) value = this.double();
      else throw FALLBACK;
    }
    if (this.pos !== end || key === '__proto__') throw FALLBACK;
    map[key] = value;
  }

  /** One entry of a map<string, string>. */
  private stringEntry(map: Record<string, string>): void {
    const end = this.limit();
    let key = '';
    let value = '';
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === ((1 << 3) | 2)) key = this.string();
      else if (tag === ((2 << 3) | 2)) value = this.string();
      else throw FALLBACK;
    }
    if (this.pos !== end || key === '__proto__') throw FALLBACK;
    map[key] = value;
  }

  /** A google.protobuf.Timestamp; a second occurrence merges into the first, as protobuf requires. */
  private timestamp(into: PredictionEvent['timestamp']): PredictionEvent['timestamp'] {
    const end = this.limit();
    const t = into ?? { $typeName: 'google.protobuf.Timestamp' as const, seconds: 0n, nanos: 0 };
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === ((1 << 3) | 0)) t.seconds = this.int64();
      else if (tag === ((2 << 3) | 0)) t.nanos = this.int32();
      else throw FALLBACK;
    }
    if (this.pos !== end) throw FALLBACK;
    return t;
  }

  private groundTruth(into: GroundTruth | undefined): GroundTruth {
    const end = this.limit();
    const g: GroundTruth = into ?? { $typeName: GroundTruthSchema.typeName as 'labelloop.inference.v1.GroundTruth', label: '', source: 0 };
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === ((1 << 3) | 2)) g.label = this.string();
      else if (tag === ((2 << 3) | 0)) g.source = this.int32();
      else if (tag === ((3 << 3) | 2)) g.observedAt = this.timestamp(g.observedAt);
      else throw FALLBACK;
    }
    if (this.pos !== end) throw FALLBACK;
    return g;
  }

  /** A varint of up to 10 bytes as a signed 64-bit bigint (int64). */
  private int64(): bigint {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw FALLBACK;
      const b = this.buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if (b < 0x80) return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    }
    throw FALLBACK;
  }

  /** A varint as int32 (enum, nanos): the low 32 bits, signed, as protobuf-es reads it. */
  private int32(): number {
    return Number(BigInt.asIntN(32, this.int64()));
  }
}

/**
 * The decoder of a message type: the specialised one where there is one (PredictionEvent),
 * protobuf-es's `fromBinary` otherwise. Same result either way.
 */
export function decoderOf<D extends DescMessage>(schema: D): (bytes: Uint8Array) => MessageShape<D> {
  if (schema.typeName === PredictionEventSchema.typeName) return decodePredictionEvent as unknown as (bytes: Uint8Array) => MessageShape<D>;
  return (bytes) => fromBinary(schema, bytes);
}
