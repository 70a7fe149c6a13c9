import { eventsFromInference, parseMapping } from './kserve-mapping';

// Bodies in the shapes of KServe's docs (sklearn-iris, V1 and Open Inference Protocol V2);
// the values are our own.
const v1Request = {
  instances: [
    [6.8, 2.8, 4.8, 1.4],
    [6.0, 3.4, 4.5, 1.6],
  ],
};
const v1Response = { predictions: [1, 2] };
const v2Request = {
  id: 'f0222600-353f-47df-8d9d-c96d96fa894e',
  inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: [6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6] }],
};
const v2Response = {
  model_name: 'sklearn-iris',
  model_version: 'v1.0.0',
  id: 'f0222600-353f-47df-8d9d-c96d96fa894e',
  parameters: null,
  outputs: [
    {
      name: 'output-0',
      shape: [2, 3],
      datatype: 'FP32',
      data: [
        [0.1, 0.7, 0.2],
        [0.05, 0.15, 0.8],
      ],
    },
    { name: 'embedding', shape: [2, 2], datatype: 'FP32', data: [0.5, -0.5, 0.25, 0.75] },
  ],
};
const iris = ['setosa', 'versicolor', 'virginica'];
const features = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const at = { ceId: 'abc', inferenceService: 'sklearn-iris', namespace: 'models', endpoint: 'default', time: '2026-12-04T10:00:00.250Z' };

describe('KServe mapping', () => {
  it('maps a V1 pair: instances to features, predicted class index to its name', () => {
    const m = parseMapping({ modelId: 'iris', projectId: 'p1', input: { features }, predictedClass: { classes: iris } });
    const events = eventsFromInference(m, { ...at, request: v1Request, response: v1Response });
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      eventId: 'kserve:abc:1',
      modelId: 'iris',
      modelVersion: 'default',
      predictedLabel: 'virginica',
      numericFeatures: { sepal_length: 6.0, petal_width: 1.6 },
      metadata: { project_id: 'p1', kserve_inference_service: 'sklearn-iris', kserve_ce_id: 'abc' },
      inputUri: 'kserve://models/sklearn-iris/abc#1',
    });
    expect(events[0].contentHash).not.toBe(events[1].contentHash);
    expect(Number(events[0].timestamp!.seconds) * 1000 + events[0].timestamp!.nanos! / 1e6).toBe(Date.parse(at.time));
  });

  it('maps a V2 pair: named tensors, probabilities with the best class, an embedding', () => {
    const m = parseMapping({
      modelId: 'iris',
      input: { tensor: 'input-0', features },
      probabilities: { tensor: 'output-0', classes: iris },
      embedding: { tensor: 'embedding' },
    });
    const [a, b] = eventsFromInference(m, { ...at, request: v2Request, response: v2Response });
    expect(a).toMatchObject({
      modelVersion: 'v1.0.0',
      predictedLabel: 'versicolor',
      confidence: 0.7,
      classProbabilities: { setosa: 0.1, versicolor: 0.7, virginica: 0.2 },
      embedding: [0.5, -0.5],
    });
    expect(b).toMatchObject({ predictedLabel: 'virginica', confidence: 0.8, numericFeatures: { sepal_length: 6.0 }, embedding: [0.25, 0.75] });
  });

  it('keeps the most probable class when a V1 mapping names both probabilities and predictedClass', () => {
    const m = parseMapping({ modelId: 'iris', probabilities: { classes: iris }, predictedClass: { classes: iris } });
    const [a] = eventsFromInference(m, {
      ...at,
      request: v1Request,
      response: {
        predictions: [
          [0.1, 0.7, 0.2],
          [0.6, 0.3, 0.1],
        ],
      },
    });
    expect(a).toMatchObject({ predictedLabel: 'versicolor', confidence: 0.7 });
    const v2 = parseMapping({ modelId: 'iris', probabilities: { tensor: 'output-0', classes: iris }, predictedClass: { classes: iris } });
    expect(eventsFromInference(v2, { ...at, request: v2Request, response: v2Response })[0]).toMatchObject({ predictedLabel: 'versicolor' });
  });

  it('names what does not fit', () => {
    const m = parseMapping({ modelId: 'iris', probabilities: { tensor: 'output-0', classes: ['a', 'b'] } });
    expect(() => eventsFromInference(m, { ...at, request: v2Request, response: v2Response })).toThrow(
      /response \(probabilities\) row 0: has 3 values for 2 classes/,
    );
    const missing = parseMapping({ modelId: 'iris', probabilities: { tensor: 'probs', classes: iris } });
    expect(() => eventsFromInference(missing, { ...at, request: v2Request, response: v2Response })).toThrow(/response.outputs: has no tensor probs/);
    const bad = { ...v2Request, inputs: [{ ...v2Request.inputs[0], shape: [3, 4] }] };
    expect(() => eventsFromInference(missing, { ...at, request: bad, response: v2Response })).toThrow(
      /request.inputs\[0\].data: has 8 values for shape \[3, 4\]/,
    );
    expect(() => parseMapping({ modelId: 'iris' })).toThrow(/probabilities: map probabilities or predictedClass/);
    expect(() => parseMapping({ modelId: 'iris', predictedClass: {}, colour: 1 })).toThrow(/colour: is not a field/);
  });
});
