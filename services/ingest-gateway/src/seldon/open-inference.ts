import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { FieldError } from '../ingest/ingest-json';

/**
 * Open Inference Protocol (V2) messages as Seldon Core 2 writes them to Kafka, decoded into the
 * V2 REST/JSON shape the KServe capture maps: `{id, model_name, model_version, inputs|outputs:
 * [{name, datatype, shape, data}]}`. Seldon writes `inference.ModelInferRequest` to a model's
 * `.inputs` topic and `inference.ModelInferResponse` to its `.outputs` topic, protobuf-encoded
 * (a request sent over REST may stay JSON, marked by the header
 * `seldon-infer-type: json/inferModelRequest|json/inferModelResponse`).
 *
 * Field numbers from the protocol's `grpc_predict_v2.proto`: ModelInferRequest {1 model_name,
 * 2 model_version, 3 id, 5 inputs, 7 raw_input_contents}; ModelInferResponse {1, 2, 3, 5
 * outputs, 6 raw_output_contents}; a tensor {1 name, 2 datatype, 3 shape (int64), 5 contents};
 * InferTensorContents {1 bool, 2 int32, 3 int64, 4 uint32, 5 uint64, 6 fp32, 7 fp64, 8 bytes}.
 * Parameters (field 4) are skipped.
 */
export interface V2Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: (number | string | boolean)[];
}

/** A decoded request or response, in the V2 JSON field names. */
export interface V2Message {
  id?: string;
  model_name?: string;
  model_version?: string;
  inputs?: V2Tensor[];
  outputs?: V2Tensor[];
}

const utf8 = new TextDecoder();

/** Calls `each` for every element of a repeated scalar field, packed or not. */
function repeated(r: BinaryReader, wire: WireType, each: () => void): void {
  if (wire !== WireType.LengthDelimited) return each();
  const end = r.uint32() + r.pos;
  while (r.pos < end) each();
}

function contents(bytes: Uint8Array): V2Tensor['data'] {
  const r = new BinaryReader(bytes);
  const out: V2Tensor['data'] = [];
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    const read: Record<number, () => number | string | boolean> = {
      1: () => r.bool(),
      2: () => r.int32(),
      3: () => Number(r.int64()),
      4: () => r.uint32(),
      5: () => Number(r.uint64()),
      6: () => r.float(),
      7: () => r.double(),
    };
    if (read[no]) repeated(r, wire, () => out.push(read[no]()));
    else if (no === 8) out.push(utf8.decode(r.bytes()));
    else r.skip(wire);
  }
  return out;
}

function tensor(bytes: Uint8Array): V2Tensor {
  const r = new BinaryReader(bytes);
  const t: V2Tensor = { name: '', datatype: '', shape: [], data: [] };
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1) t.name = r.string();
    else if (no === 2) t.datatype = r.string();
    else if (no === 3) repeated(r, wire, () => t.shape.push(Number(r.int64())));
    else if (no === 5) t.data = contents(r.bytes());
    else r.skip(wire);
  }
  return t;
}

/** Little-endian values of one raw_*_contents entry, by the tensor's datatype. */
function raw(t: V2Tensor, bytes: Uint8Array, where: string): V2Tensor['data'] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read: Record<string, [number, (o: number) => number | boolean]> = {
    BOOL: [1, (o) => v.getUint8(o) !== 0],
    UINT8: [1, (o) => v.getUint8(o)],
    INT8: [1, (o) => v.getInt8(o)],
    UINT16: [2, (o) => v.getUint16(o, true)],
    INT16: [2, (o) => v.getInt16(o, true)],
    UINT32: [4, (o) => v.getUint32(o, true)],
    INT32: [4, (o) => v.getInt32(o, true)],
    UINT64: [8, (o) => Number(v.getBigUint64(o, true))],
    INT64: [8, (o) => Number(v.getBigInt64(o, true))],
    FP32: [4, (o) => v.getFloat32(o, true)],
    FP64: [8, (o) => v.getFloat64(o, true)],
  };
  if (t.datatype === 'BYTES') {
    const out: string[] = [];
    for (let o = 0; o + 4 <= bytes.length;) {
      const n = v.getUint32(o, true);
      out.push(utf8.decode(bytes.subarray(o + 4, o + 4 + n)));
      o += 4 + n;
    }
    return out;
  }
  const kind = read[t.datatype];
  if (!kind) throw new FieldError(`${where}.datatype`, `${t.datatype} in raw contents is not supported`);
  const [size, at] = kind;
  if (bytes.length % size !== 0) throw new FieldError(where, `has ${bytes.length} bytes, not a multiple of ${size} (${t.datatype})`);
  return Array.from({ length: bytes.length / size }, (_, i) => at(i * size));
}

/**
 * Decodes a ModelInferRequest (`part` request) or ModelInferResponse (response) from protobuf
 * bytes; tensors sent as raw contents get their values from them. Throws a FieldError naming
 * what cannot be read.
 */
export function decodeInferMessage(bytes: Uint8Array, part: 'request' | 'response'): V2Message {
  const list = part === 'request' ? 'inputs' : 'outputs';
  const rawField = part === 'request' ? 7 : 6;
  const tensors: V2Tensor[] = [];
  const m: V2Message = { [list]: tensors };
  const raws: Uint8Array[] = [];
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [no, wire] = r.tag();
      if (no === 1) m.model_name = r.string();
      else if (no === 2) m.model_version = r.string();
      else if (no === 3) m.id = r.string();
      else if (no === 5) tensors.push(tensor(r.bytes()));
      else if (no === rawField) raws.push(r.bytes());
      else r.skip(wire);
    }
  } catch (e) {
    if (e instanceof FieldError) throw e;
    throw new FieldError(part, `is not a protobuf ${part === 'request' ? 'ModelInferRequest' : 'ModelInferResponse'} (${(e as Error).message})`);
  }
  raws.forEach((b, i) => {
    if (tensors[i]) tensors[i].data = raw(tensors[i], b, `${part}.${list}[${i}]`);
  });
  return m;
}
