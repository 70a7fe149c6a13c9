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

const DETECTORS: Record<PiiKind, { re: RegExp; accept?: (m: string) => boolean }> = {
  // RFC 5322's full grammar is not needed: this is the dot-atom form mail actually uses.
  email: { re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  // Card numbers: 13–19 digits, optionally grouped by spaces or dashes, Luhn-valid.
  card: { re: /\b(?:\d[ -]?){12,18}\d\b/g, accept: (m) => luhnValid(m.replace(/[ -]/g, '')) },
  iban: { re: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g },
  ipv4: { re: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g },
  // Phone numbers: international (+CC and 2–4 digit groups) or North American (xxx) xxx-xxxx / xxx-xxx-xxxx.
  phone: { re: /\+\d{1,3}(?:[ .-]\d{2,4}){2,4}\b|(?:\(\d{2,4}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b/g },
};

/** Order matters: cards before phones so a card number is not half-taken as a phone. */
const ORDER: PiiKind[] = ['email', 'card', 'iban', 'ipv4', 'phone'];

/** Finds personal data in `text` (non-overlapping, left to right). */
export function findPii(text: string, kinds: PiiKind[] = ORDER): PiiFinding[] {
  const out: PiiFinding[] = [];
  const taken = (s: number, e: number) => out.some((f) => s < f.end && e > f.start);
  for (const kind of ORDER.filter((k) => kinds.includes(k))) {
    const { re, accept } = DETECTORS[kind];
    for (const m of text.matchAll(re)) {
      const start = m.index!;
      const end = start + m[0].length;
      if ((accept && !accept(m[0])) || taken(start, end)) continue;
      out.push({ kind, start, end });
    }
  }
  return out.sort((a, b) => a.start - b.start);
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
