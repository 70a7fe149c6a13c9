/** A kind of personal data the redactor finds. */
export type PiiKind = 'email' | 'phone' | 'card' | 'ipv4' | 'iban';

/** One finding: where it was and what kind. */
export interface PiiFinding {
  kind: PiiKind;
  start: number;
  end: number;
}

/** A field-level rule: drop or mask a whole field by name, whatever it contains. */
export interface FieldRule {
  field: string | RegExp;
  action: 'drop' | 'mask';
}

/** Redaction settings. */
export interface RedactOptions {
  /** Detectors to run (default: all). */
  kinds?: PiiKind[];
  /** Replacement text; `{kind}` is replaced by the kind (default `[REDACTED:{kind}]`). */
  replacement?: string;
}

/** Luhn checksum, so that only plausible card numbers are taken for cards. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 13 && digits.length <= 19 && sum % 10 === 0;
}

const code = (c: string) => c.charCodeAt(0);
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
/** `[A-Za-z0-9-]`: a character of a domain label. */
const isLabel = (c: number) => isLetter(c) || isDigit(c) || c === code('-');
/** `[A-Za-z0-9._%+-]`: a character of an address's local part. */
const isLocal = (c: number) => isLabel(c) || c === code('.') || c === code('_') || c === code('%') || c === code('+');
const DOT = code('.');

/**
 * End of the longest `[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}` at `from` (the domain of
 * an address), or -1: the last dot-separated segment that starts with two letters, reached
 * through non-empty labels, ends it after those letters.
 */
function domainEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isLabel(text.charCodeAt(i))) i++;
  if (i === from) return -1;
  let end = -1;
  while (i < text.length && text.charCodeAt(i) === DOT) {
    const segment = i + 1;
    let j = segment;
    while (j < text.length && isLetter(text.charCodeAt(j))) j++;
    if (j - segment >= 2) end = j;
    while (j < text.length && isLabel(text.charCodeAt(j))) j++;
    if (j === segment) break;
    i = j;
  }
  return end;
}

/**
 * E-mail addresses, left to right: the matches of
 * `/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g` (the dot-atom form mail
 * actually uses; RFC 5322's full grammar is not needed), found in linear time. That regular
 * expression backtracks: on a long run of address characters (40,000 letters, or `a@a.a.a…`)
 * every start position rescans the run, 1.3 s for 40 KB. Here each `@` is widened left over the
 * local part and right over the domain; `@` belongs to neither, so no walk crosses another `@`
 * and every character is read a bounded number of times.
 */
function* emailMatches(text: string): Generator<[number, number]> {
  let lastEnd = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > lastEnd && isLocal(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    const end = domainEnd(text, at + 1);
    if (end < 0) continue;
    yield [start, end];
    lastEnd = end;
  }
}

/** Matches of a global regular expression as [start, end) pairs. */
function* regexMatches(re: RegExp, text: string): Generator<[number, number]> {
  for (const m of text.matchAll(re)) yield [m.index, m.index + m[0].length];
}

/**
 * Each detector finds its candidates left to right, without overlaps among them. The regular
 * expressions below match bounded lengths, so they run in linear time; the e-mail pattern does
 * not, and is a scanner.
 */
const DETECTORS: Record<PiiKind, { find: (text: string) => Iterable<[number, number]>; accept?: (m: string) => boolean }> = {
  email: { find: emailMatches },
  // Card numbers: 13–19 digits, optionally grouped by spaces or dashes, Luhn-valid.
  card: { find: (t) => regexMatches(/\b(?:\d[ -]?){12,18}\d\b/g, t), accept: (m) => luhnValid(m.replace(/[ -]/g, '')) },
  iban: { find: (t) => regexMatches(/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g, t) },
  ipv4: { find: (t) => regexMatches(/\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g, t) },
  // Phone numbers: international (+CC and 2–4 digit groups) or North American (xxx) xxx-xxxx / xxx-xxx-xxxx.
  phone: { find: (t) => regexMatches(/\+\d{1,3}(?:[ .-]\d{2,4}){2,4}\b|(?:\(\d{2,4}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b/g, t) },
};

/** Order matters: cards before phones so a card number is not half-taken as a phone. */
const ORDER: PiiKind[] = ['email', 'card', 'iban', 'ipv4', 'phone'];

/**
 * Finds personal data in `text` (non-overlapping, left to right), in time linear in its length:
 * a candidate that overlaps a finding of an earlier kind is dropped by one sweep over the
 * findings so far (both are in order), not by a search of all of them per candidate.
 */
export function findPii(text: string, kinds: PiiKind[] = ORDER): PiiFinding[] {
  let out: PiiFinding[] = [];
  for (const kind of ORDER.filter((k) => kinds.includes(k))) {
    const { find, accept } = DETECTORS[kind];
    const fresh: PiiFinding[] = [];
    let j = 0;
    for (const [start, end] of find(text)) {
      while (j < out.length && out[j].end <= start) j++;
      if ((j < out.length && out[j].start < end) || (accept && !accept(text.slice(start, end)))) continue;
      fresh.push({ kind, start, end });
    }
    out = mergeByStart(out, fresh);
  }
  return out;
}

/** Two lists sorted by start, as one. */
function mergeByStart(a: PiiFinding[], b: PiiFinding[]): PiiFinding[] {
  const out: PiiFinding[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i].start < b[j].start) ? a[i++] : b[j++]);
  return out;
}

/**
 * Replaces personal data in `text`; returns the redacted text and what was found. Used before
 * anything reaches an annotator or an external labeling platform.
 */
export function redactText(text: string, opts: RedactOptions = {}): { text: string; findings: PiiFinding[] } {
  const findings = findPii(text, opts.kinds);
  const repl = opts.replacement ?? '[REDACTED:{kind}]';
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + repl.replace('{kind}', f.kind);
    at = f.end;
  }
  return { text: out + text.slice(at), findings };
}

/** Applies field rules, then text redaction to every remaining string field. */
export function redactRecord(record: Record<string, unknown>, rules: FieldRule[] = [], opts: RedactOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    const rule = rules.find((r) => (typeof r.field === 'string' ? r.field === k : r.field.test(k)));
    if (rule?.action === 'drop') continue;
    if (rule?.action === 'mask') out[k] = '[REDACTED]';
    else out[k] = typeof v === 'string' ? redactText(v, opts).text : v;
  }
  return out;
}
