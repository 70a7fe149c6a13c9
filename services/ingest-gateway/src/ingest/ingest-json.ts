import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { PredictionEventSchema, type PredictionEvent } from '@labelloop/contracts';
import { invalidArgument } from '@labelloop/rpc';

/**
 * A request the gateway refuses as a whole, naming the field at fault; its message is worded
 * by libs/rpc's invalidArgument, as every service words INVALID_ARGUMENT (`field: problem`).
 */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(invalidArgument(field, problem).message);
    this.name = 'FieldError';
  }
}

const FIELD_ERROR = /^cannot decode field [\w.]+\.(\w+) from JSON: (.*)$/s;
const UNKNOWN_KEY = /^cannot decode message [\w.]+ from JSON: key "([^"]+)" is unknown$/;

/**
 * Decodes the HTTP body of `POST /v1/predictions:ingest`, `{"predictions": [PredictionEvent,
 * ...]}` in the protobuf-JSON mapping (camelCase or the proto's snake_case names; 64-bit and
 * enum values as protobuf-JSON writes them). Throws a FieldError naming the first bad
 * prediction, the problem starting with its field: `predictions[3]: confidence ...`.
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
      if (field) throw itemProblem(`predictions[${i}]`, `${field[1]} ${field[2]}`);
      const unknown = UNKNOWN_KEY.exec(msg);
      if (unknown) throw itemProblem(`predictions[${i}]`, `${unknown[1]} is not a field of PredictionEvent`);
      throw new FieldError(`predictions[${i}]`, msg.replace(/^cannot decode /, 'cannot decode '));
    }
  });
}

/**
 * One refused item of a batch, worded as the other services word it: the item is the field,
 * the problem starts with the item's own field (`predictions[1]: confidence must be in [0, 1]`,
 * a validatePredictionEvent problem as it comes).
 */
export function itemProblem(item: string, problem: string): FieldError {
  return new FieldError(item, problem);
}
