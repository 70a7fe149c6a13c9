/**
 * Tokenizer: lowercase word tokens.
 */

/** Options for {@link tokenize}. */
export interface TokenizeOptions {
  /** Tokens longer than this are dropped (base64 blobs, long URLs); default 30. */
  maxTokenLength?: number;
  /** Only the first `maxChars` characters of the text are read (bounds the cost of huge attachments); default 20 000. */
  maxChars?: number;
}

/** Default {@link TokenizeOptions.maxTokenLength}. */
export const DEFAULT_MAX_TOKEN_LENGTH = 30;
/** Default {@link TokenizeOptions.maxChars}. */
export const DEFAULT_MAX_CHARS = 20_000;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/**
 * Split a text into lowercase word tokens: maximal runs of Unicode letters and digits, with an
 * optional apostrophe suffix kept attached (`don't`, `it's`). Everything else (punctuation,
 * markup, whitespace) separates tokens. Deterministic and locale-independent.
 * @param text - any string.
 * @param options - length limits, see {@link TokenizeOptions}.
 * @returns the tokens in order of appearance (duplicates kept).
 */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const maxLen = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const src = (text.length > maxChars ? text.slice(0, maxChars) : text).toLowerCase();
  const out: string[] = [];
  for (const m of src.matchAll(WORD)) {
    const t = m[0].replace('’', "'");
    if (t.length <= maxLen) out.push(t);
  }
  return out;
}
