import { createHash } from 'node:crypto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { PredictionEventSchema } from '@labelloop/contracts';
import { FieldError } from '../ingest/ingest-json';

/**
 * How one InferenceService's logged tensors become PredictionEvents, set over the API
 * (`PUT /v1/kserve/mappings/{inferenceService}`). Tensor names apply to the Open Inference
 * Protocol (V2); with V1 bodies the request's `instances` are the input and the response's
 * `predictions` the output.
 */
export interface KserveMapping {
  modelId: string;
  /** Default: the V2 response's `model_version`, else the logger's `ce-endpoint`. */
  modelVersion?: string;
  /** Written as metadata `project_id` (sampling and dispatch route by it). */
  projectId?: string;
  /** Input tensor (V2; default the first) and a name per column (default x0, x1, ...). */
  input?: { tensor?: string; features?: string[] };
  /** Output tensor of per-class probabilities (one row per instance) and the class names. */
  probabilities?: { tensor?: string; classes: string[] };
  /** Output tensor of the predicted class per instance: an index into `classes`, or a label. Confidence is then 0 unless probabilities are mapped too. */
  predictedClass?: { tensor?: string; classes?: string[] };
  /** Output tensor of an embedding per instance (V2). */
  embedding?: { tensor: string };
}

type Json = unknown;
type PredictionInit = MessageInitShape<typeof PredictionEventSchema>;

const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: Json) => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0);

/** Checks a mapping body; throws a FieldError naming the bad field. */
export function parseMapping(body: Json): KserveMapping {
  if (!isObj(body)) throw new FieldError('body', 'must be a JSON object');
  const known = new Set(['modelId', 'modelVersion', 'projectId', 'input', 'probabilities', 'predictedClass', 'embedding']);
  for (const k of Object.keys(body)) if (!known.has(k)) throw new FieldError(k, 'is not a field of the mapping');
  const m = body as unknown as KserveMapping;
  if (typeof m.modelId !== 'string' || !m.modelId) throw new FieldError('modelId', 'is required');
  for (const k of ['modelVersion', 'projectId'] as const)
    if (m[k] !== undefined && (typeof m[k] !== 'string' || !m[k])) throw new FieldError(k, 'must be a non-empty string');
  if (m.input !== undefined && (!isObj(m.input) || (m.input.features !== undefined && !strings(m.input.features))))
    throw new FieldError('input.features', 'must be a list of names');
  if (m.probabilities !== undefined && (!isObj(m.probabilities) || !strings(m.probabilities.classes) || m.probabilities.classes.length === 0)) {
    throw new FieldError('probabilities.classes', 'must be a non-empty list of class names');
  }
  if (m.predictedClass !== undefined && (!isObj(m.predictedClass) || (m.predictedClass.classes !== undefined && !strings(m.predictedClass.classes)))) {
    throw new FieldError('predictedClass.classes', 'must be a list of class names');
  }
  if (m.embedding !== undefined && (!isObj(m.embedding) || typeof m.embedding.tensor !== 'string')) throw new FieldError('embedding.tensor', 'is required');
  if (!m.probabilities && !m.predictedClass) throw new FieldError('probabilities', 'map probabilities or predictedClass (or both)');
  return m;
}

/** Rows of a V2 tensor `{name, shape, datatype, data}`: shape[0] rows of the remaining size. */
function rowsOf(tensor: Json, where: string): Json[][] {
  if (!isObj(tensor) || !Array.isArray(tensor.shape) || !Array.isArray(tensor.data))
    throw new FieldError(where, 'is not a tensor {name, shape, datatype, data}');
  const shape = tensor.shape as number[];
  const flat = (tensor.data as Json[]).flat(Infinity);
  const n = shape[0] ?? 1;
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  if (n * width !== flat.length) throw new FieldError(`${where}.data`, `has ${flat.length} values for shape [${shape.join(', ')}]`);
  return Array.from({ length: n }, (_, i) => flat.slice(i * width, (i + 1) * width));
}

function v2Tensor(body: Record<string, Json>, list: 'inputs' | 'outputs', name: string | undefined, side: string): Json[][] | undefined {
  const tensors = body[list];
  if (!Array.isArray(tensors) || tensors.length === 0) throw new FieldError(`${side}.${list}`, 'must be a non-empty list of tensors');
  const i = name === undefined ? 0 : tensors.findIndex((t) => isObj(t) && t.name === name);
  if (i < 0) return undefined;
  return rowsOf(tensors[i], `${side}.${list}[${i}]`);
}

/** Where a logged inference came from: KServe's inference logger, or Seldon Core 2's model topics. */
export type CaptureOrigin = 'kserve' | 'seldon';

/** One logged inference, both halves (bodies as posted by the logger) and its CloudEvents attributes. */
export interface LoggedInference {
  /** Default kserve. Prefixes the event ids (`<origin>:<ceId>:<index>`) and the input URI. */
  origin?: CaptureOrigin;
  /** KServe's ce-id, or Seldon's request id. */
  ceId: string;
  /** The InferenceService, or the Seldon model: the name of the mapping. */
  inferenceService: string;
  namespace?: string;
  endpoint?: string;
  /** ce-time of the response, if any. */
  time?: string;
  request: Json;
  response: Json;
}

const sha = (v: Json) => `sha256:${createHash('sha256').update(JSON.stringify(v)).digest('hex')}`;

/** The metadata keys naming the source of an event, per origin. */
const SOURCE_KEYS: Record<CaptureOrigin, [service: string, id: string]> = {
  kserve: ['kserve_inference_service', 'kserve_ce_id'],
  seldon: ['seldon_model', 'seldon_request_id'],
};

/**
 * The PredictionEvents of one logged inference under `m`: one per instance, event id
 * `<origin>:<ce-id>:<index>` (origin kserve by default). V1 (`instances`/`predictions`) and V2 (`inputs`/`outputs`) bodies.
 * Throws a FieldError naming what does not fit the mapping.
 */
export function eventsFromInference(m: KserveMapping, x: LoggedInference): PredictionInit[] {
  if (!isObj(x.request)) throw new FieldError('request', 'must be a JSON object');
  if (!isObj(x.response)) throw new FieldError('response', 'must be a JSON object');
  const v2 = Array.isArray(x.request.inputs);
  let inputs: Json[][];
  let probs: Json[][] | undefined;
  let classes: Json[][] | undefined;
  let embeddings: Json[][] | undefined;
  if (v2) {
    inputs = v2Tensor(x.request, 'inputs', m.input?.tensor, 'request') ?? [];
    if (m.input?.tensor && inputs.length === 0) throw new FieldError('request.inputs', `has no tensor ${m.input.tensor}`);
    const out = (name: string | undefined, what: string) => {
      const t = v2Tensor(x.response as Record<string, Json>, 'outputs', name, 'response');
      if (!t) throw new FieldError('response.outputs', `has no tensor ${name} (mapping ${what})`);
      return t;
    };
    probs = m.probabilities ? out(m.probabilities.tensor, 'probabilities') : undefined;
    classes = m.predictedClass ? out(m.predictedClass.tensor, 'predictedClass') : undefined;
    embeddings = m.embedding ? out(m.embedding.tensor, 'embedding') : undefined;
  } else {
    if (!Array.isArray(x.request.instances)) throw new FieldError('request', 'has neither instances (V1) nor inputs (V2)');
    if (!Array.isArray(x.response.predictions)) throw new FieldError('response.predictions', 'must be a list (V1)');
    inputs = (x.request.instances as Json[]).map((r) => (Array.isArray(r) ? r : [r]));
    const preds = x.response.predictions as Json[];
    probs = m.probabilities ? preds.map((p) => (Array.isArray(p) ? p : [p])) : undefined;
    classes = m.predictedClass ? preds.map((p) => [p]) : undefined;
  }
  const n = inputs.length;
  for (const [what, rows] of [
    ['probabilities', probs],
    ['predictedClass', classes],
    ['embedding', embeddings],
  ] as const) {
    if (rows && rows.length !== n) throw new FieldError(`response (${what})`, `has ${rows.length} rows for ${n} instances`);
  }
  const version =
    m.modelVersion ?? (typeof x.response.model_version === 'string' && x.response.model_version ? x.response.model_version : x.endpoint || 'default');
  const when = x.time && !Number.isNaN(Date.parse(x.time)) ? new Date(x.time) : new Date();
  const timestamp = { seconds: BigInt(Math.floor(when.getTime() / 1000)), nanos: (when.getTime() % 1000) * 1e6 };
  const origin = x.origin ?? 'kserve';
  const [serviceKey, idKey] = SOURCE_KEYS[origin];
  return inputs.map((row, i) => {
    const e: PredictionInit & {
      numericFeatures: Record<string, number>;
      categoricalFeatures: Record<string, string>;
      classProbabilities: Record<string, number>;
    } = {
      eventId: `${origin}:${x.ceId}:${i}`,
      modelId: m.modelId,
      modelVersion: version,
      timestamp,
      inputUri: `${origin}://${x.namespace ?? 'default'}/${x.inferenceService}/${x.ceId}#${i}`,
      contentHash: sha(row),
      numericFeatures: {},
      categoricalFeatures: {},
      classProbabilities: {},
      metadata: { ...(m.projectId ? { project_id: m.projectId } : {}), [serviceKey]: x.inferenceService, [idKey]: x.ceId },
    };
    const cells = row.length === 1 && isObj(row[0]) ? Object.entries(row[0]) : row.map((v, j) => [m.input?.features?.[j] ?? `x${j}`, v] as const);
    for (const [name, v] of cells) {
      if (typeof v === 'number') e.numericFeatures[name] = v;
      else if (typeof v === 'string') e.categoricalFeatures[name] = v;
      else if (typeof v === 'boolean') e.categoricalFeatures[name] = String(v);
    }
    if (probs && m.probabilities) {
      const p = probs[i];
      const names = m.probabilities.classes;
      if (p.length !== names.length) throw new FieldError(`response (probabilities) row ${i}`, `has ${p.length} values for ${names.length} classes`);
      let best = 0;
      p.forEach((v, j) => {
        if (typeof v !== 'number') throw new FieldError(`response (probabilities) row ${i}`, 'must hold numbers');
        e.classProbabilities[names[j]] = v;
        if (v > (p[best] as number)) best = j;
      });
      e.predictedLabel = names[best];
      e.confidence = p[best] as number;
    }
    // One value per instance is a class. A row of several (V1's single `predictions` list, or a
    // V2 mapping whose class tensor defaulted to the probabilities) is not: probabilities decide.
    const classRow = classes?.[i];
    const c = classRow?.length === 1 ? classRow[0] : undefined;
    if (classRow && c === undefined && !probs) throw new FieldError(`response (predictedClass) row ${i}`, `has ${classRow.length} values, not one class`);
    if (m.predictedClass && (typeof c === 'number' || typeof c === 'string')) {
      const names = m.predictedClass.classes;
      e.predictedLabel = typeof c === 'number' && names ? (names[c] ?? String(c)) : String(c);
    }
    if (embeddings) e.embedding = embeddings[i].map(Number);
    return e;
  });
}
