import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { PredictionEventSchema, type PredictionEvent } from '@labelloop/contracts';

/** A request the gateway refuses as a whole, naming the field at fault. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'FieldError';
  }
}

const FIELD_ERROR = /^cannot decode field [\w.]+\.(\w+) from JSON: (.*)$/s;
const UNKNOWN_KEY = /^cannot decode message [\w.]+ from JSON: key "([^"]+)" is unknown$/;

/**
 * Decodes the HTTP body of `POST /v1/predictions:ingest`, `{"predictions": [PredictionEvent,
 * ...]}` in the protobuf-JSON mapping (camelCase or the proto's snake_case names; 64-bit and
 * enum values as protobuf-JSON writes them). Throws a FieldError naming the first bad field,
 * e.g. `predictions[3].confidence`.
 */
export function decodeIngestJson(body: string): PredictionEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new FieldError('body', `is not JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FieldError('body', 'must be a JSON object {"predictions": [...]}');
  for (const key of Object.keys(parsed)) if (key !== 'predictions') throw new FieldError(key, 'is not a field of IngestRequest');
  const list = (parsed as { predictions?: unknown }).predictions;
  if (!Array.isArray(list)) throw new FieldError('predictions', 'must be an array of PredictionEvent');
  return list.map((p, i) => {
    try {
      return fromJson(PredictionEventSchema, p as JsonValue);
    } catch (e) {
      const msg = (e as Error).message;
      const field = FIELD_ERROR.exec(msg);
      if (field) throw new FieldError(`predictions[${i}].${field[1]}`, field[2]);
      const unknown = UNKNOWN_KEY.exec(msg);
      if (unknown) throw new FieldError(`predictions[${i}].${unknown[1]}`, 'is not a field of PredictionEvent');
      throw new FieldError(`predictions[${i}]`, msg.replace(/^cannot decode /, 'cannot decode '));
    }
  });
}

/** The field a validatePredictionEvent problem starts with (`confidence must be ...` → `confidence`), under `prefix`. */
export function fieldOfProblem(prefix: string, problem: string): FieldError {
  const m = /^([a-z_]+(?:\.\S+)?) /.exec(problem);
  return new FieldError(m ? `${prefix}.${m[1]}` : prefix, m ? problem.slice(m[1].length + 1) : problem);
}
