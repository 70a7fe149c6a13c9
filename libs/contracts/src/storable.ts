import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

/**
 * What no stage can store, refused at validation instead of failing a transaction:
 * PostgreSQL's text and jsonb refuse U+0000, a timestamp outside JavaScript's Date range binds
 * as an invalid value, and a prediction with a million features is not a prediction.
 */
export const STORABLE_LIMITS = {
  /** Characters of an id (`event_id`, `model_id`, any `*_id` field, the `ce_id` header). */
  maxIdLength: 256,
  /** Characters of any other string (labels, URIs, free text). */
  maxStringLength: 65_536,
  /** Entries of one map (features, metadata, probabilities). */
  maxMapEntries: 10_000,
  /** Elements of one repeated field (embedding values, spans, ids). */
  maxListLength: 16_384,
  /** google.protobuf.Timestamp range: 1970-01-01T00:00:00Z up to 9999-12-31T23:59:59Z. */
  minTimestampSeconds: 0n,
  maxTimestampSeconds: 253_402_300_799n,
} as const;

type Check = (value: unknown, path: string) => string | undefined;

const isId = (name: string) => name === 'id' || name.endsWith('_id');

/** The problem with one string, naming it; undefined when storable. */
export function stringProblem(s: string, path: string, maxLength: number): string | undefined {
  if (s.length > maxLength) return `${path} is longer than ${maxLength} characters (${s.length})`;
  if (s.includes('\u0000')) return `${path} contains a NUL character (U+0000)`;
  return undefined;
}

/** Whether a string can be stored as it is (the fast path: no message is built). */
const storable = (s: string, maxLength: number) => s.length <= maxLength && s.indexOf('\u0000') === -1;

/** A map key as it can be named in a message (a NUL in it is shown escaped). */
const keyName = (k: string) => JSON.stringify(k).slice(1, -1);

const checks = new WeakMap<DescMessage, Check>();

/** The compiled check for one message type (built once per type, then reused). */
function checkFor(desc: DescMessage): Check {
  let check = checks.get(desc);
  if (check) return check;
  if (desc.typeName === 'google.protobuf.Timestamp') {
    check = (v, path) => {
      const t = v as { seconds: bigint; nanos: number };
      if (t.seconds < STORABLE_LIMITS.minTimestampSeconds || t.seconds > STORABLE_LIMITS.maxTimestampSeconds) {
        return `${path} is out of range (${t.seconds} s; allowed 1970-01-01 to 9999-12-31)`;
      }
      if (t.nanos < 0 || t.nanos > 999_999_999) return `${path}.nanos must be in [0, 999999999], got ${t.nanos}`;
      return undefined;
    };
    checks.set(desc, check);
    return check;
  }
  // Placeholder first: a recursive message type refers to itself.
  const fieldChecks: Check[] = [];
  check = (v, path) => {
    for (const c of fieldChecks) {
      const problem = c(v, path);
      if (problem) return problem;
    }
    return undefined;
  };
  checks.set(desc, check);
  for (const f of desc.fields) {
    const c = fieldCheck(f);
    if (c) fieldChecks.push(c);
  }
  return check;
}

/** The check of one field, or undefined when the field cannot hold anything unstorable. */
function fieldCheck(f: DescField): Check | undefined {
  const max = isId(f.name) ? STORABLE_LIMITS.maxIdLength : STORABLE_LIMITS.maxStringLength;
  const read = (msg: unknown): unknown => {
    const m = msg as Record<string, unknown>;
    if (!f.oneof) return m[f.localName];
    const o = m[f.oneof.localName] as { case?: string; value?: unknown } | undefined;
    return o?.case === f.localName ? o.value : undefined;
  };
  const name = (path: string) => (path ? `${path}.${f.name}` : f.name);
  switch (f.fieldKind) {
    case 'scalar':
      if (f.scalar !== ScalarType.STRING) return undefined;
      return (msg, path) => {
        const s = read(msg);
        return typeof s === 'string' && !storable(s, max) ? stringProblem(s, name(path), max) : undefined;
      };
    case 'enum':
      return undefined;
    case 'message': {
      const sub = f.message;
      return (msg, path) => {
        const v = read(msg);
        return v === undefined ? undefined : checkFor(sub)(v, name(path));
      };
    }
    case 'list':
      return (msg, path) => {
        const list = read(msg) as unknown[];
        if (list.length === 0) return undefined;
        const p = name(path);
        if (list.length > STORABLE_LIMITS.maxListLength) return `${p} has more than ${STORABLE_LIMITS.maxListLength} elements (${list.length})`;
        if (f.listKind === 'scalar' && f.scalar === ScalarType.STRING) {
          for (let i = 0; i < list.length; i++) {
            if (!storable(list[i] as string, max)) return stringProblem(list[i] as string, `${p}[${i}]`, max);
          }
        } else if (f.listKind === 'message') {
          const sub = checkFor(f.message);
          for (let i = 0; i < list.length; i++) {
            const problem = sub(list[i], `${p}[${i}]`);
            if (problem) return problem;
          }
        }
        return undefined;
      };
    case 'map': {
      const stringValues = f.mapKind === 'scalar' && f.scalar === ScalarType.STRING;
      const messageValues = f.mapKind === 'message' ? checkFor(f.message) : undefined;
      return (msg, path) => {
        const map = read(msg) as Record<string, unknown>;
        let n = 0;
        for (const k in map) {
          if (++n > STORABLE_LIMITS.maxMapEntries) return `${name(path)} has more than ${STORABLE_LIMITS.maxMapEntries} entries`;
          if (!storable(k, STORABLE_LIMITS.maxIdLength)) return stringProblem(k, `${name(path)} key "${keyName(k.slice(0, 64))}"`, STORABLE_LIMITS.maxIdLength);
          const v = map[k];
          if (stringValues) {
            if (!storable(v as string, max)) return stringProblem(v as string, `${name(path)}.${keyName(k)}`, max);
          } else if (messageValues) {
            const problem = messageValues(v, `${name(path)}.${keyName(k)}`);
            if (problem) return problem;
          }
        }
        return undefined;
      };
    }
  }
}

/**
 * The first thing in `message` that no stage can store (a NUL character in any string, an id
 * or string over its length, a map or list over its size, a timestamp out of range), naming
 * the field; undefined when every field is storable. Checks every message type by its
 * descriptor, so a field added to a contract is covered without a change here.
 */
export function unstorableField(desc: DescMessage, message: unknown): string | undefined {
  return checkFor(desc)(message, '');
}
