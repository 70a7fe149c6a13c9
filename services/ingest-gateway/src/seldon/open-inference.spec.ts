import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { decodeInferMessage } from './open-inference';

// Encoded field by field from grpc_predict_v2.proto's numbers (the protocol's own definition),
// with @bufbuild/protobuf's wire writer: an encoder independent of the decoder under test.
const tensorBytes = (name: string, datatype: string, shape: number[], contents?: (w: BinaryWriter) => void) => {
  const w = new BinaryWriter().tag(1, 2).string(name).tag(2, 2).string(datatype);
  w.tag(3, 2).fork();
  for (const s of shape) w.int64(s);
  w.join();
  w.tag(4, 2).bytes(new BinaryWriter().tag(1, 2).string('content_type').tag(2, 2).bytes(new BinaryWriter().tag(3, 2).string('np').finish()).finish()); // a parameter, skipped
  if (contents) {
    const c = new BinaryWriter();
    contents(c);
    w.tag(5, 2).bytes(c.finish());
  }
  return w.finish();
};

describe('decodeInferMessage', () => {
  it('reads a ModelInferRequest with typed contents (packed fp32, int64, bytes)', () => {
    const w = new BinaryWriter().tag(1, 2).string('iris').tag(2, 2).string('1').tag(3, 2).string('req-1');
    w.tag(5, 2).bytes(
      tensorBytes('predict', 'FP32', [2, 2], (c) => {
        c.tag(6, 2).fork();
        for (const v of [5.5, 2.5, 1, 0.25]) c.float(v);
        c.join();
      }),
    );
    w.tag(5, 2).bytes(tensorBytes('count', 'INT64', [1], (c) => c.tag(3, 0).int64(7)));
    w.tag(5, 2).bytes(tensorBytes('text', 'BYTES', [1], (c) => c.tag(8, 2).bytes(new TextEncoder().encode('héllo'))));
    expect(decodeInferMessage(w.finish(), 'request')).toEqual({
      model_name: 'iris',
      model_version: '1',
      id: 'req-1',
      inputs: [
        { name: 'predict', datatype: 'FP32', shape: [2, 2], data: [5.5, 2.5, 1, 0.25] },
        { name: 'count', datatype: 'INT64', shape: [1], data: [7] },
        { name: 'text', datatype: 'BYTES', shape: [1], data: ['héllo'] },
      ],
    });
  });

  it('reads a ModelInferResponse whose tensors come as raw_output_contents (little-endian)', () => {
    const probs = new DataView(new ArrayBuffer(12));
    [0.125, 0.75, 0.125].forEach((v, i) => probs.setFloat32(i * 4, v, true));
    const labels = new DataView(new ArrayBuffer(16));
    labels.setBigInt64(0, 1n, true);
    labels.setBigInt64(8, -2n, true);
    const w = new BinaryWriter().tag(1, 2).string('iris').tag(3, 2).string('req-2');
    w.tag(5, 2).bytes(tensorBytes('predict_proba', 'FP32', [1, 3]));
    w.tag(5, 2).bytes(tensorBytes('predict', 'INT64', [2]));
    w.tag(6, 2).bytes(new Uint8Array(probs.buffer));
    w.tag(6, 2).bytes(new Uint8Array(labels.buffer));
    expect(decodeInferMessage(w.finish(), 'response')).toEqual({
      model_name: 'iris',
      id: 'req-2',
      outputs: [
        { name: 'predict_proba', datatype: 'FP32', shape: [1, 3], data: [0.125, 0.75, 0.125] },
        { name: 'predict', datatype: 'INT64', shape: [2], data: [1, -2] },
      ],
    });
  });

  it('names the part that is not protobuf, and a raw datatype it cannot read', () => {
    expect(() => decodeInferMessage(new TextEncoder().encode('{"inputs": []}'), 'request')).toThrow(/^request: is not a protobuf ModelInferRequest/);
    const w = new BinaryWriter()
      .tag(5, 2)
      .bytes(tensorBytes('x', 'FP16', [1]))
      .tag(7, 2)
      .bytes(new Uint8Array(2));
    expect(() => decodeInferMessage(w.finish(), 'request')).toThrow('request.inputs[0].datatype: FP16 in raw contents is not supported');
  });
});
