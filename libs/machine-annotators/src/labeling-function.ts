/**
 * Labeling functions: rules a project registers through the API, in a small declarative language
 * that cannot run arbitrary code. A rule votes one label when its condition holds and abstains
 * otherwise; QA's Dawid–Skene then learns from gold items how far to trust each rule.
 *
 * Conditions read an item's text, its numeric features and its string metadata:
 *   { keyword: { field: 'text', anyOf: ['unsubscribe'], wholeWord: true } }
 *   { regex: { field: 'metadata.subject', pattern: '^re:', flags: 'i' } }
 *   { threshold: { field: 'features.links', op: 'gte', value: 5 } }
 *   { equals: { field: 'metadata.lang', value: 'de' } }
 *   { all: [...] } | { any: [...] } | { not: {...} }
 *
 * Bounds, so a rule from the API cannot stall a dispatcher: at most 64 nodes and depth 8; regular
 * expressions of at most 256 characters that safe-regex2 accepts (no nested quantifiers, the cause
 * of catastrophic backtracking), matched against at most the first 65,536 characters of a field.
 */
import safeRegex from 'safe-regex2';
import { z } from 'zod';

export const RULE_LIMITS = { nodes: 64, depth: 8, patternChars: 256, keywords: 100, keywordChars: 200, scannedChars: 65_536 } as const;

const FIELD = /^(text|features\.[A-Za-z0-9_.:-]{1,128}|metadata\.[A-Za-z0-9_.:-]{1,128})$/;
const field = z.string().regex(FIELD, 'must be "text", "features.<name>" or "metadata.<key>"');

/** One condition of a rule (see the module comment for the forms). */
export type Condition =
  | { keyword: { field: string; anyOf: string[]; caseSensitive?: boolean; wholeWord?: boolean } }
  | { regex: { field: string; pattern: string; flags?: '' | 'i' } }
  | { threshold: { field: string; op: 'lt' | 'lte' | 'gt' | 'gte'; value: number } }
  | { equals: { field: string; value: string } }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z
      .object({
        keyword: z
          .object({
            field,
            anyOf: z.array(z.string().min(1).max(RULE_LIMITS.keywordChars)).min(1).max(RULE_LIMITS.keywords),
            caseSensitive: z.boolean().optional(),
            wholeWord: z.boolean().optional(),
          })
          .strict(),
      })
      .strict(),
    z.object({ regex: z.object({ field, pattern: z.string().min(1).max(RULE_LIMITS.patternChars), flags: z.enum(['', 'i']).optional() }).strict() }).strict(),
    z
      .object({
        threshold: z
          .object({
            field: field.refine((f) => f.startsWith('features.'), 'a threshold reads a numeric "features.<name>"'),
            op: z.enum(['lt', 'lte', 'gt', 'gte']),
            value: z.number().finite(),
          })
          .strict(),
      })
      .strict(),
    z.object({ equals: z.object({ field, value: z.string().max(RULE_LIMITS.keywordChars) }).strict() }).strict(),
    z.object({ all: z.array(condition).min(1) }).strict(),
    z.object({ any: z.array(condition).min(1) }).strict(),
    z.object({ not: condition }).strict(),
  ]),
);

/** A rule as registered: `machine:lf-<name>@<version>` is the identity its answers carry. */
export interface LabelingFunctionSpec {
  name: string;
  version: string;
  label: string;
  when: Condition;
}

const spec = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 of a-z, 0-9, _ and -, starting with a letter or digit'),
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'must be 1-32 of A-Z, a-z, 0-9, ., _ and -'),
    label: z.string().min(1).max(256),
    when: condition,
  })
  .strict();

/** What a labeling function reads of an item. */
export interface RuleInput {
  text?: string;
  features?: Readonly<Record<string, number>>;
  metadata?: Readonly<Record<string, string>>;
}

/** A checked, compiled rule. */
export interface LabelingFunction {
  readonly spec: LabelingFunctionSpec;
  /** The annotator identity its answers carry. */
  readonly annotator: string;
  /** The rule's label, or undefined to abstain. */
  apply(item: RuleInput): string | undefined;
}

type Test = (item: RuleInput) => boolean;

function read(item: RuleInput, f: string): string | number | undefined {
  if (f === 'text') return item.text;
  const dot = f.indexOf('.');
  const key = f.slice(dot + 1);
  const map = f.startsWith('features.') ? item.features : item.metadata;
  return map && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

const text = (item: RuleInput, f: string): string | undefined => {
  const v = read(item, f);
  return typeof v === 'string' ? v.slice(0, RULE_LIMITS.scannedChars) : undefined;
};

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(c: Condition, path: string, depth: number, count: { nodes: number }): Test {
  if (++count.nodes > RULE_LIMITS.nodes) throw new RuleError(path, `more than ${RULE_LIMITS.nodes} conditions`);
  if (depth > RULE_LIMITS.depth) throw new RuleError(path, `nested deeper than ${RULE_LIMITS.depth}`);
  if ('keyword' in c) {
    const k = c.keyword;
    const flags = k.caseSensitive ? 'u' : 'iu';
    const words = k.anyOf.map(escape).join('|');
    const re = new RegExp(k.wholeWord ? `(?<![\\p{L}\\p{N}_])(?:${words})(?![\\p{L}\\p{N}_])` : `(?:${words})`, flags);
    return (item) => {
      const v = text(item, k.field);
      return v !== undefined && re.test(v);
    };
  }
  if ('regex' in c) {
    const r = c.regex;
    let re: RegExp;
    try {
      re = new RegExp(r.pattern, r.flags ?? '');
    } catch (e) {
      throw new RuleError(`${path}.regex.pattern`, (e as Error).message);
    }
    if (!safeRegex(re))
      throw new RuleError(
        `${path}.regex.pattern`,
        'may backtrack catastrophically (nested quantifiers); rewrite it without a quantified group that itself repeats',
      );
    return (item) => {
      const v = text(item, r.field);
      return v !== undefined && re.test(v);
    };
  }
  if ('threshold' in c) {
    const t = c.threshold;
    return (item) => {
      const v = read(item, t.field);
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      return t.op === 'lt' ? v < t.value : t.op === 'lte' ? v <= t.value : t.op === 'gt' ? v > t.value : v >= t.value;
    };
  }
  if ('equals' in c) {
    const e = c.equals;
    return (item) => read(item, e.field) === e.value;
  }
  if ('all' in c) {
    const parts = c.all.map((x, i) => compile(x, `${path}.all[${i}]`, depth + 1, count));
    return (item) => parts.every((p) => p(item));
  }
  if ('any' in c) {
    const parts = c.any.map((x, i) => compile(x, `${path}.any[${i}]`, depth + 1, count));
    return (item) => parts.some((p) => p(item));
  }
  const inner = compile(c.not, `${path}.not`, depth + 1, count);
  return (item) => !inner(item);
}

/** A rule that cannot be accepted; `message` starts with the path of the offending field. */
export class RuleError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Of a union's failures, the one that got furthest into the input: it names the real problem. */
function deepest(issue: z.ZodIssue): z.ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const inner = issue.unionErrors.flatMap((e) => e.issues.map(deepest));
  return inner.reduce((best, i) => (i.path.length > best.path.length ? i : best), issue);
}

/**
 * Checks and compiles a rule given as JSON (e.g. from the admin API).
 * @throws RuleError naming the first offending field
 */
export function labelingFunction(input: unknown, allowedLabels?: ReadonlyArray<string>): LabelingFunction {
  const parsed = spec.safeParse(input);
  if (!parsed.success) {
    const issue = deepest(parsed.error.issues[0]);
    throw new RuleError(
      issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
        .join('')
        .replace(/^\./, '') || 'rule',
      issue.message,
    );
  }
  const s = parsed.data;
  if (allowedLabels && !allowedLabels.includes(s.label))
    throw new RuleError('label', `"${s.label}" is not in the project's classes (${allowedLabels.join(', ')})`);
  const test = compile(s.when, 'when', 1, { nodes: 0 });
  return {
    spec: s,
    annotator: `machine:lf-${s.name}@${s.version}`,
    apply: (item) => (test(item) ? s.label : undefined),
  };
}
